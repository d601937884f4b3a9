"""The agreement (调解协议) each registered party confirms in the app, and what happens when there is
none: the mediator records the failure with a summary, and each party says whether that summary may
be shared (the chair may later hand it to the grid as a staff-only case).

A named outside party cannot confirm in the app: the mediator proposes only what they agreed to in
person, and records their answer about sharing the summary.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from accounts.models import User
from core import clock
from core.errors import N_, Conflict, FieldErrors
from deliberation.mediation import fields, lifecycle
from deliberation.mediation.access import access_dispute
from deliberation.mediation.lifecycle import Case
from deliberation.mediation.models import Action, DisputeParty

AGREEMENT_MIN, SUMMARY_MIN, SUMMARY_MAX = 10, 10, 2000
CHANGED = N_("The agreement was changed after you opened the page. Read it again before you confirm.")


def propose_agreement(session: Session, actor: User | None, dispute_id: int, *, text: str) -> Case:
    """Put an agreement to the parties. A new text replaces the last; confirmations of it lapse."""
    case = access_dispute(session, actor, dispute_id, lock=True)
    lifecycle.check(case.dispute.status, Action.propose, case.capacities(actor))
    errors = FieldErrors()
    text = fields.written(errors, "agreement", text, low=AGREEMENT_MIN, high=fields.LONG_MAX)
    errors.raise_if_any()
    dispute = case.dispute
    dispute.agreement_text, dispute.agreement_proposed_at = text, clock.now()
    dispute.agreement_version += 1
    lifecycle.advance(session, case, actor, Action.propose)
    return case


def has_confirmed(dispute_version: int, party: DisputeParty) -> bool:
    """Whether ``party`` confirmed the text now proposed (not an earlier one)."""
    return dispute_version > 0 and party.confirmed_version == dispute_version


def confirm_agreement(session: Session, actor: User | None, dispute_id: int, *, version: int | None) -> Case:
    """Confirm the proposed agreement, for oneself only (确认协议). ``version`` is the text the page
    showed: a text changed meanwhile is not confirmed. Once every registered party has confirmed the
    same text, the app moves the case to agreed, once, under the dispute's lock."""
    case = access_dispute(session, actor, dispute_id, lock=True)
    lifecycle.check(case.dispute.status, Action.confirm, case.capacities(actor))
    dispute, party = case.dispute, case.party_of(actor)
    assert party is not None  # only a party gets past the check
    if dispute.agreement_version == 0:
        raise Conflict(N_("No agreement has been proposed yet."))
    if version != dispute.agreement_version:
        raise Conflict(CHANGED)
    if has_confirmed(dispute.agreement_version, party):
        return case  # pressed twice: the first press counted
    party.confirmed_version, party.confirmed_at = dispute.agreement_version, clock.now()
    lifecycle.advance(session, case, actor, Action.confirm)
    registered = [p for p in case.parties if p.user_id is not None]
    if all(has_confirmed(dispute.agreement_version, p) for p in registered):
        lifecycle.advance(session, case, None, Action.agree, system=True)
    return case


def record_failure(
    session: Session,
    actor: User | None,
    dispute_id: int,
    *,
    summary: str,
    outside_consent: Iterable[str] = (),
) -> Case:
    """Record that mediation did not succeed (调解不成), with the summary the parties may agree to
    share. Registered parties answer for themselves afterwards; the mediator records each outside
    party's answer (ticked: they agreed)."""
    case = access_dispute(session, actor, dispute_id, lock=True)
    lifecycle.check(case.dispute.status, Action.fail, case.capacities(actor))
    assert actor is not None
    errors = FieldErrors()
    summary = fields.written(errors, "summary", summary, low=SUMMARY_MIN, high=SUMMARY_MAX)
    errors.raise_if_any()
    agreed_outside, now = set(outside_consent), clock.now()
    for party in case.parties:
        if party.user_id is None:
            party.share_consent, party.consent_at = str(party.id) in agreed_outside, now
            party.consent_recorded_by_id = actor.id
    case.dispute.shared_summary = summary
    lifecycle.advance(session, case, actor, Action.fail)
    return case


def answer_consent(session: Session, actor: User | None, dispute_id: int, *, consent: bool) -> Case:
    """Say whether the summary may be shared (同意共享摘要), for oneself; the answer may change until
    the summary is handed on."""
    case = access_dispute(session, actor, dispute_id, lock=True)
    lifecycle.check(case.dispute.status, Action.consent, case.capacities(actor))
    if not case.dispute.shared_summary:  # a case closed after an agreement has no summary to share
        raise Conflict(lifecycle.NOT_NOW)
    party = case.party_of(actor)
    assert party is not None
    if party.share_consent is consent:
        return case
    party.share_consent, party.consent_at, party.consent_recorded_by_id = consent, clock.now(), None
    lifecycle.advance(session, case, actor, Action.consent)
    return case


def summary_shareable(case: Case) -> bool:
    """Whether every party agreed to share the summary: only then may it leave the case (the grid
    hand-off reads this)."""
    return bool(case.dispute.shared_summary) and all(p.share_consent is True for p in case.parties)
