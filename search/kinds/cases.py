"""Public grid cases (网格案件) as search documents: title, description and address. A mediation's case is
staff only: it is never a document, so never a result, whoever searches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from accounts.models import User
from grid.models import Case, GridCell
from search.registry import Document, Live, Searchable, Watch

_cell = aliased(GridCell)


def case_documents(session: Session, ids: Sequence[int]) -> Mapping[int, Document]:
    rows = session.execute(
        select(Case.id, Case.title, Case.description, Case.address, Case.created_at, _cell.code)
        .outerjoin(_cell, _cell.id == func.coalesce(Case.cell_id, Case.suggested_cell_id))
        .where(Case.id.in_(ids), Case.staff_only.is_(False))
    )
    return {
        row.id: Document(
            title=row.title,
            body=f"{row.description}\n{row.address}",
            updated_at=row.created_at,
            cells=(row.code,) if row.code else (),
        )
        for row in rows
    }


def case_live(session: Session, actor: User | None, ids: Sequence[int]) -> Mapping[int, Live]:
    """Its stage now; checked again here so a case made staff only since it was indexed never shows."""
    rows = session.execute(
        select(Case.id, Case.title, Case.state, Case.address, Case.updated_at, GridCell.name)
        .outerjoin(GridCell, GridCell.id == Case.cell_id)
        .where(Case.id.in_(ids), Case.staff_only.is_(False))
    )
    return {
        row.id: Live(
            title=row.title,
            link_kind="grid_case",
            link_id=row.id,
            state=row.state.label,
            context=row.name or row.address,
            when=row.updated_at,
        )
        for row in rows
    }


def case_ids(session: Session) -> Iterable[int]:
    return session.scalars(select(Case.id).where(Case.staff_only.is_(False)).order_by(Case.id))


CASES = Searchable(
    kind="grid_case",
    group="case",
    watches=(
        Watch(
            Case,
            keys=lambda row: [row.id],
            # the stage is read live; what is indexed is the text, the cell and whether it is public
            tracked=("title", "description", "address", "cell_id", "suggested_cell_id", "staff_only"),
        ),
    ),
    documents=case_documents,
    live=case_live,
    all_ids=case_ids,
)

SEARCHABLES = (CASES,)
