"""Who may see and who may work a case.

Cases are public (the queue's public face is Open311) except a mediation's, which grid staff and
admins alone see. Only grid staff of the case's cell (or, before 立案, of the cell it is suggested for)
and admins move a case.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import is_admin
from core.errors import NotFound, PermissionDenied
from grid.models import Case, RosterEntry, RosterRole


class CaseLike(Protocol):
    """A case as a row or a page's view: what deciding who may see or work it needs."""

    @property
    def cell_id(self) -> int | None: ...

    @property
    def suggested_cell_id(self) -> int | None: ...

    @property
    def staff_only(self) -> bool: ...


STAFFED = "gongzhi_staffed_cells"


def staffed_cells(session: Session, user: User | None) -> set[int]:
    """The cells a person holds a roster post in (asked once per session: a page asks it often)."""
    if user is None or not user.is_active:
        return set()
    known: dict[int, set[int]] = session.info.setdefault(STAFFED, {})
    if user.id not in known:
        statement = select(RosterEntry.cell_id).where(RosterEntry.user_id == user.id)
        known[user.id] = set(session.scalars(statement))
    return set(known[user.id])


def forget_staffed_cells(session: Session) -> None:
    """After a roster change: the next question reads the roster again."""
    session.info.pop(STAFFED, None)


def led_cells(session: Session, user: User | None) -> set[int]:
    """The cells a person is 网格长 of (who decides a request for more time)."""
    if user is None or not user.is_active:
        return set()
    statement = select(RosterEntry.cell_id).where(
        RosterEntry.user_id == user.id, RosterEntry.role == RosterRole.leader
    )
    return set(session.scalars(statement))


def _case_cell(case: CaseLike) -> int | None:
    return case.cell_id if case.cell_id is not None else case.suggested_cell_id


def can_work_in(session: Session, actor: User | None, cell_id: int | None) -> bool:
    """Admins anywhere; grid staff in the cells they staff."""
    if is_admin(actor):
        return True
    return cell_id is not None and cell_id in staffed_cells(session, actor)


def can_work(session: Session, actor: User | None, case: CaseLike) -> bool:
    """Admins, and grid staff of the case's cell (before 立案: of its suggested cell)."""
    return can_work_in(session, actor, _case_cell(case))


def can_view(session: Session, actor: User | None, case: CaseLike) -> bool:
    """Everyone sees a case but a mediation's, which only those who may work it see."""
    return not case.staff_only or can_work(session, actor, case)


def get_case(session: Session, case_id: int, *, lock: bool = False) -> Case:
    found = session.get(Case, case_id, with_for_update=lock)
    if found is None:
        raise NotFound()
    return found


def access_to_view(session: Session, actor: User | None, case_id: int) -> Case:
    """The case if ``actor`` may see it; ``NotFound`` otherwise (a private case's existence is private)."""
    case = get_case(session, case_id)
    if not can_view(session, actor, case):
        raise NotFound()
    return case


def access_to_work(session: Session, actor: User | None, case_id: int) -> Case:
    """The case, locked, if ``actor`` may move it; ``NotFound`` or ``PermissionDenied`` otherwise."""
    case = get_case(session, case_id, lock=True)
    if not can_view(session, actor, case):
        raise NotFound()
    if not can_work(session, actor, case):
        raise PermissionDenied()
    assert actor is not None
    return case
