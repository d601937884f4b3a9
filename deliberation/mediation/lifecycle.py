"""The dispute state machine (调解流程): one table of moves that the page, the services and the tests
all read, and ``advance()``, the one place a case changes state.

``applied → accepted | declined → in_mediation → agreed | failed → referred → closed``. Each row says
from which state an action may be taken, by whom, and where it leads. Beyond DESIGN.md's line: the
first mediation meeting logged is what moves an accepted case into mediation; logging further
meetings, proposing an agreement, confirming it and answering whether the summary may be shared are
steps that keep the state (they are rows too, so the page and the guard read them like the others);
``agree`` is taken by the app itself once every registered party has confirmed the current text.

Every step writes a row on the case's private timeline and tells the people in it, except the one
who acted, with a text that says no more than "your mediation case was updated". Callers hold the
dispute's row lock (``access.access_dispute(..., lock=True)``), so two people pressing the same
button at once move the case once.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.notifications import define_kind, notify
from accounts.permissions import is_committee_chair
from core import clock
from core.errors import N_, Conflict, PermissionDenied
from deliberation.mediation.models import (
    Action,
    Dispute,
    DisputeEvent,
    DisputeParty,
    DisputeStatus,
    Outcome,
)

TARGET = "dispute"
PARTY_NOTICE, WORK_NOTICE = "mediation_updated", "mediation_work"
# the texts say nothing about the case: a notification may be read over a shoulder or sent by SMS
define_kind(
    PARTY_NOTICE, N_("My mediation case changed"), N_("Your mediation case was updated."), target=TARGET
)
define_kind(
    WORK_NOTICE,
    N_("A mediation case needs me (committee)"),
    N_("A mediation case needs your attention."),
    target=TARGET,
)


class Who(enum.Enum):
    """The capacity in which someone acts on one case."""

    party = "party"  # a registered party, always for themselves
    mediator = "mediator"  # the committee member assigned to the case
    chair = "chair"  # the committee chair (主任)
    system = "system"  # the app, when every party has confirmed


@dataclass(frozen=True)
class Move:
    state: DisputeStatus
    action: Action
    who: frozenset[Who]
    to: DisputeStatus


S, A, W = DisputeStatus, Action, Who
PARTY, MEDIATOR, CHAIR, SYSTEM = (frozenset({w}) for w in (W.party, W.mediator, W.chair, W.system))
MEDIATOR_OR_CHAIR = MEDIATOR | CHAIR

MOVES: tuple[Move, ...] = (
    Move(S.applied, A.accept, CHAIR, S.accepted),
    Move(S.applied, A.decline, CHAIR, S.declined),
    Move(S.accepted, A.log_meeting, MEDIATOR, S.in_mediation),  # the first meeting starts mediation
    Move(S.in_mediation, A.log_meeting, MEDIATOR, S.in_mediation),
    Move(S.in_mediation, A.propose, MEDIATOR, S.in_mediation),
    Move(S.in_mediation, A.confirm, PARTY, S.in_mediation),
    Move(S.in_mediation, A.agree, SYSTEM, S.agreed),
    Move(S.in_mediation, A.fail, MEDIATOR, S.failed),
    Move(S.failed, A.refer, MEDIATOR_OR_CHAIR, S.referred),
    Move(S.failed, A.consent, PARTY, S.failed),
    Move(S.referred, A.consent, PARTY, S.referred),
    Move(S.closed, A.consent, PARTY, S.closed),  # consent may change until the summary is handed on
    Move(S.agreed, A.close, MEDIATOR_OR_CHAIR, S.closed),
    Move(S.failed, A.close, MEDIATOR_OR_CHAIR, S.closed),
    Move(S.referred, A.close, MEDIATOR_OR_CHAIR, S.closed),
)
TABLE: dict[tuple[DisputeStatus, Action], Move] = {(m.state, m.action): m for m in MOVES}
# who may take an action at all, whatever the state: refusing them comes before "not now"
WHO: dict[Action, frozenset[Who]] = {}
for _move in MOVES:
    WHO[_move.action] = WHO.get(_move.action, frozenset()) | _move.who
OUTCOMES = {S.declined: Outcome.declined, S.agreed: Outcome.agreed, S.failed: Outcome.failed}
OUTCOMES[S.referred] = Outcome.referred
REFUSALS = {
    A.accept: N_("Only the committee chair accepts a case and assigns its mediator."),
    A.decline: N_("Only the committee chair declines a case."),
    A.log_meeting: N_("Only the case's mediator logs its meetings."),
    A.propose: N_("Only the case's mediator proposes an agreement."),
    A.confirm: N_("Only the parties confirm an agreement, each for themselves."),
    A.agree: N_("An agreement is reached when every party has confirmed it."),
    A.fail: N_("Only the case's mediator records that mediation did not succeed."),
    A.consent: N_("Only the parties answer for themselves whether the summary may be shared."),
    A.refer: N_("Only the mediator or the committee chair refers a case."),
    A.close: N_("Only the mediator or the committee chair closes a case."),
}
NOT_NOW = N_(
    "That step is not possible while the case stands where it does now. Reload the page to see where it is."
)


@dataclass
class Case:
    """A dispute with its parties, as the guard and ``advance()`` read it (``access`` builds it)."""

    dispute: Dispute
    parties: list[DisputeParty]

    @property
    def id(self) -> int:
        return self.dispute.id

    @property
    def party_ids(self) -> set[int]:
        """The registered parties' user ids."""
        return {p.user_id for p in self.parties if p.user_id is not None}

    def party_of(self, actor: User | None) -> DisputeParty | None:
        if actor is None:
            return None
        return next((p for p in self.parties if p.user_id == actor.id), None)

    def capacities(self, actor: User | None) -> frozenset[Who]:
        return capacities(actor, mediator_id=self.dispute.mediator_id, party_ids=self.party_ids)


