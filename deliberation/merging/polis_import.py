"""Votes imported from a Pol.is export (导入 Pol.is 投票), so an offline or earlier consultation is merged
too. Imported voters are merge participants without an account: an external id and the stakeholder
group the groups file declares (a Pol.is ``group-id`` names no stakeholder group, so it gives none).
Statements are matched by their Pol.is comment-id, with their text from ``comments.csv`` when given.
Importing the same files again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import StakeholderGroup, User
from core import audit, clock
from core.errors import Invalid
from deliberation.merging import polis_files
from deliberation.merging.access import access_to_moderate, ensure_merge
from deliberation.merging.models import Participant, Statement, StatementStatus
from deliberation.merging.refresh import schedule_refresh
from deliberation.merging.upserts import insert_ignoring
from deliberation.merging.votes import VoteTable
from deliberation.merging.voting import record_votes

BATCH = 1000  # votes per upsert statement


@dataclass(frozen=True)
class Imported:
    votes: int
    participants: int
    statements: int


def import_polis(
    session: Session,
    actor: User | None,
    consultation_id: int,
    *,
    votes: tuple[str, str],
    groups: tuple[str, str] | None = None,
    comments: tuple[str, str] | None = None,
) -> Imported:
    """Import a Pol.is ``votes.csv`` (name, text), with an optional groups file and ``comments.csv``.

    A file that cannot be read raises ``Invalid`` on its field, naming the line and why, before any write.
    """
    consultation = access_to_moderate(session, actor, consultation_id)
    table, group_of, texts = _read(votes, groups, comments)
    ensure_merge(session, consultation.id)
    statement_ids = _statements(session, consultation.id, table.statement_ids, texts)
    participant_ids = _participants(session, consultation.id, table.participant_ids, group_of)
    now = clock.now()
    rows: list[dict[str, object]] = [
        {
            "statement_id": statement_ids[table.statement_ids[s]],
            "participant_id": participant_ids[table.participant_ids[p]],
            "consultation_id": consultation.id,
            "value": v,
            "stakeholder_group": _group(group_of.get(table.participant_ids[p])),
            "cast_at": now,
        }
        for p, s, v in zip(
            table.participant.tolist(), table.statement.tolist(), table.vote.tolist(), strict=True
        )
    ]
    for start in range(0, len(rows), BATCH):
        record_votes(session, rows[start : start + BATCH])
    schedule_refresh(session, consultation.id)
    done = Imported(len(rows), len(participant_ids), len(statement_ids))
    audit.record(session, actor, "merge.import", "merge", consultation.id, votes[0], votes=done.votes)
    return done


def _read(
    votes: tuple[str, str], groups: tuple[str, str] | None, comments: tuple[str, str] | None
) -> tuple[VoteTable, dict[str, str], dict[str, str]]:
    try:
        table = polis_files.parse_votes(*votes)
    except polis_files.PolisFileError as error:
        raise Invalid("votes", error.message.key, **error.message.params) from None
    try:
        group_of = polis_files.parse_groups(*groups) if groups else {}
    except polis_files.PolisFileError as error:
        raise Invalid("groups", error.message.key, **error.message.params) from None
    try:
        texts = polis_files.parse_comments(*comments) if comments else {}
    except polis_files.PolisFileError as error:
        raise Invalid("comments", error.message.key, **error.message.params) from None
    return table, group_of, texts


def _group(label: str | None) -> StakeholderGroup | None:
    """A stakeholder group by its key; a Pol.is ``polis-<id>`` group is none of the four."""
    try:
        return StakeholderGroup(label) if label else None
    except ValueError:
        return None


def _statements(
    session: Session, consultation_id: int, external: tuple[str, ...], texts: dict[str, str]
) -> dict[str, int]:
    """The merge's statement id for each Pol.is comment-id, adding those not imported before."""
    now = clock.now()
    rows = [
        {
            "consultation_id": consultation_id,
            "external_id": comment,
            "text": texts.get(comment) or f"Pol.is #{comment}",
            # the conversation was moderated where it ran: its comments are accepted here
            "status": StatementStatus.accepted,
            "created_at": now,
        }
        for comment in external
    ]
    insert_ignoring(session, Statement, rows, ["consultation_id", "external_id"])
    found = session.execute(
        select(Statement.external_id, Statement.id).where(
            Statement.consultation_id == consultation_id, Statement.external_id.is_not(None)
        )
    )
    return {ext: sid for ext, sid in found if ext is not None}


def _participants(
    session: Session, consultation_id: int, external: tuple[str, ...], group_of: dict[str, str]
) -> dict[str, int]:
    """The merge's participant id for each Pol.is voter-id, adding those not imported before."""
    now = clock.now()
    rows = [
        {
            "consultation_id": consultation_id,
            "external_id": voter,
            "stakeholder_group": _group(group_of.get(voter)),
            "created_at": now,
        }
        for voter in external
    ]
    insert_ignoring(session, Participant, rows, ["consultation_id", "external_id"])
    found = session.execute(
        select(Participant.external_id, Participant.id).where(
            Participant.consultation_id == consultation_id, Participant.external_id.is_not(None)
        )
    )
    return {ext: pid for ext, pid in found if ext is not None}
