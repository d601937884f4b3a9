"""Two people pressing a case's buttons at the same moment, over a committed database (a SQLite file,
or PostgreSQL when configured): the case moves once.

Each unit holds its transaction open a little after its step (as a slow request would), so an
implementation that read the case without its row lock would let both through on PostgreSQL: both
closes would succeed, or neither confirmation would see the other and the case would never be agreed.
On SQLite the write session's BEGIN IMMEDIATE serialises them; the assertions are the same.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from core.db import Sessions, make_engine, run_write
from core.errors import Conflict
from deliberation.mediation import agreements, disputes, lifecycle
from deliberation.mediation.fields import today
from deliberation.mediation.models import Action, Dispute, DisputeEvent, DisputeParty, DisputeStatus
from tests.conftest import PG_URL, cheap_hasher, fresh_engine, make_settings
from tests.deliberation.mediation import conftest as case_states
from tests.people import build_cast

pytestmark = pytest.mark.concurrency
HOLD = 0.3  # seconds each unit keeps its transaction open after its step


@pytest.fixture
def sessions(tmp_path):
    settings = make_settings(tmp_path, PG_URL or None)
    with fresh_engine(settings) as migrated:
        url = migrated.url.render_as_string(hide_password=False)
        engine = make_engine(settings.with_changes(database_url=url), pool_timeout=120)
        try:
            yield Sessions(engine)
        finally:
            engine.dispose()


def prepare(
    sessions: Sessions, to: Callable[[Session, object, object], object]
) -> tuple[int, dict[str, int]]:
    """A case between 王阿姨 and 李师傅 brought to some state; (its id, username -> user id)."""

    def work(session: Session) -> tuple[int, dict[str, int]]:
        cast = build_cast(session, cheap_hasher())
        dispute = to(session, cast, case_states.apply(session, cast))
        people = {
            name: getattr(cast, name).id for name in ("wang_ayi", "li_shifu", "chen_weiyuan", "zhou_jiaoshou")
        }
        return dispute.id, people  # type: ignore[attr-defined]

    return run_write(sessions, work)


def proposed(session: Session, cast: object, dispute: object) -> object:
    return case_states.propose(
        session, cast, case_states.meet(session, cast, case_states.accept(session, cast, dispute))
    )


def agreed(session: Session, cast: object, dispute: object) -> object:
    proposed(session, cast, dispute)
    for party in (cast.wang_ayi, cast.li_shifu):  # type: ignore[attr-defined]
        agreements.confirm_agreement(session, party, dispute.id, version=1)  # type: ignore[attr-defined]
    return dispute


def race(sessions: Sessions, units: list[Callable[[Session], object]]) -> list[object]:
    """Run the units in threads released together; each result, or the error it raised."""
    results: list[object] = [None] * len(units)
    gate = threading.Barrier(len(units))

    def run(index: int) -> None:
        def work(session: Session) -> object:
            outcome = units[index](session)
            session.flush()
            time.sleep(HOLD)
            return outcome

        gate.wait()
        try:
            results[index] = run_write(sessions, work)
        except Exception as error:  # collected and asserted on
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(units))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def as_user(user_id: int, step: Callable[[Session, User], object]) -> Callable[[Session], object]:
    return lambda session: step(session, session.get(User, user_id))  # type: ignore[arg-type]


def steps(sessions: Sessions, dispute_id: int) -> list[tuple[Action, DisputeStatus]]:
    with sessions.read() as session:
        rows = session.execute(
            select(DisputeEvent.action, DisputeEvent.to_status)
            .where(DisputeEvent.dispute_id == dispute_id)
            .order_by(DisputeEvent.id)
        )
        return [(action, status) for action, status in rows]


def test_the_chair_and_the_mediator_closing_at_once_close_it_once(sessions):
    dispute_id, people = prepare(sessions, agreed)
    visit = (today() + timedelta(days=30)).isoformat()

    def close(session: Session, actor: User) -> object:
        return disputes.close_case(session, actor, dispute_id, follow_up_on=visit).dispute.status

    results = race(
        sessions, [as_user(people["chen_weiyuan"], close), as_user(people["zhou_jiaoshou"], close)]
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "DisputeStatus"]
    [refused] = [r for r in results if isinstance(r, Conflict)]
    assert refused.message.key == lifecycle.NOT_NOW
    assert [action for action, _ in steps(sessions, dispute_id)].count(Action.close) == 1


def test_both_parties_confirming_at_once_reach_the_agreement_once(sessions):
    dispute_id, people = prepare(sessions, proposed)

    def confirm(session: Session, actor: User) -> object:
        return agreements.confirm_agreement(session, actor, dispute_id, version=1).dispute.status

    results = race(sessions, [as_user(people["wang_ayi"], confirm), as_user(people["li_shifu"], confirm)])
    assert [r for r in results if isinstance(r, Exception)] == []
    with sessions.read() as session:
        assert session.get(Dispute, dispute_id).status is DisputeStatus.agreed
        confirmed = session.scalars(
            select(DisputeParty.confirmed_version).where(DisputeParty.dispute_id == dispute_id)
        )
        assert list(confirmed) == [1, 1]
    taken = [action for action, _ in steps(sessions, dispute_id)]
    assert (taken.count(Action.confirm), taken.count(Action.agree)) == (2, 1)


def test_a_double_click_on_confirm_counts_once(sessions):
    dispute_id, people = prepare(sessions, proposed)

    def confirm(session: Session, actor: User) -> object:
        return agreements.confirm_agreement(session, actor, dispute_id, version=1).dispute.status

    results = race(sessions, [as_user(people["wang_ayi"], confirm)] * 2)
    assert results == [DisputeStatus.in_mediation] * 2
    assert [action for action, _ in steps(sessions, dispute_id)].count(Action.confirm) == 1
