"""Grid cells: codes, the list, one cell's page, and adding cells.

Read functions for pages are the shape every feature copies (#18): they select the columns the page
shows into small frozen dataclasses, from statements built once at import (bound by parameter), and
never hand a template an ORM object whose relations it could lazy-load. ``get_cell`` returns the ORM
row for services that change it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from core import clock, events
from core.errors import N_, FieldErrors, Invalid, NotFound
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


def cell_choices(session: Session, only: set[int] | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for a cell picker in street and community order (``only``: these cells)."""
    statement = select(GridCell.code, GridCell.street, GridCell.community, GridCell.name).order_by(
        GridCell.code
    )
    if only is not None:
        statement = statement.where(GridCell.id.in_(only))
    rows = session.execute(statement).all()
    return [(code, f"{street} · {community} · {name}") for code, street, community, name in rows]


NEAR_ENOUGH_KM = 5.0  # a report farther than this from every cell centre is not suggested a cell
CENTRES = select(GridCell.id, GridCell.centre_lat, GridCell.centre_lng).where(
    GridCell.centre_lat.is_not(None), GridCell.centre_lng.is_not(None)
)


def nearest_cell(session: Session, lat: float, lng: float) -> int | None:
    """The id of the cell whose centre is nearest a point (within 5 km), for a located report's 立案.

    An equirectangular distance is exact enough at a city's scale; cells are few enough to scan.
    """
    best: tuple[float, int] | None = None
    for cell_id, c_lat, c_lng in session.execute(CENTRES):
        if c_lat is None or c_lng is None:  # CENTRES has none such; the columns' type cannot say so
            continue
        dx = math.radians(c_lng - lng) * math.cos(math.radians((c_lat + lat) / 2))
        km = 6371.0 * math.hypot(dx, math.radians(c_lat - lat))
        if km <= NEAR_ENOUGH_KM and (best is None or km < best[0]):
            best = (km, cell_id)
    return best[1] if best else None


def set_centre(session: Session, code: str, lat: float | None, lng: float | None) -> GridCell:
    """Set or clear a cell's centre point (admins and the demo)."""
    cell = get_cell(session, code)
    if (lat is None) != (lng is None) or (
        lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)
    ):
        raise Invalid(
            "centre", N_("A centre needs a latitude from -90 to 90 and a longitude from -180 to 180.")
        )
    cell.centre_lat, cell.centre_lng = lat, lng
    return cell


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
