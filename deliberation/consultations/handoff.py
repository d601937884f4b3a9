"""转办网格: an agreed consultation's resolution becomes a grid case, and the case's handling comes back.

The hand-off creates the case in the same transaction as the move to ``handed_off``, at most once: the
consultation row is locked first (a second press finds it handed off and is told so), and the case's
unique source reference stops two processes that both got past the check. Each step of the case is
then written on the consultation's timeline (处置反馈); when the case closes, the consultation closes
too (办结), the one move the system makes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.notifications import define_kind, notify
from core import audit, events
from core.errors import N_, Conflict, Invalid
from deliberation.consultations.access import access_to_steer
from deliberation.consultations.lifecycle import NOTE_MAX, record_step
from deliberation.consultations.models import (
    Consultation,
    Resolution,
    ResolutionState,
    ResolutionVote,
    ScopeKind,
    State,
)
from deliberation.consultations.participants import people_to_tell
from grid import cells, handoff
from grid.models import Case, CaseSource, CaseState
from grid.workflow import CaseStatusChanged

define_kind(
    "consultation_case",
    N_("The case a consultation I follow became moved on"),
    N_("«%(title)s»: its grid case is now %(state)s."),
    target="consultation",
)


def participants(session: Session, consultation: Consultation) -> set[int]:
    """Everyone who took part: convener, followers, the thread's voices and the members who voted."""
    voters = session.scalars(
        select(ResolutionVote.member_id).where(ResolutionVote.consultation_id == consultation.id)
    )
    return people_to_tell(session, consultation) | set(voters)


def hand_off(
    session: Session, actor: User | None, consultation_id: int, *, class_id: int | None, note: str = ""
) -> Case:
    """Hand the adopted resolution to the grid (转办): the case, its followers and the timeline step."""
    consultation = access_to_steer(session, actor, consultation_id)
    if consultation.state is State.handed_off or consultation.state is State.closed:
        raise Conflict(N_("This consultation has been handed to the grid already."))
    if consultation.state is not State.agreed:
        raise Conflict(N_("Only an agreed consultation is handed to the grid."))
    resolution = session.get(Resolution, consultation.id)
    assert resolution is not None and resolution.state is ResolutionState.adopted  # the agree move needs it
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise Invalid("note", N_("At most %(max)s characters."), max=NOTE_MAX)
    case = handoff.hand_off(
        session,
        actor,
        source=CaseSource.consultation,
        source_ref=str(consultation.id),
        title=consultation.title,
        description=resolution.text,
        followers=participants(session, consultation),
        cell_code=consultation.cell_code if consultation.scope_kind is ScopeKind.cell else None,
        suggested_cell_code=_community_cell(session, consultation),
        class_id=class_id,
        note=note,
    )
    record_step(session, consultation, "hand_off", State.handed_off, actor, note or case.number)
    audit.record(session, actor, "consultation.hand_off", "consultation", consultation.id, case=case.number)
    return case


def _community_cell(session: Session, consultation: Consultation) -> str | None:
    """A community's consultation is suggested to its first cell, for the grid staff to confirm at 立案."""
    if consultation.scope_kind is not ScopeKind.community:
        return None
    found = cells.list_cells(session, query=consultation.community)
    return next((c.code for c in found if c.community == consultation.community), None)


def on_case_changed(session: Session, changed: CaseStatusChanged) -> None:
    """Write the case's step on its consultation's timeline; close the consultation when the case closes."""
    if changed.source is not CaseSource.consultation or not (changed.source_ref or "").isdecimal():
        return
    consultation = session.get(Consultation, int(changed.source_ref or 0), with_for_update=True)
    if consultation is None:
        return
    note = f"{changed.number} · {changed.note}" if changed.note else changed.number
    closes = changed.to_state is CaseState.closed and consultation.state is State.handed_off
    target = State.closed if closes else None
    # the case's followers heard from the grid; those who joined the consultation since hear from here
    action = f"case_{changed.to_state.value}"
    record_step(session, consultation, action, target, None, note, told_already=changed.follower_ids)
    if target is None:
        later = people_to_tell(session, consultation) - changed.follower_ids
        params = {"title": consultation.title, "state": changed.to_state.label}
        notify(session, later, "consultation_case", "consultation", consultation.id, params)


events.subscribe(CaseStatusChanged, on_case_changed)
