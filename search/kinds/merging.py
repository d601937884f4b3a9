"""Merge statements (四意合一的观点) as search documents. A statement rejected as a duplicate or off
topic leaves the merge, and one waiting for approval where the committee requires it is not shown
yet: neither is a document. A result opens the consultation's merge."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from accounts.models import User
from deliberation.consultations.models import Consultation, State
from deliberation.merging.models import Merge, Statement, StatementStatus
from search.registry import Document, Live, Searchable, Watch


def _shown() -> ColumnElement[bool]:
    return and_(
        Consultation.state != State.draft,
        or_(
            Statement.status == StatementStatus.accepted,
            and_(Statement.status == StatementStatus.pending, Merge.require_approval.is_(False)),
        ),
    )


def _joined(*columns: Any) -> Select[Any]:
    return (
        select(*columns)
        .join(Merge, Merge.consultation_id == Statement.consultation_id)
        .join(Consultation, Consultation.id == Statement.consultation_id)
    )


def statement_documents(session: Session, ids: Sequence[int]) -> Mapping[int, Document]:
    rows = session.execute(
        _joined(Statement.id, Statement.text, Statement.created_at, Consultation.cell_code).where(
            Statement.id.in_(ids), _shown()
        )
    )
    return {
        row.id: Document(
            title=row.text,
            body="",
            updated_at=row.created_at,
            cells=(row.cell_code,) if row.cell_code else (),
        )
        for row in rows
    }


def statement_live(session: Session, actor: User | None, ids: Sequence[int]) -> Mapping[int, Live]:
    """The statement as it reads now, under its consultation and the stage that is at."""
    rows = session.execute(
        _joined(Statement.id, Statement.text, Consultation.id.label("cid"), Consultation.title,
                Consultation.state, Statement.created_at).where(Statement.id.in_(ids), _shown())
    )  # fmt: skip
    return {
        row.id: Live(
            title=row.text,
            link_kind="merge",
            link_id=row.cid,
            state=row.state.label,
            context=row.title,
            when=row.created_at,
        )
        for row in rows
    }


def statement_ids(session: Session) -> Iterable[int]:
    return session.scalars(_joined(Statement.id).where(_shown()).order_by(Statement.id))


STATEMENTS = Searchable(
    kind="merge_statement",
    group="consultation",
    # Turning "approval first" on or off is not watched (a watch sees one row, not the merge's
    # statements): results stay right because ``live`` checks again; the next rebuild tidies the index.
    watches=(Watch(Statement, keys=lambda row: [row.id], tracked=("text", "status")),),
    documents=statement_documents,
    live=statement_live,
    all_ids=statement_ids,
)

SEARCHABLES = (STATEMENTS,)
