"""Grid cells: codes, the list, one cell's page, and adding cells.

Read functions for pages are the shape every feature copies (#18): they select the columns the page
shows into small frozen dataclasses, from statements built once at import (bound by parameter), and
never hand a template an ORM object whose relations it could lazy-load. ``get_cell`` returns the ORM
row for services that change it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from core import clock, events
from core.errors import N_, FieldErrors, NotFound
from grid.models import GridCell, Residence

CODE_RE = re.compile(r"^\d{15}$")


def is_cell_code(code: str) -> bool:
    """True for a well-formed 15-digit unit-grid code."""
    return bool(CODE_RE.match(code))


@dataclass(frozen=True)
class CellAdded:
    """Published when a cell is created (划分网格): other features give it what it needs, such as a board."""

    cell_id: int
    code: str
    name: str


@dataclass(frozen=True)
class CellSummary:
    """A cell as lists show it."""

    id: int
    code: str
    name: str
    street: str
    community: str


@dataclass(frozen=True)
class CellDetail(CellSummary):
    """A cell as its own page shows it: 网格六定's fixed scope, duties, standards and patrols."""

    scope: str
    patrol: str
    duties: str
    standards: str
    resident_count: int


SUMMARY = (GridCell.id, GridCell.code, GridCell.name, GridCell.street, GridCell.community)
LIST = select(*SUMMARY).order_by(GridCell.code)
RESIDENTS = select(func.count()).where(Residence.cell_id == GridCell.id).scalar_subquery()
DETAIL = select(
    *SUMMARY, GridCell.scope, GridCell.patrol, GridCell.duties, GridCell.standards, RESIDENTS
).where(GridCell.code == bindparam("code"))
COUNT = select(func.count()).select_from(GridCell)


def cell_detail(session: Session, code: str) -> CellDetail:
    """One cell's page, its residents counted, in one query; ``NotFound`` for an unknown code."""
    row = session.execute(DETAIL, {"code": code}).first() if is_cell_code(code) else None
    if row is None:
        raise NotFound()
    return CellDetail(*row)


def get_cell(session: Session, code: str) -> GridCell:
    """The cell with ``code`` as an ORM row, for services that change it; ``NotFound`` otherwise."""
    cell = find_cell(session, code)
    if cell is None:
        raise NotFound()
    return cell


def find_cell(session: Session, code: str) -> GridCell | None:
    if not is_cell_code(code):
        return None
    return session.scalar(select(GridCell).where(GridCell.code == code))


def list_cells(session: Session, *, query: str = "") -> list[CellSummary]:
    """All cells in code order (west to east, north to south), optionally filtered by name or code."""
    statement = LIST
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
    return [CellSummary(*row) for row in session.execute(statement)]


def cell_choices(session: Session) -> list[tuple[str, str]]:
    """(code, label) pairs for a home-cell picker, grouped order by street and community."""
    rows = session.execute(
        select(GridCell.code, GridCell.street, GridCell.community, GridCell.name).order_by(GridCell.code)
    ).all()
    return [(code, f"{street} · {community} · {name}") for code, street, community, name in rows]


def count_cells(session: Session) -> int:
    return session.scalar(COUNT) or 0


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
    session.flush()  # subscribers name the new cell by id
    events.publish(session, CellAdded(cell.id, cell.code, cell.name))
    return cell
