"""The grid staff's queue (案件队列): the cases of the cells a person staffs (every cell for admins),
as views — new, due soon, overdue, waiting for the check, all open, or one state — with their counts.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import is_admin
from core import site_settings
from core.db import rows_as
from core.errors import N_, PermissionDenied
from core.pages import Page, paginate
from grid import access, cases
from grid.models import Case, CaseState, GridCell

site_settings.int_setting(
    "grid.due_soon_hours",
    24,
    1,
    720,
    N_("Hours before its due date a case shows as due soon"),
)


class View(enum.Enum):
    new = "new"
    due_soon = "due_soon"
    overdue = "overdue"
    to_check = "to_check"
    open = "open"

    @property
    def label(self) -> str:
        return VIEW_LABELS[self]


VIEW_LABELS = {
    View.new: N_("New"),
    View.due_soon: N_("Due soon"),
    View.overdue: N_("Overdue"),
    View.to_check: N_("To check"),
    View.open: N_("All open"),
}


def _conditions(now: datetime, soon: datetime) -> dict[View, ColumnElement[bool]]:
    working = Case.state.in_(cases.WORKING)
    return {
        View.new: Case.state == CaseState.reported,
        View.due_soon: and_(working, Case.due_at >= now, Case.due_at < soon),
        View.overdue: and_(working, Case.due_at < now),
        View.to_check: Case.state.in_((CaseState.handled, CaseState.verified)),
        View.open: Case.state.not_in((CaseState.closed, CaseState.rejected)),
    }


def _in_cells(cell_ids: set[int] | None) -> ColumnElement[bool]:
    """Cases of these cells; before 立案 a case counts in the cell it is suggested for."""
    if cell_ids is None:
        return Case.id.is_not(None)
    return or_(Case.cell_id.in_(cell_ids), and_(Case.cell_id.is_(None), Case.suggested_cell_id.in_(cell_ids)))


def cells_in_scope(session: Session, actor: User | None, cell_code: str = "") -> set[int] | None:
    """The cells the queue shows (None: every cell, for an admin who picked none); ``PermissionDenied``
    for someone who staffs no cell or picks one they do not staff."""
    staffed = access.staffed_cells(session, actor)
    if not is_admin(actor) and not staffed:
        raise PermissionDenied()
    if cell_code:
        cell_id = session.scalar(select(GridCell.id).where(GridCell.code == cell_code))
        if cell_id is None or not access.can_work_in(session, actor, cell_id):
            raise PermissionDenied()
        return {cell_id}
    return None if is_admin(actor) else staffed


def _soon(session: Session, now: datetime) -> datetime:
    """The end of "due soon"; the setting is read once per session, as the queue and its counts both ask."""
    hours = session.info.get("grid.due_soon_hours")
    if hours is None:
        hours = session.info["grid.due_soon_hours"] = site_settings.get(session, "grid.due_soon_hours")
    return now + timedelta(hours=hours)


def counts(session: Session, cell_ids: set[int] | None, now: datetime) -> dict[View, int]:
    """How many cases each view holds, in one query."""
    conditions = _conditions(now, _soon(session, now))
    columns = [func.coalesce(func.sum(case((c, 1), else_=0)), 0) for c in conditions.values()]
    row = session.execute(select(*columns).where(_in_cells(cell_ids))).one()
    return dict(zip(conditions, (int(n) for n in row), strict=True))


def queue(
    session: Session,
    cell_ids: set[int] | None,
    *,
    view: View = View.open,
    state: CaseState | None = None,
    now: datetime,
    page: int = 1,
    per_page: int = 30,
) -> Page[cases.CaseRow]:
    """One view of the queue: the most urgent first (the nearest due date, then the oldest report)."""
    statement = cases.ROWS.where(_in_cells(cell_ids), _conditions(now, _soon(session, now))[view])
    if state is not None:
        statement = statement.where(Case.state == state)
    statement = statement.order_by(Case.due_at.is_(None), Case.due_at, Case.created_at, Case.id)
    found = paginate(session, statement, page=page, per_page=per_page, rows=True)
    return Page(rows_as(cases.CaseRow, found.items), found.number, found.per_page, found.total)
