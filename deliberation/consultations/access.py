"""Who may do what with consultations: the committee convenes; the convener or the chair moves them."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import is_committee_chair, is_committee_member
from core.errors import NotFound, PermissionDenied
from deliberation.consultations.models import Consultation


def can_convene(actor: User | None) -> bool:
    """Committee members (群议委委员) convene consultations."""
    return is_committee_member(actor)


class Steerable(Protocol):
    """A consultation, as a row or a page's view: what deciding who steers it needs."""

    @property
    def convener_id(self) -> int: ...


def can_steer(actor: User | None, consultation: Steerable) -> bool:
    """The convener and the chair move a consultation, schedule its meetings and draft its resolution."""
    return (
        actor is not None
        and actor.is_active
        and (actor.id == consultation.convener_id or is_committee_chair(actor))
    )


def get_consultation(session: Session, consultation_id: int, *, lock: bool = False) -> Consultation:
    """The consultation (public) or ``NotFound``; ``lock`` for the services that move it."""
    found = session.get(Consultation, consultation_id, with_for_update=lock)
    if found is None:
        raise NotFound()
    return found


def access_to_steer(session: Session, actor: User | None, consultation_id: int) -> Consultation:
    """The consultation, locked, if ``actor`` may steer it; ``PermissionDenied`` otherwise."""
    consultation = get_consultation(session, consultation_id, lock=True)
    if not can_steer(actor, consultation):
        raise PermissionDenied()
    return consultation
