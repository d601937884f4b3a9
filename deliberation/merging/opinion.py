"""The merged opinion (共识意见): the committee writes it citing the meeting points; "use as draft"
copies it into the consultation's resolution draft, which only the committee's vote adopts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounts.models import User
from core import audit, markdown
from core.errors import N_, Conflict, FieldErrors
from deliberation.consultations import resolutions
from deliberation.consultations.models import Resolution
from deliberation.merging.access import access_to_moderate, ensure_merge
from deliberation.merging.models import Merge

OPINION_MAX = resolutions.TEXT_MAX


def draft_opinion(session: Session, actor: User | None, consultation_id: int, text: str) -> Merge:
    """Write or rewrite the merged opinion (起草共识意见); committee members only."""
    consultation = access_to_moderate(session, actor, consultation_id)
    errors = FieldErrors()
    if not text.strip():
        errors.add("opinion", N_("Write the merged opinion first."))
    elif len(text) > OPINION_MAX:
        errors.add("opinion", N_("At most %(max)s characters."), max=OPINION_MAX)
    errors.raise_if_any()
    merge = ensure_merge(session, consultation.id)
    merge.opinion, merge.opinion_html = text, markdown.render(text)
    audit.record(session, actor, "merge.opinion", "merge", consultation.id)
    return merge


def use_as_draft(session: Session, actor: User | None, consultation_id: int) -> Resolution:
    """Copy the merged opinion into the resolution draft (用作决议草稿): the convener or the chair, while
    deliberating and before the vote; the committee's vote still decides."""
    merge = session.get(Merge, consultation_id)
    if merge is None or not merge.opinion.strip():
        raise Conflict(N_("Write the merged opinion before using it as the resolution's draft."))
    resolution = resolutions.draft_resolution(session, actor, consultation_id, merge.opinion)
    audit.record(session, actor, "merge.use_as_draft", "merge", consultation_id)
    return resolution
