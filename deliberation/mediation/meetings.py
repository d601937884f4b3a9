"""Mediation meetings (调解会): the mediator logs when they met, who came and what was said. The
first meeting logged on an accepted case is what starts the mediation."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from accounts.models import User
from core import clock
from core.errors import N_, FieldErrors
from deliberation.mediation import fields, lifecycle
from deliberation.mediation.access import access_dispute
from deliberation.mediation.models import Action, MediationMeeting

OTHERS_MAX = 200


def log_meeting(
    session: Session,
    actor: User | None,
    dispute_id: int,
    *,
    held_on: str,
    attended: Iterable[str],
    others: str = "",
    notes: str,
) -> MediationMeeting:
    """Log a mediation meeting: its day (not in the future, not before the application), the parties
    who came (at least one), anyone else present, and the notes."""
    case = access_dispute(session, actor, dispute_id, lock=True)
    lifecycle.check(case.dispute.status, Action.log_meeting, case.capacities(actor))
    assert actor is not None  # only the mediator gets past the check
    errors = FieldErrors()
    filed = clock.local(case.dispute.created_at).date()
    day = fields.past_day(errors, "held_on", held_on, not_before=filed)
    chosen = set(attended)
    party_ids = sorted(p.id for p in case.parties if str(p.id) in chosen)
    if not party_ids:
        errors.add("attended", N_("Tick the parties who came."))
    others = fields.optional(errors, "others", others, high=OTHERS_MAX)
    notes = fields.written(errors, "notes", notes, low=5, high=fields.LONG_MAX)
    errors.raise_if_any()
    assert day is not None
    meeting = MediationMeeting(
        dispute_id=case.id,
        held_on=day,
        attended_party_ids=party_ids,
        mediator_attended="mediator" in chosen,
        others=others,
        notes=notes,
        logged_by_id=actor.id,
        created_at=clock.now(),
    )
    session.add(meeting)
    lifecycle.advance(session, case, actor, Action.log_meeting)
    return meeting
