"""More time (延期), decided by the cell's 网格长, and the sweep that flags late cases once."""

from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from sqlalchemy import select

from accounts.models import Notification
from core import clock
from core.errors import Conflict, Invalid, PermissionDenied
from grid import cases, deadlines, queue, roster
from grid.models import Extension, RosterRole
from tests.factories import make_user
from tests.grid.conftest import walk


@pytest.fixture
def officer(session, cast, hasher):
    person = make_user(session, hasher, "li_wangge")
    roster.assign_post(
        session, cast.admin, cell_code=cast.cell.code, username="li_wangge", role=RosterRole.responsible
    )
    return person


def test_an_officer_asks_the_leader_decides_and_the_extension_is_counted(session, cast, officer, reported):
    walk(session, officer, reported, "register", "dispatch")
    later = reported.due_at + timedelta(days=2)
    deadlines.ask_for_time(session, officer, reported.id, due_at=later, reason="需要等配件")
    asked = session.scalars(
        select(Notification.kind).where(Notification.user_id == cast.zhang_wangge.id)
    ).all()
    assert "case_extension_asked" in asked
    with pytest.raises(Conflict):
        deadlines.ask_for_time(session, officer, reported.id, due_at=later, reason="再问一次")
    with pytest.raises(PermissionDenied):
        deadlines.decide(session, officer, reported.id, approve=True)  # never on one's own request
    with pytest.raises(PermissionDenied):
        deadlines.decide(session, cast.wang_ayi, reported.id, approve=True)
    deadlines.decide(session, cast.zhang_wangge, reported.id, approve=True)
    assert (reported.due_at, reported.extensions) == (later, 1)
    told = session.scalars(select(Notification.kind).where(Notification.user_id == officer.id)).all()
    assert "case_extension_decided" in told
    actions = [s.action for s in cases.history(session, reported.id)]
    assert actions[-2:] == ["extension_asked", "extended"]


def test_a_refusal_keeps_the_due_date(session, cast, officer, reported):
    walk(session, officer, reported, "register")
    due = reported.due_at
    deadlines.ask_for_time(session, officer, reported.id, due_at=due + timedelta(days=1), reason="人手不够")
    deadlines.decide(session, cast.admin, reported.id, approve=False, note="请先派遣")
    assert (reported.due_at, reported.extensions) == (due, 0)
    assert session.scalar(select(Extension.approved)) is False
    with pytest.raises(Conflict):
        deadlines.decide(session, cast.admin, reported.id, approve=True)


def test_a_request_needs_a_later_date_a_reason_and_a_working_case(session, cast, officer, reported):
    with pytest.raises(Conflict):
        deadlines.ask_for_time(
            session, officer, reported.id, due_at=clock.now(), reason="x"
        )  # not registered
    walk(session, officer, reported, "register")
    with pytest.raises(Invalid) as refused:
        deadlines.ask_for_time(session, officer, reported.id, due_at=reported.due_at, reason=" ")
    assert set(refused.value.errors) == {"due_at", "reason"}


def test_the_sweep_flags_a_late_case_once_and_tells_the_staff(session, cast, reported):
    walk(session, cast.zhang_wangge, reported, "register", "dispatch")
    assert deadlines.flag_overdue(session, clock.now()) == 0
    late = reported.due_at + timedelta(minutes=1)
    assert deadlines.flag_overdue(session, late) == 1
    assert deadlines.flag_overdue(session, late + timedelta(hours=1)) == 0
    assert reported.overdue_at == late
    told = session.scalars(
        select(Notification.kind).where(Notification.user_id == cast.zhang_wangge.id)
    ).all()
    assert told.count("case_overdue") == 1
    with mock.patch("core.clock.now", return_value=late):
        assert cases.case_view(session, None, reported.id).is_overdue(clock.now())


def test_a_handled_case_is_not_late_any_more(session, cast, reported):
    walk(session, cast.zhang_wangge, reported, "register", "dispatch", "handle")
    assert deadlines.flag_overdue(session, reported.due_at + timedelta(days=1)) == 0
    scope = queue.cells_in_scope(session, cast.zhang_wangge)
    assert queue.counts(session, scope, reported.due_at + timedelta(days=1))[queue.View.overdue] == 0


def test_the_scheduled_sweep_works_in_batches_until_none_is_left(session, sessions, cast, reported):
    walk(session, cast.zhang_wangge, reported, "register", "dispatch")
    session.flush()
    late = reported.due_at + timedelta(minutes=1)
    with mock.patch("core.clock.now", return_value=late), mock.patch.object(deadlines, "OVERDUE_BATCH", 1):
        deadlines.run_flag_overdue(SimpleNamespace(sessions=sessions), {})  # type: ignore[arg-type]
    session.expire_all()
    assert session.get(type(reported), reported.id).overdue_at == late
    assert deadlines.flag_overdue(session, late, limit=1) == 0  # once each
