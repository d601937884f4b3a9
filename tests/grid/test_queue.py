"""The staff queue's views and counts, and who may open it."""

from datetime import timedelta

import pytest

from core import clock
from core.errors import PermissionDenied
from grid import queue
from tests.factories import make_cell
from tests.grid.conftest import report, walk

V = queue.View


def test_each_view_holds_what_it_says(session, cast):
    new = report(session, cast, ref="new")
    working = walk(session, cast.zhang_wangge, report(session, cast, ref="w"), "register", "dispatch")
    checking = walk(
        session, cast.zhang_wangge, report(session, cast, ref="c"), "register", "dispatch", "handle"
    )
    scope = queue.cells_in_scope(session, cast.zhang_wangge)
    now = clock.now()

    def ids(view, at=now):
        return {c.id for c in queue.queue(session, scope, view=view, now=at)}

    assert ids(V.new) == {new.id}
    assert ids(V.to_check) == {checking.id}
    assert ids(V.open) == {new.id, working.id, checking.id}
    assert ids(V.overdue) == set() and ids(V.due_soon) == set()  # 72 hours to go, 24 is "soon"
    assert ids(V.due_soon, working.due_at - timedelta(hours=2)) == {working.id}
    assert ids(V.overdue, working.due_at + timedelta(hours=1)) == {working.id}
    counts = queue.counts(session, scope, now)
    assert counts == {V.new: 1, V.due_soon: 0, V.overdue: 0, V.to_check: 1, V.open: 3}


def test_only_staff_and_admins_have_a_queue_and_staff_see_their_cells(session, cast):
    other = make_cell(session)
    report(session, cast, ref="mine")
    with pytest.raises(PermissionDenied):
        queue.cells_in_scope(session, cast.wang_ayi)
    with pytest.raises(PermissionDenied):
        queue.cells_in_scope(session, cast.zhang_wangge, other.code)
    assert queue.cells_in_scope(session, cast.zhang_wangge) == {cast.cell.id}
    assert queue.cells_in_scope(session, cast.admin) is None
    assert queue.cells_in_scope(session, cast.admin, other.code) == {other.id}
    assert queue.counts(session, {other.id}, clock.now())[V.open] == 0
