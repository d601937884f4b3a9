"""Votes (同意 / 不同意 / 跳过): one per participant and statement, changed in place while views are
collected, each with the voter's stakeholder group at that moment; and the next card to show."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from accounts.models import StakeholderGroup, User
from core import clock
from core.errors import N_, Invalid, NotFound
from deliberation.merging.access import find_participant, open_for_votes, participant_for
from deliberation.merging.models import Merge, Statement, Vote, VoteValue
from deliberation.merging.priority import Candidate, next_card
from deliberation.merging.refresh import counted, schedule_refresh
from deliberation.merging.upserts import upsert

CHOICES = {"agree": VoteValue.agree, "disagree": VoteValue.disagree, "pass": VoteValue.pass_}


def cast_vote(
    session: Session, actor: User | None, consultation_id: int, statement_id: int, choice: str
) -> VoteValue:
    """Vote on a shown statement (投票); voting again changes the vote. Closed once deliberation starts."""
    consultation, user = open_for_votes(session, actor, consultation_id)
    value = CHOICES.get(choice)
    if value is None:
        raise Invalid("vote", N_("Choose agree, disagree or pass."))
    if statement_id not in shown_ids(session, consultation.id, [statement_id]):
        raise NotFound()
    participant = participant_for(session, consultation.id, user)
    record_vote(session, consultation.id, statement_id, participant, value, user.group)
    schedule_refresh(session, consultation.id)
    return value


def record_vote(
    session: Session,
    consultation_id: int,
    statement_id: int,
    participant_id: int,
    value: VoteValue,
    group: StakeholderGroup | None,
) -> None:
    """Insert or change one vote in a single statement: two votes sent at once leave one row (the
    primary key), the later one's value."""
    values = {
        "statement_id": statement_id,
        "participant_id": participant_id,
        "consultation_id": consultation_id,
        "value": int(value),
        "stakeholder_group": group,
        "cast_at": clock.now(),
    }
    record_votes(session, [values])


def record_votes(session: Session, rows: list[dict[str, Any]]) -> None:
    """Upsert votes given by column name, in one statement: Pol.is imports use this too."""
    upsert(
        session,
        Vote,
        rows,
        ["statement_id", "participant_id"],
        ["value", "stakeholder_group", "cast_at"],
    )


def shown_ids(session: Session, consultation_id: int, ids: list[int] | None = None) -> set[int]:
    merge = session.get(Merge, consultation_id)
    query = select(Statement.id).where(
        Statement.consultation_id == consultation_id, counted(bool(merge and merge.require_approval))
    )
    if ids is not None:
        query = query.where(Statement.id.in_(ids))
    return set(session.scalars(query))


@dataclass(frozen=True)
class Card:
    """The statement to vote on next, and how far the voter has come."""

    statement_id: int | None
    text: str
    voted: int
    total: int
    own_vote: VoteValue | None = None

    @property
    def done(self) -> bool:
        return self.statement_id is None


def next_statement(
    session: Session, viewer: User | None, consultation_id: int, rng: random.Random | None = None
) -> Card:
    """The next card for ``viewer``: a shown statement they have not voted on, drawn by Pol.is priority
    (a visitor gets one too, to read; voting asks them to log in)."""
    merge = session.get(Merge, consultation_id)
    participant = find_participant(session, consultation_id, viewer)
    mine = select(Vote.statement_id).where(Vote.participant_id == (participant or 0))
    counts = (
        select(
            Statement.id,
            Statement.text,
            func.count(Vote.participant_id),
            func.coalesce(func.sum(case((Vote.value == 1, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Vote.value == 0, 1), else_=0)), 0),
            Statement.id.in_(mine),
        )
        .outerjoin(Vote, Vote.statement_id == Statement.id)
        .where(Statement.consultation_id == consultation_id, counted(bool(merge and merge.require_approval)))
        .group_by(Statement.id, Statement.text)
    )
    rows = session.execute(counts).all()
    extremity = _extremity(merge)
    texts = {sid: text for sid, text, *_ in rows}
    open_ = [
        Candidate(sid, agree, passes, seen, extremity.get(str(sid), 0.0))
        for sid, _, seen, agree, passes, voted in rows
        if not voted
    ]
    chosen = next_card(open_, rng)
    return Card(chosen, texts.get(chosen, "") if chosen else "", len(rows) - len(open_), len(rows))


def card_for(session: Session, viewer: User | None, consultation_id: int, statement_id: int) -> Card:
    """One given statement as a card (to change a vote already cast), or ``NotFound``."""
    shown = shown_ids(session, consultation_id)
    if statement_id not in shown:
        raise NotFound()
    participant = find_participant(session, consultation_id, viewer) or 0
    own_vote = (
        select(Vote.value)
        .where(Vote.statement_id == Statement.id, Vote.participant_id == participant)
        .scalar_subquery()
    )
    voted = (
        select(func.count())
        .select_from(Vote)
        .where(Vote.participant_id == participant, Vote.statement_id.in_(shown))
        .scalar_subquery()
    )
    text, own, count = session.execute(
        select(Statement.text, own_vote, voted).where(Statement.id == statement_id)
    ).one()
    return Card(statement_id, text, count, len(shown), VoteValue(own) if own is not None else None)


def _extremity(merge: Merge | None) -> dict[str, float]:
    """Each statement's extremity from the cached analysis (0 before the first refresh)."""
    if merge is None or not merge.report:
        return {}
    return {sid: float(s.get("extremity", 0.0)) for sid, s in merge.report.get("statements", {}).items()}


def votes_of(session: Session, viewer: User | None, consultation_id: int) -> list[tuple[int, str, VoteValue]]:
    """The viewer's votes in this merge (statement, text, vote), newest first: to look back and change."""
    participant = find_participant(session, consultation_id, viewer)
    if participant is None:
        return []
    rows = session.execute(
        select(Statement.id, Statement.text, Vote.value)
        .join(Vote, Vote.statement_id == Statement.id)
        .where(Vote.participant_id == participant)
        .order_by(Vote.cast_at.desc())
    )
    return [(sid, text, VoteValue(value)) for sid, text, value in rows]
