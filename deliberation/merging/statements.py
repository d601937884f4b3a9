"""Statements (观点): written by participants while views are collected, moderated by the committee,
and hinted at while writing when an existing one says much the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.notifications import define_kind, notify
from core import audit, clock
from core.errors import N_, FieldErrors, Invalid, NotFound
from deliberation.merging import voting
from deliberation.merging.access import access_to_moderate, ensure_merge, open_for_votes, participant_for
from deliberation.merging.models import (
    STATEMENT_MAX,
    Merge,
    Participant,
    Statement,
    StatementStatus,
    Vote,
    VoteValue,
)
from deliberation.merging.refresh import counted, schedule_refresh
from deliberation.merging.similarity import Similar, most_similar

define_kind(
    "merge_statement_accepted",
    N_("The committee accepted a statement I wrote"),
    N_("Your statement «%(text)s» was accepted."),
    target="merge",
)
define_kind(
    "merge_statement_rejected",
    N_("The committee rejected a statement I wrote"),
    N_("Your statement «%(text)s» was not kept: %(reason)s."),
    target="merge",
)
MODERATIONS = {
    "accept": StatementStatus.accepted,
    "duplicate": StatementStatus.duplicate,
    "off_topic": StatementStatus.off_topic,
}


def write_statement(session: Session, actor: User | None, consultation_id: int, text: str) -> Statement:
    """Add a statement (写观点) while views are collected; its author agrees with it, as in Pol.is."""
    consultation, user = open_for_votes(session, actor, consultation_id)
    text = " ".join(text.split())
    errors = FieldErrors()
    if not text:
        errors.add("text", N_("Write your statement first."))
    elif len(text) > STATEMENT_MAX:
        errors.add("text", N_("At most %(max)s characters."), max=STATEMENT_MAX)
    errors.raise_if_any()
    author = participant_for(session, consultation.id, user)
    statement = Statement(
        consultation_id=consultation.id, author_id=author, text=text, created_at=clock.now()
    )
    session.add(statement)
    session.flush()  # the author's own vote names it
    voting.record_vote(session, consultation.id, statement.id, author, VoteValue.agree, user.group)
    schedule_refresh(session, consultation.id)
    return statement


def similar_statements(session: Session, consultation_id: int, draft: str) -> list[Similar]:
    """Shown statements of this merge that say much the same as ``draft`` (vote on them instead)."""
    merge = session.get(Merge, consultation_id)
    shown = session.execute(
        select(Statement.id, Statement.text).where(
            Statement.consultation_id == consultation_id, counted(bool(merge and merge.require_approval))
        )
    ).all()
    return most_similar(draft, [(sid, text) for sid, text in shown])


def moderate(
    session: Session, actor: User | None, consultation_id: int, statement_id: int, action: str
) -> Statement:
    """Accept a statement or reject it as a duplicate or off topic (审核); the author is told. A rejected
    statement leaves the cards and the analysis; a later decision may overrule an earlier one."""
    consultation = access_to_moderate(session, actor, consultation_id)
    status = MODERATIONS.get(action)
    if status is None:
        raise Invalid("action", N_("Choose accept, duplicate or off topic."))
    statement = session.get(Statement, statement_id, with_for_update=True)
    if statement is None or statement.consultation_id != consultation.id:
        raise NotFound()
    if statement.status is status:
        return statement  # pressed twice: nothing new to tell
    statement.status, statement.moderated_at = status, clock.now()
    statement.moderated_by_id = actor.id if actor else None
    _tell_author(session, statement, consultation.id)
    audit.record(
        session, actor, "merge.moderate", "merge", consultation.id, statement.text[:80], status=status.value
    )
    schedule_refresh(session, consultation.id)
    return statement


def _tell_author(session: Session, statement: Statement, consultation_id: int) -> None:
    author = session.scalar(select(Participant.user_id).where(Participant.id == statement.author_id))
    if author is None:  # imported, or written by no one we know
        return
    params = {"text": _short(statement.text)}
    if statement.status is StatementStatus.accepted:
        notify(session, [author], "merge_statement_accepted", "merge", consultation_id, params)
    else:
        reason = statement.status.label
        notify(
            session,
            [author],
            "merge_statement_rejected",
            "merge",
            consultation_id,
            params | {"reason": reason},
        )


def _short(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def require_approval(session: Session, actor: User | None, consultation_id: int, required: bool) -> Merge:
    """Show new statements only after the committee accepts them (先审后发), or at once."""
    consultation = access_to_moderate(session, actor, consultation_id)
    merge = ensure_merge(session, consultation.id)
    if merge.require_approval != required:
        merge.require_approval = required
        audit.record(session, actor, "merge.approval", "merge", consultation.id, required=required)
        schedule_refresh(session, consultation.id)
    return merge


@dataclass(frozen=True)
class QueueRow:
    """A statement as the moderation queue shows it."""

    id: int
    text: str
    status: StatementStatus
    created_at: datetime
    author_name: str | None
    votes: int


def moderation_queue(session: Session, consultation_id: int) -> list[QueueRow]:
    """Every statement of the merge, those awaiting review first, newest first within each."""
    votes = (
        select(func.count()).where(Vote.statement_id == Statement.id).correlate(Statement).scalar_subquery()
    )
    rows = session.execute(
        select(
            Statement.id,
            Statement.text,
            Statement.status,
            Statement.created_at,
            User.display_name,
            User.username,
            votes,
        )
        .outerjoin(Participant, Participant.id == Statement.author_id)
        .outerjoin(User, User.id == Participant.user_id)
        .where(Statement.consultation_id == consultation_id)
        .order_by((Statement.status == StatementStatus.pending).desc(), Statement.id.desc())
    )
    return [
        QueueRow(sid, text, status, at, (name or username) if username else None, n)
        for sid, text, status, at, name, username, n in rows
    ]


def shown_statement(session: Session, consultation_id: int, statement_id: int) -> Statement:
    """A statement people may vote on now, or ``NotFound`` (rejected, awaiting approval, elsewhere)."""
    merge = session.get(Merge, consultation_id)
    found = session.scalar(
        select(Statement).where(
            Statement.id == statement_id,
            Statement.consultation_id == consultation_id,
            counted(bool(merge and merge.require_approval)),
        )
    )
    if found is None:
        raise NotFound()
    return found
