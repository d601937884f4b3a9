"""Grid cells: codes, listing, and one cell with its roster."""

from __future__ import annotations

import re

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from core import clock
from core.errors import N_, FieldErrors, NotFound
from grid.models import GridCell, RosterEntry

CODE_RE = re.compile(r"^\d{15}$")


def is_cell_code(code: str) -> bool:
    """True for a well-formed 15-digit unit-grid code."""
    return bool(CODE_RE.match(code))


def get_cell(session: Session, code: str) -> GridCell:
    """The cell with ``code`` and its roster (people loaded), or ``NotFound``."""
    if not is_cell_code(code):
        raise NotFound()
    cell = session.scalar(
        select(GridCell)
        .where(GridCell.code == code)
        .options(selectinload(GridCell.roster).joinedload(RosterEntry.user))
    )
    if cell is None:
        raise NotFound()
    return cell


def find_cell(session: Session, code: str) -> GridCell | None:
    if not is_cell_code(code):
        return None
    return session.scalar(select(GridCell).where(GridCell.code == code))


def list_cells(session: Session, *, query: str = "") -> list[GridCell]:
    """All cells in code order (west to east, north to south), optionally filtered by name or code."""
    statement = select(GridCell).order_by(GridCell.code)
    if query:
        pattern = f"%{query.strip()}%"
        statement = statement.where(
            or_(
                GridCell.name.like(pattern),
                GridCell.code.like(pattern),
                GridCell.street.like(pattern),
                GridCell.community.like(pattern),
            )
        )
    return list(session.scalars(statement))


def cell_choices(session: Session) -> list[tuple[str, str]]:
    """(code, label) pairs for a home-cell picker, grouped order by street and community."""
    rows = session.execute(
        select(GridCell.code, GridCell.street, GridCell.community, GridCell.name).order_by(GridCell.code)
    ).all()
    return [(code, f"{street} · {community} · {name}") for code, street, community, name in rows]


def count_cells(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(GridCell)) or 0


def add_cell(
    session: Session,
    *,
    code: str,
    name: str,
    street: str,
    community: str,
    scope: str = "",
    patrol: str = "",
    duties: str = "",
    standards: str = "",
) -> GridCell:
    """Create a cell (划分网格); ``Invalid`` for a malformed or taken code. Used by admins and the demo."""
    errors = FieldErrors()
    if not is_cell_code(code):
        errors.add("code", N_("A grid code has exactly 15 digits."))
    elif find_cell(session, code) is not None:
        errors.add("code", N_("A grid cell with this code exists already."))
    for field, value in (("name", name), ("street", street), ("community", community)):
        if not value.strip():
            errors.add(field, N_("This field is required."))
    errors.raise_if_any()
    cell = GridCell(
        code=code,
        name=name.strip(),
        street=street.strip(),
        community=community.strip(),
        scope=scope,
        patrol=patrol,
        duties=duties,
        standards=standards,
        created_at=clock.now(),
    )
    session.add(cell)
    return cell
