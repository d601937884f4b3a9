"""Consultations (协商议题) as search documents: title, question and background. Drafts are the
convener's own until opened, so they are never documents and never results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from deliberation.consultations.models import Consultation, State
from search.registry import Document, Live, Searchable, Watch


def consultation_documents(session: Session, ids: Sequence[int]) -> Mapping[int, Document]:
    rows = session.execute(
        select(
            Consultation.id, Consultation.title, Consultation.question, Consultation.background,
            Consultation.cell_code, Consultation.created_at,
        ).where(Consultation.id.in_(ids), Consultation.state != State.draft)
    )  # fmt: skip
    return {
        row.id: Document(
            title=row.title,
            body=f"{row.question}\n{row.background}",
            updated_at=row.created_at,
            cells=(row.cell_code,) if row.cell_code else (),
        )
        for row in rows
    }


def consultation_live(session: Session, actor: User | None, ids: Sequence[int]) -> Mapping[int, Live]:
    """The stage it is at now; a consultation taken back to draft is nobody's result."""
    rows = session.execute(
        select(
            Consultation.id,
            Consultation.title,
            Consultation.state,
            Consultation.community,
            Consultation.updated_at,
        ).where(Consultation.id.in_(ids), Consultation.state != State.draft)
    )
    return {
        row.id: Live(
            title=row.title,
            link_kind="consultation",
            link_id=row.id,
            state=row.state.label,
            context=row.community,
            when=row.updated_at,
        )
        for row in rows
    }


def consultation_ids(session: Session) -> Iterable[int]:
    return session.scalars(
        select(Consultation.id).where(Consultation.state != State.draft).order_by(Consultation.id)
    )


CONSULTATIONS = Searchable(
    kind="consultation",
    group="consultation",
    watches=(
        Watch(
            Consultation,
            keys=lambda row: [row.id],
            # the stage is shown live; only leaving draft changes what is searchable
            tracked=("title", "question", "background", "cell_code", "state"),
        ),
    ),
    documents=consultation_documents,
    live=consultation_live,
    all_ids=consultation_ids,
)

SEARCHABLES = (CONSULTATIONS,)
