"""Convening, the transition table, who may move a consultation, the timeline and who is told."""

import threading

import pytest
from sqlalchemy import select

from accounts.models import Notification
from core.db import Sessions, run_write
from core.errors import Conflict, Invalid, NotFound, PermissionDenied
from deliberation.consultations import convening, lifecycle, listing
from deliberation.consultations.models import Consultation, ScopeKind, State
from deliberation.forums import posts, threads
from tests.conftest import PG_URL, fresh_engine, make_settings
from tests.deliberation.consultations.conftest import adopt, advance
from tests.factories import make_admin, make_cell, make_user


def test_convening_opens_a_thread_of_its_own_and_a_draft(session, cast, consultation):
    assert (consultation.state, consultation.scope_kind, consultation.cell_code) == (
        State.draft,
        ScopeKind.cell,
        cast.cell.code,
    )
    thread = threads.thread_view(session, consultation.thread_id)
    assert thread.title == "早点摊位试点" and thread.board_slug == cast.cell.code
    assert consultation.background_html == "<p><strong>摊主</strong>希望固定摊位。</p>"
    assert [s.action for s in listing.timeline(session, consultation.id)] == ["convene"]


def test_only_the_committee_convenes_and_every_field_is_checked(session, cast):
    with pytest.raises(PermissionDenied):
        convening.convene(session, cast.wang_ayi, title="我的议题", question="？", scope=cast.cell.code)
    with pytest.raises(Invalid) as refused:
        convening.convene(session, cast.zhou_jiaoshou, title="x", question=" ", scope="nowhere/none")
    assert set(refused.value.errors) == {"title", "question", "scope"}


def test_a_thread_is_raised_into_a_consultation_once(session, cast):
    thread = threads.start_thread(
        session, cast.wang_ayi, board_slug=cast.cell.code, title="楼道杂物", body="谁来清？"
    )
    session.flush()
    raised = convening.convene(
        session,
        cast.chen_weiyuan,
        title="楼道杂物清理",
        question="谁来清、何时清？",
        scope=cast.cell.code,
        thread_id=thread.id,
    )
    assert raised.thread_id == thread.id and convening.raising_thread(session, thread.id) == raised.id
    with pytest.raises(Invalid) as again:
        convening.convene(
            session,
            cast.zhou_jiaoshou,
            title="同一个话题",
            question="？",
            scope=cast.cell.code,
            thread_id=thread.id,
        )
    assert "thread" in again.value.errors


def test_a_community_wide_consultation_talks_on_the_city_board(session, cast):
    made = convening.convene(
        session,
        cast.zhou_jiaoshou,
        title="社区垃圾房改造",
        question="改在哪里？",
        scope=f"{cast.cell.street}/{cast.cell.community}",
    )
    assert (made.scope_kind, made.cell_code, made.community) == (
        ScopeKind.community,
        None,
        cast.cell.community,
    )
    assert threads.thread_view(session, made.thread_id).board_slug == "xieshang"


def test_the_table_moves_it_one_step_at_a_time_and_refuses_the_rest(session, cast, consultation):
    with pytest.raises(Conflict):  # not from draft
        lifecycle.move(session, cast.zhou_jiaoshou, consultation.id, "deliberate")
    advance(session, cast.zhou_jiaoshou, consultation, "open", "deliberate")
    with pytest.raises(PermissionDenied) as not_yet:
        lifecycle.move(session, cast.zhou_jiaoshou, consultation.id, "agree")  # no adopted resolution
    assert "not adopted" in not_yet.value.message.key
    adopt(session, cast, consultation)
    with pytest.raises(PermissionDenied):
        lifecycle.move(session, cast.zhou_jiaoshou, consultation.id, "disagree")  # adopted: agree instead
    advance(session, cast.chen_weiyuan, consultation, "agree")  # the chair may move it too
    assert consultation.state is State.agreed
    steps = [(s.action, s.to_state) for s in listing.timeline(session, consultation.id) if s.to_state]
    assert steps == [("open", State.collecting), ("deliberate", State.deliberating), ("agree", State.agreed)]


