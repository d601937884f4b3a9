"""Who may do what in a merge: signed-in people take part while views are collected; the committee
moderates, imports and drafts the merged opinion; a draft consultation's merge is not public yet."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import is_committee_member
from core import clock
from core.errors import N_, Conflict, NotFound, PermissionDenied
from deliberation.consultations.access import can_steer, get_consultation
from deliberation.consultations.models import Consultation, State
from deliberation.merging.models import Merge, Participant
from deliberation.merging.upserts import insert_ignoring


def can_moderate(actor: User | None) -> bool:
    """Committee members (群议委委员) moderate statements, import votes and draft the merged opinion."""
    return is_committee_member(actor)


def merge_consultation(session: Session, actor: User | None, consultation_id: int) -> Consultation:
    """The consultation whose merge ``actor`` looks at; a draft is ``NotFound`` but to who steers it."""
    consultation = get_consultation(session, consultation_id)
    if consultation.state is State.draft and not can_steer(actor, consultation):
        raise NotFound()
    return consultation


def open_for_votes(session: Session, actor: User | None, consultation_id: int) -> tuple[Consultation, User]:
    """The consultation while it collects views, for a signed-in active ``actor``; votes and statements
    close when the deliberation starts (``Conflict``)."""
    if actor is None or not actor.is_active:
        raise PermissionDenied(N_("Log in to take part."))
    consultation = merge_consultation(session, actor, consultation_id)
    if consultation.state is not State.collecting:
        raise Conflict(
            N_("This merge takes no more statements or votes: the consultation is «%(state)s»."),
            state=consultation.state.label,
        )
    return consultation, actor


def access_to_moderate(session: Session, actor: User | None, consultation_id: int) -> Consultation:
    """The consultation, if ``actor`` is on the committee; ``PermissionDenied`` otherwise."""
    if not can_moderate(actor):
        raise PermissionDenied()
    return merge_consultation(session, actor, consultation_id)


def ensure_merge(session: Session, consultation_id: int) -> Merge:
    """The consultation's merge row, made by the first write that needs it (two at once make one)."""
    row = {"consultation_id": consultation_id, "created_at": clock.now()}
    insert_ignoring(session, Merge, [row], ["consultation_id"])
    merge = session.get(Merge, consultation_id)
    assert merge is not None
    return merge


def participant_for(session: Session, consultation_id: int, user: User) -> int:
    """The id of ``user``'s participant row in this merge, made on their first statement or vote.

    An upsert that ignores the conflict, so two first votes sent at once still make one row.
    """
    ensure_merge(session, consultation_id)
    values = {
        "consultation_id": consultation_id,
        "user_id": user.id,
        "stakeholder_group": user.group,
        "created_at": clock.now(),
    }
    insert_ignoring(session, Participant, [values], ["consultation_id", "user_id"])
    found = session.scalar(
        select(Participant.id).where(
            Participant.consultation_id == consultation_id, Participant.user_id == user.id
        )
    )
    assert found is not None
    return found


def find_participant(session: Session, consultation_id: int, user: User | None) -> int | None:
    if user is None:
        return None
    return session.scalar(
        select(Participant.id).where(
            Participant.consultation_id == consultation_id, Participant.user_id == user.id
        )
    )
