"""The hand-off (转办): what a consultation, a forum thread or a mediation agreed becomes a case, once.

``deliberation`` calls this inside its own transaction, with everyone who took part as followers; the
unique source reference makes a second hand-off of the same thing fail (``Conflict``) even when two
processes press the button at once, and the caller's row lock makes the common case a clear message.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounts.models import User
from core.errors import N_, Invalid
from grid import cases, taxonomy
from grid.cells import find_cell
from grid.models import Case, CaseSource


def hand_off(
    session: Session,
    actor: User | None,
    *,
    source: CaseSource,
    source_ref: str,
    title: str,
    description: str,
    followers: set[int],
    cell_code: str | None = None,
    suggested_cell_code: str | None = None,
    class_id: int | None = None,
    staff_only: bool = False,
    note: str = "",
) -> Case:
    """Open the case for a source's agreement; it waits in the grid's queue as ``reported`` until 立案."""
    category = taxonomy.pick_class(session, class_id) if class_id else None
    cell = find_cell(session, cell_code) if cell_code else None
    suggested = find_cell(session, suggested_cell_code) if suggested_cell_code else None
    if cell_code and cell is None:
        raise Invalid("cell_code", N_("Choose a grid cell from the list."))
    return cases.open_case(
        session,
        actor,
        cases.Opening(
            source=source,
            source_ref=source_ref,
            title=title[: cases.TITLE_MAX],
            description=description,
            class_id=category.id if category else None,
            cell_id=cell.id if cell else None,
            suggested_cell_id=suggested.id if suggested else (cell.id if cell else None),
            staff_only=staff_only,
            followers=followers,
            note=note,
        ),
    )