def test_every_transition_in_the_table_starts_where_another_ends():
    reachable = {State.draft} | {t.target for t in lifecycle.TRANSITIONS}
    assert {t.source for t in lifecycle.TRANSITIONS} <= reachable
    assert len({(t.source, t.action) for t in lifecycle.TRANSITIONS}) == len(lifecycle.TRANSITIONS)


@pytest.mark.parametrize("who", ["wang_ayi", "another committee member", "sun_banzhu", "admin"])
def test_only_the_convener_or_the_chair_moves_it(session, hasher, cast, consultation, who):
    from accounts.models import Role

    if who == "another committee member":
        actor = make_user(session, hasher, "wu_laoshi", roles_held=(Role.committee_member,), admin=cast.admin)
    else:
        actor = getattr(cast, who)
    with pytest.raises(PermissionDenied):
        lifecycle.move(session, actor, consultation.id, "open")
    assert consultation.state is State.draft


def test_participants_and_followers_are_told_at_each_step(session, cast, consultation):
    posts.post_reply(session, cast.li_shifu, thread_id=consultation.thread_id, body="我是摊主，支持试点")
    advance(session, cast.zhou_jiaoshou, consultation, "open")
    told = session.scalars(
        select(Notification.user_id).where(Notification.kind == "consultation_moved")
    ).all()
    assert cast.li_shifu.id in told and cast.zhou_jiaoshou.id not in told  # the one who moved it is not told


def test_a_note_that_is_too_long_changes_nothing(session, cast, consultation):
    with pytest.raises(Invalid):
        lifecycle.move(session, cast.zhou_jiaoshou, consultation.id, "open", "字" * 1001)
    assert consultation.state is State.draft


def test_a_draft_is_not_listed_publicly(session, cast, consultation):
    assert listing.list_consultations(session).total == 0
    assert [c.id for c in listing.drafts_of(session, cast.zhou_jiaoshou.id)] == [consultation.id]
    advance(session, cast.zhou_jiaoshou, consultation, "open")
    assert [c.id for c in listing.list_consultations(session, state=State.collecting).items] == [
        consultation.id
    ]
    with pytest.raises(NotFound):
        listing.consultation_view(session, 999999)


def test_two_members_pressing_the_same_step_at_once_move_it_once(tmp_path, hasher):
    """Real threads, each in its own transaction on a committed database: one moves it, one learns why not."""
    from accounts import roles
    from accounts.models import Role

    with fresh_engine(make_settings(tmp_path, PG_URL or None, threads=4)) as engine:
        sessions = Sessions(engine)

        def setup(session):  # type: ignore[no-untyped-def]
            cell = make_cell(session, code="349901001001777")
            admin = make_admin(session, hasher)
            zhou = make_user(
                session, hasher, "zhou_jiaoshou", roles_held=(Role.committee_member,), admin=admin
            )
            chen = make_user(
                session, hasher, "chen_weiyuan", roles_held=(Role.committee_member,), admin=admin
            )
            roles.make_chair(session, admin, chen.id)
            made = convening.convene(session, zhou, title="同时推进", question="？", scope=cell.code)
            session.flush()
            return made.id, zhou.id, chen.id

        consultation_id, zhou, chen = run_write(sessions, setup)
        outcomes: list[str] = []
        start = threading.Barrier(2)

        def press(user_id: int) -> None:
            from accounts.models import User

            start.wait()
            try:
                run_write(
                    sessions, lambda s: lifecycle.move(s, s.get(User, user_id), consultation_id, "open", "")
                )
                outcomes.append("moved")
            except Conflict:
                outcomes.append("refused")

        workers = [threading.Thread(target=press, args=(who,)) for who in (zhou, chen)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        with sessions.read() as session:
            steps = [s.action for s in listing.timeline(session, consultation_id)]
            assert session.get(Consultation, consultation_id).state is State.collecting
    assert sorted(outcomes) == ["moved", "refused"] and steps == ["convene", "open"]
