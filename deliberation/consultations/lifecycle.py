"""The consultation's states and the moves between them, as one table the page, the service and the
tests read (DESIGN.md: ``draft → collecting → deliberating → agreed | not_agreed → handed_off → closed``).

The convener or the chair makes every move, with a note, on the public timeline. The hand-off to the
grid (``agreed → handed_off``) creates a case as it moves, so it has its own service
(``deliberation.consultations.handoff``), as has the one move the system makes (``handed_off → closed``
when the case closes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.notifications import define_kind, notify
from core import audit, clock
from core.errors import N_, Conflict, Invalid, PermissionDenied
from deliberation.consultations.access import Steerable, access_to_steer, can_steer
from deliberation.consultations.models import Consultation, Resolution, ResolutionState, State, Step
from deliberation.consultations.participants import people_to_tell

NOTE_MAX = 1000
define_kind(
    "consultation_moved",
    N_("A consultation I took part in moved on"),
    N_("«%(title)s» is now: %(state)s."),
    target="consultation",
)


@dataclass(frozen=True)
class Transition:
    action: str
    source: State
    target: State
    label: str  # msgid of the button
    needs: Callable[[Resolution | None], str | None] | None = None  # None, or why it cannot be done yet


def _resolution_adopted(resolution: Resolution | None) -> str | None:
    if resolution is None or resolution.state is not ResolutionState.adopted:
        return N_("The committee has not adopted a resolution yet.")
    return None


def _no_resolution_adopted(resolution: Resolution | None) -> str | None:
    if resolution is not None and resolution.state is ResolutionState.adopted:
        return N_("A resolution was adopted: record the agreement instead.")
    return None


TRANSITIONS: tuple[Transition, ...] = (
    Transition("open", State.draft, State.collecting, N_("Open it for views")),
    Transition("deliberate", State.collecting, State.deliberating, N_("Start the deliberation")),
    Transition("agree", State.deliberating, State.agreed, N_("Record the agreement"), _resolution_adopted),
    Transition(
        "disagree",
        State.deliberating,
        State.not_agreed,
        N_("Record that no agreement was reached"),
        _no_resolution_adopted,
    ),
    Transition("close", State.not_agreed, State.closed, N_("Close it")),
)
# what each kind of timeline row says (the moves above, and what happens along the way)
STEP_LABELS = {
    "convene": N_("Convened"),
    "open": N_("Opened for views"),
    "deliberate": N_("Deliberation began"),
    "agree": N_("Agreement recorded"),
    "disagree": N_("No agreement reached"),
    "close": N_("Closed"),
    "meeting": N_("Meeting scheduled"),
    "minutes": N_("Minutes published"),
    "vote_opened": N_("Resolution put to the vote"),
    "resolution_adopted": N_("Resolution adopted"),
    "resolution_rejected": N_("Resolution not adopted"),
    "hand_off": N_("Handed to the grid (转办)"),
    "case_registered": N_("Case registered (立案)"),
    "case_rejected": N_("Case not registered (不予立案)"),
    "case_dispatched": N_("Case dispatched (派遣)"),
    "case_handled": N_("Case handled (处置反馈)"),
    "case_verified": N_("Case checked (核查)"),
    "case_closed": N_("Case closed (办结)"),
}
# the order the step indicator shows (not_agreed is the other branch of agreed)
STEPS = (State.draft, State.collecting, State.deliberating, State.agreed, State.handed_off, State.closed)


def moves_from(state: State) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source is state]


class Movable(Steerable, Protocol):
    @property
    def state(self) -> State: ...


def moves_for(
    actor: User | None, consultation: Movable, resolution: Resolution | None
) -> list[tuple[Transition, str | None]]:
    """The moves ``actor`` may make now, each with the reason it is not possible yet (or None)."""
    if not can_steer(actor, consultation):
        return []
    return [(t, t.needs(resolution) if t.needs else None) for t in moves_from(consultation.state)]


def move(
    session: Session, actor: User | None, consultation_id: int, action: str, note: str = ""
) -> Consultation:
    """Make one move (推进议题), with a note on the public timeline; participants and followers are told.

    The row is locked first, so two members pressing the same button at once move it once: the second
    finds the state already changed and gets ``Conflict`` saying so.
    """
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise Invalid("note", N_("At most %(max)s characters."), max=NOTE_MAX)
    consultation = access_to_steer(session, actor, consultation_id)
    assert actor is not None
    transition = next((t for t in moves_from(consultation.state) if t.action == action), None)
    if transition is None:
        raise Conflict(
            N_("This consultation is now «%(state)s»: that step is not possible from here. Reload the page."),
            state=consultation.state.label,
        )
    reason = transition.needs(session.get(Resolution, consultation.id)) if transition.needs else None
    if reason:
        raise PermissionDenied(reason)
    record_step(session, consultation, transition.action, transition.target, actor, note)
    audit.record(session, actor, "consultation.move", "consultation", consultation.id, note, step=action)
    return consultation


def record_step(
    session: Session,
    consultation: Consultation,
    action: str,
    target: State | None,
    actor: User | None,
    note: str,
    *,
    told_already: frozenset[int] = frozenset(),
) -> Step:
    """Write a timeline row (and move the state when ``target`` is given), and tell everyone concerned
    but ``told_already`` (those a case's own notice reached)."""
    now = clock.now()
    step = Step(
        consultation_id=consultation.id,
        action=action,
        from_state=consultation.state,
        to_state=target,
        actor_id=actor.id if actor else None,
        note=note,
        at=now,
    )
    session.add(step)
    if target is not None and target is not consultation.state:
        consultation.state = target
        told = people_to_tell(session, consultation) - ({actor.id} if actor else set()) - told_already
        notify(
            session,
            told,
            "consultation_moved",
            "consultation",
            consultation.id,
            {"title": consultation.title, "state": target.label},
        )
    consultation.updated_at = now
    return step
