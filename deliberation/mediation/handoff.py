"""转办网格 from a mediation: when mediation failed or was referred and every party agreed to share its
summary, the committee's chair may hand that summary to the grid.

The case is staff only: grid staff and admins see it, never the public, Open311, search or the
connector. It carries the summary the parties consented to, never their accounts or names, and has no
followers: the chair may not open a staff-only case, and the parties' privacy outweighs telling them
through it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import is_committee_chair
from core import audit
from core.errors import N_, Conflict, FieldErrors, PermissionDenied
from deliberation.mediation.access import access_dispute
from deliberation.mediation.models import DisputeStatus
from grid import cases, handoff, residents
from grid.models import Case as GridCase
from grid.models import CaseSource

HANDED_FROM = (DisputeStatus.failed, DisputeStatus.referred, DisputeStatus.closed)
NOTE_MAX = 1000


def may_hand_off(
    actor: User | None, status: DisputeStatus, summary: str, consents: Iterable[bool | None]
) -> bool:
    """The chair, once mediation has ended without agreement and every party agreed to share the summary."""
    return (
        is_committee_chair(actor)
        and status in HANDED_FROM
        and bool(summary)
        and all(consent is True for consent in consents)
    )


def handed_case(session: Session, dispute_id: int) -> cases.CaseRow | None:
    """The case this mediation's summary became, if it was handed over."""
    return cases.case_for_source(session, CaseSource.mediation, str(dispute_id))


def hand_off(
    session: Session, actor: User | None, dispute_id: int, *, title: str, class_id: int | None, note: str = ""
) -> GridCase:
    """Open the staff-only case from the shared summary, at most once per mediation."""
    case = access_dispute(session, actor, dispute_id, lock=True)
    if not is_committee_chair(actor):
        raise PermissionDenied()
    assert actor is not None
    dispute = case.dispute
    if not may_hand_off(
        actor, dispute.status, dispute.shared_summary, [p.share_consent for p in case.parties]
    ):
        raise Conflict(N_("Only a shared summary of a mediation that did not agree goes to the grid."))
    if handed_case(session, dispute_id) is not None:
        raise Conflict(N_("This mediation has been handed to the grid already."))
    title, note = title.strip(), note.strip()
    errors = FieldErrors()
    if not 4 <= len(title) <= cases.TITLE_MAX:
        errors.add("title", N_("Say in 4 to %(max)s characters what is wrong."), max=cases.TITLE_MAX)
    if len(note) > NOTE_MAX:
        errors.add("note", N_("At most %(max)s characters."), max=NOTE_MAX)
    errors.raise_if_any()
    home = residents.home_cell(session, dispute.applicant_id)
    made = handoff.hand_off(
        session,
        actor,
        source=CaseSource.mediation,
        source_ref=str(dispute_id),
        title=title,
        description=dispute.shared_summary,
        followers=set(),  # the chair may not open a staff-only case, the parties are not told through it
        suggested_cell_code=home.code if home else None,
        class_id=class_id,
        staff_only=True,
        note=note,
    )
    audit.record(session, actor, "mediation.hand_off", "dispute", dispute_id, case=made.number)
    return made
