"""One person's two votes on one statement at the same moment (a double tap, two tabs), over a
committed database (a SQLite file, or PostgreSQL when configured): one vote is left, with one of the
two values, and one participant row. Each unit holds its transaction open a little after voting, as a
slow request would, so the second really meets the first."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import User
from core.db import run_write
from deliberation.consultations import convening, lifecycle
from deliberation.merging import statements, voting
from deliberation.merging.models import Participant, Vote
from tests.concurrency.test_mediation import race, sessions  # noqa: F401 - sessions is a fixture
from tests.conftest import cheap_hasher
from tests.people import build_cast

pytestmark = pytest.mark.concurrency


def prepare(sessions) -> tuple[int, int, int]:  # noqa: F811
    """A consultation collecting views with one statement by 王阿姨; (its id, the statement, 李师傅)."""

    def work(session: Session) -> tuple[int, int, int]:
        cast = build_cast(session, cheap_hasher())
        consultation = convening.convene(
            session, cast.zhou_jiaoshou, title="早点摊位试点", question="？", scope=cast.cell.code
        )
        session.flush()
        lifecycle.move(session, cast.zhou_jiaoshou, consultation.id, "open", "")
        statement = statements.write_statement(session, cast.wang_ayi, consultation.id, "摊位每天清扫。")
        session.flush()
        return consultation.id, statement.id, cast.li_shifu.id

    return run_write(sessions, work)


def vote(consultation_id: int, statement_id: int, user_id: int, choice: str):  # type: ignore[no-untyped-def]
    def unit(session: Session) -> object:
        return voting.cast_vote(session, session.get(User, user_id), consultation_id, statement_id, choice)

    return unit


@pytest.mark.parametrize("already", [False, True], ids=["first votes", "changed votes"])
def test_two_simultaneous_votes_by_one_person_leave_one(sessions, already):  # noqa: F811
    consultation_id, statement_id, li = prepare(sessions)
    if already:
        run_write(sessions, vote(consultation_id, statement_id, li, "pass"))
    results = race(sessions, [vote(consultation_id, statement_id, li, c) for c in ("agree", "disagree")])
    assert not [r for r in results if isinstance(r, Exception)], results
    with sessions.read() as session:
        his = select(Vote.value).join(Participant).where(Participant.user_id == li)
        assert len(session.scalars(his).all()) == 1 and session.scalar(his) in (1, -1)
        rows = select(func.count()).select_from(Participant).where(Participant.user_id == li)
        assert session.scalar(rows) == 1
