"""The merges' area on the home page: for a signed-in person, the merges with statements that await
their vote; a visitor is invited to log in (no query)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from accounts.models import User
from deliberation.consultations.models import Consultation, State
from deliberation.merging.models import Merge, Participant, Statement, StatementStatus, Vote


@dataclass(frozen=True)
class Waiting:
    consultation_id: int
    title: str
    statements: int  # shown statements the viewer has not voted on


def awaiting_votes(session: Session, viewer: User, limit: int = 5) -> list[Waiting]:
    """Merges collecting views with statements ``viewer`` has not voted on, the most waiting first."""
    voted = (
        select(Vote.statement_id)
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Participant.user_id == viewer.id)
    )
    shown = or_(
        Statement.status == StatementStatus.accepted,
        and_(Statement.status == StatementStatus.pending, Merge.require_approval.is_(False)),
    )
    waiting = func.count(Statement.id)
    rows = session.execute(
        select(Consultation.id, Consultation.title, waiting)
        .join(Merge, Merge.consultation_id == Consultation.id)
        .join(Statement, Statement.consultation_id == Consultation.id)
        .where(Consultation.state == State.collecting, shown, Statement.id.not_in(voted))
        .group_by(Consultation.id, Consultation.title)
        .order_by(waiting.desc(), Consultation.id)
        .limit(limit)
    )
    return [Waiting(cid, title, n) for cid, title, n in rows]


def home_summary(session: Session, viewer: User | None) -> dict[str, Any]:
    """What the home page's merge card shows."""
    return {"waiting": awaiting_votes(session, viewer) if viewer is not None else []}


@dataclass(frozen=True)
class TakenPart:
    """A merge a person wrote in or voted in, for their 我的参与 page."""

    consultation_id: int
    title: str
    state: State
    statements: int  # hers, rejected ones included: she wrote them
    votes: int


def taken_part(session: Session, user_id: int, *, limit: int = 20) -> list[TakenPart]:
    """The merges a person took part in, with how many statements she wrote and votes she cast there."""
    written = (  # a statement's author is a merge participant, the person's row in that merge
        select(Statement.consultation_id, func.count().label("n"))
        .join(Participant, Participant.id == Statement.author_id)
        .where(Participant.user_id == user_id)
        .group_by(Statement.consultation_id)
        .subquery()
    )
    voted = (
        select(Vote.consultation_id, func.count().label("n"))
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Participant.user_id == user_id)
        .group_by(Vote.consultation_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Consultation.id,
            Consultation.title,
            Consultation.state,
            func.coalesce(written.c.n, 0),
            func.coalesce(voted.c.n, 0),
        )
        .outerjoin(written, written.c.consultation_id == Consultation.id)
        .outerjoin(voted, voted.c.consultation_id == Consultation.id)
        .where(or_(written.c.n.is_not(None), voted.c.n.is_not(None)))
        .order_by(Consultation.updated_at.desc())
        .limit(limit)
    )
    return [TakenPart(*row) for row in rows]
