"""The workflow table: every move, who may make it, what each needs, and who hears of it."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.models import Notification
from core import clock, events
from core.errors import Conflict, Invalid, NotFound, PermissionDenied
from grid import access, cases, roster, workflow
from grid.models import CaseState, GridCell, RosterRole
from tests.factories import make_cell, make_user
from tests.grid.conftest import class_id, walk

S = CaseState


def kinds_for(session, user):
    return session.scalars(select(Notification.kind).where(Notification.user_id == user.id)).all()


def test_a_case_goes_the_whole_way_and_every_step_is_in_its_history(session, cast, reported):
    leader = cast.zhang_wangge
    walk(session, leader, reported, "register", "dispatch", "handle", "pass", "close")
    assert reported.state is S.closed and reported.closed_at is not None
    assert reported.cell_id == cast.cell.id and reported.due_at is not None
    history = cases.history(session, reported.id)
    assert [s.action for s in history] == ["report", "register", "dispatch", "handle", "pass", "close"]
    assert [s.to_state for s in history] == [
        S.reported,
        S.registered,
        S.dispatched,
        S.handled,
        S.verified,
        S.closed,
    ]
    assert all(s.actor_name for s in history)


def test_the_table_is_the_only_way_through(session, cast, reported):
    with pytest.raises(Conflict):
        workflow.move(session, cast.zhang_wangge, reported.id, "close", workflow.MoveInput())
    with pytest.raises(Conflict):
        workflow.move(session, cast.zhang_wangge, reported.id, "delete", workflow.MoveInput())
    assert {t.action for t in workflow.moves_from(S.reported)} == {"register", "reject"}
    assert {t.action for t in workflow.moves_from(S.handled)} == {"pass", "rework"}
    assert workflow.moves_from(S.closed) == [] and workflow.moves_from(S.rejected) == []


def test_only_staff_of_the_cell_and_admins_move_a_case(session, cast, hasher, reported):
    other_cell = make_cell(session)
    stranger = make_user(session, hasher, "li_wangge")
    roster.assign_post(
        session, cast.admin, cell_code=other_cell.code, username="li_wangge", role=RosterRole.leader
    )
    for outsider in (cast.wang_ayi, cast.chen_weiyuan, cast.sun_banzhu, stranger, None):
        with pytest.raises(PermissionDenied):
            walk(session, outsider, reported, ("register", workflow.MoveInput(cell_code=cast.cell.code)))
    assert reported.state is S.reported
    walk(session, cast.admin, reported, ("register", workflow.MoveInput(cell_code=cast.cell.code)))
    assert reported.state is S.registered


def test_staff_register_only_into_a_cell_they_staff(session, cast, reported):
    other = make_cell(session)
    with pytest.raises(Invalid) as refused:
        walk(session, cast.zhang_wangge, reported, ("register", workflow.MoveInput(cell_code=other.code)))
    assert set(refused.value.errors) == {"cell_code"}
    with pytest.raises(Invalid) as refused:
        walk(session, cast.zhang_wangge, reported, ("register", workflow.MoveInput(cell_code="")))
    assert set(refused.value.errors) == {"cell_code"}
    assert reported.state is S.reported and reported.cell_id is None


def test_registration_sets_the_due_date_from_the_category(session, cast, reported):
    before = clock.now()
    rubbish = class_id(session, "event", "0102")  # 暴露垃圾: 24 hours
    walk(
        session,
        cast.zhang_wangge,
        reported,
        ("register", workflow.MoveInput(cell_code=cast.cell.code, class_id=rubbish)),
    )
    assert reported.class_id == rubbish
    assert before + timedelta(hours=24) <= reported.due_at <= clock.now() + timedelta(hours=24)


def test_rejecting_and_reworking_need_a_reason(session, cast, reported):
    with pytest.raises(Invalid) as refused:
        walk(session, cast.zhang_wangge, reported, ("reject", workflow.MoveInput(note="  ")))
    assert set(refused.value.errors) == {"note"}
    walk(session, cast.zhang_wangge, reported, "register", "dispatch", "handle")
    with pytest.raises(Invalid):
        walk(session, cast.zhang_wangge, reported, ("rework", workflow.MoveInput()))
    walk(session, cast.zhang_wangge, reported, ("rework", workflow.MoveInput(note="井盖仍然松动")))
    assert (reported.state, reported.reworks) == (S.dispatched, 1)


def test_dispatch_goes_to_a_department_or_a_person_on_the_roster(session, cast, reported):
    walk(session, cast.zhang_wangge, reported, "register")
    for given, field in (
        (workflow.MoveInput(), "department_id"),
        (workflow.MoveInput(assignee="wang_ayi"), "assignee"),
        (workflow.MoveInput(department_id=999), "department_id"),
        (workflow.MoveInput(assignee="zhang_wangge", due_at=clock.now() - timedelta(hours=1)), "due_at"),
    ):
        with pytest.raises(Invalid) as refused:
            walk(session, cast.zhang_wangge, reported, ("dispatch", given))
        assert field in refused.value.errors
    assert reported.state is S.registered
    due = clock.now() + timedelta(hours=5)
    walk(
        session,
        cast.zhang_wangge,
        reported,
        ("dispatch", workflow.MoveInput(assignee="zhang_wangge", due_at=due)),
    )
    assert reported.assignee_id == cast.zhang_wangge.id and reported.due_at == due


def test_followers_are_told_at_each_step_and_asked_at_the_check(session, cast, reported):
    walk(session, cast.zhang_wangge, reported, "register")
    assert "case_moved" in kinds_for(session, cast.wang_ayi)
    assert "case_confirm" not in kinds_for(session, cast.wang_ayi)
    walk(session, cast.zhang_wangge, reported, "dispatch", "handle")
    assert "case_confirm" in kinds_for(session, cast.wang_ayi)
    assert reported.verify_round == 1
    # the one who moved it is not told of their own move
    assert "case_moved" not in kinds_for(session, cast.zhang_wangge)


def test_each_move_is_published_for_the_source(session, cast, reported):
    heard = []
    listener = heard.append
    events.subscribe(workflow.CaseStatusChanged, lambda s, e: listener(e))
    try:
        walk(session, cast.zhang_wangge, reported, "register")
    finally:
        events._subscribers[workflow.CaseStatusChanged].pop()
    assert [(e.from_state, e.to_state, e.source) for e in heard] == [
        (S.reported, S.registered, reported.source)
    ]
    assert heard[0].follower_ids == frozenset({cast.wang_ayi.id})


def test_a_staff_only_case_is_hidden_from_everyone_else(session, cast):
    from grid import handoff
    from grid.models import CaseSource

    private = handoff.hand_off(
        session,
        cast.chen_weiyuan,
        source=CaseSource.mediation,
        source_ref="7",
        title="邻里漏水纠纷",
        description="楼上漏水，调解未成。",
        followers=set(),
        cell_code=cast.cell.code,
        staff_only=True,
    )
    session.flush()
    for outsider in (None, cast.wang_ayi, cast.chen_weiyuan):
        with pytest.raises(NotFound):
            cases.case_view(session, outsider, private.id)
    assert cases.case_view(session, cast.zhang_wangge, private.id).staff_only
    assert private.id not in {c.id for c in cases.list_public(session)}


def test_a_source_hands_a_thing_over_once(session, cast):
    from grid import handoff
    from grid.models import CaseSource

    opening = dict(
        source=CaseSource.forum, source_ref="42", title="楼道杂物", description="", followers=set()
    )
    handoff.hand_off(session, cast.sun_banzhu, **opening)
    with pytest.raises(Conflict):
        handoff.hand_off(session, cast.sun_banzhu, **opening)


def test_staffed_cells_are_asked_again_after_a_roster_change(session, cast, hasher, reported):
    newcomer = make_user(session, hasher, "xin_wangge")
    assert not access.can_work(session, newcomer, reported)
    roster.assign_post(
        session, cast.admin, cell_code=cast.cell.code, username="xin_wangge", role=RosterRole.liaison
    )
    assert access.can_work(session, newcomer, reported)
    assert session.get(GridCell, cast.cell.id) is not None