def capacities(actor: User | None, *, mediator_id: int | None, party_ids: Collection[int]) -> frozenset[Who]:
    """In which capacities ``actor`` may act on a case (none for admins: they only look)."""
    if actor is None or not actor.is_active:
        return frozenset()
    found = set()
    if actor.id in party_ids:
        found.add(W.party)
    if mediator_id == actor.id:
        found.add(W.mediator)
    if is_committee_chair(actor):
        found.add(W.chair)
    return frozenset(found)


def may(state: DisputeStatus, action: Action, who: Iterable[Who]) -> bool:
    """Whether someone in capacities ``who`` may take ``action`` from ``state`` (the page's buttons)."""
    move = TABLE.get((state, action))
    return move is not None and bool(move.who & set(who))


def allowed(state: DisputeStatus, who: Iterable[Who]) -> frozenset[Action]:
    """Every action someone in capacities ``who`` may take now."""
    held = set(who)
    return frozenset(m.action for m in MOVES if m.state is state and m.who & held)


def check(state: DisputeStatus, action: Action, who: Iterable[Who]) -> Move:
    """The move, or why not: ``PermissionDenied`` for the wrong person, ``Conflict`` for the wrong time."""
    if not WHO[action] & set(who):
        raise PermissionDenied(REFUSALS[action])
    move = TABLE.get((state, action))
    if move is None:
        raise Conflict(NOT_NOW)
    return move


def advance(
    session: Session, case: Case, actor: User | None, action: Action, note: str = "", *, system: bool = False
) -> Move:
    """Take ``action`` on the locked ``case``: check the table, change the state, write the timeline
    row and tell the people in the case. Nothing changes when the table refuses."""
    who = SYSTEM if system else case.capacities(actor)
    move = check(case.dispute.status, action, who)
    dispute, now = case.dispute, clock.now()
    before = dispute.status
    dispute.status, dispute.changed_at = move.to, now
    if move.to in OUTCOMES and move.to is not before:
        dispute.outcome = OUTCOMES[move.to]
    if move.to is S.closed and before is not S.closed:
        dispute.closed_at = now
    record(session, case, None if system else actor, action, before, move.to, note)
    return move


def record(
    session: Session,
    case: Case,
    actor: User | None,
    action: Action,
    before: DisputeStatus | None,
    after: DisputeStatus,
    note: str = "",
) -> DisputeEvent:
    """The timeline row of one step, and the people told of it."""
    event = DisputeEvent(
        dispute_id=case.id,
        at=clock.now(),
        actor_id=actor.id if actor else None,
        action=action,
        from_status=before,
        to_status=after,
        note=note,
    )
    session.add(event)
    tell(session, case, actor, action)
    return event


def tell(session: Session, case: Case, actor: User | None, action: Action) -> None:
    """Parties hear that their case changed; the mediator that a case needs them; never the actor."""
    acting = actor.id if actor else None
    parties = case.party_ids - {acting}
    if parties:
        notify(session, parties, PARTY_NOTICE, TARGET, case.id)
    mediator = case.dispute.mediator_id
    if mediator is not None and mediator != acting:
        notify(session, [mediator], WORK_NOTICE, TARGET, case.id)
