"""Who may see a dispute, and the one way services and pages obtain one (``access_dispute``).

A dispute's existence is private: to anyone who may not see it, a case that exists and a case that
does not are the same ``NotFound``, with the same message, for the page, every form behind it and
its files alike.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import is_admin, is_committee_chair
from core import files
from core.errors import N_, NotFound
from deliberation.mediation.lifecycle import Case
from deliberation.mediation.models import Dispute, DisputeParty

FILE_OWNER = "dispute"
NOT_HERE = N_(
    "There is no mediation case here that you may see. If it is yours, log in with the account it was "
    "filed under."
)


def can_apply(actor: User | None) -> bool:
    """Anyone signed in may ask for mediation (申请调解)."""
    return actor is not None and actor.is_active


def can_see_dispute(actor: User | None, *, mediator_id: int | None, party_ids: Collection[int]) -> bool:
    """Its parties, its mediator, the committee chair and admins; nobody else, not even the rest of the
    committee."""
    if actor is None or not actor.is_active:
        return False
    if is_admin(actor) or is_committee_chair(actor):
        return True
    return mediator_id == actor.id or actor.id in party_ids


def can_list_all(actor: User | None) -> bool:
    """The committee chair's list of every case, which admins may read too."""
    return is_committee_chair(actor) or is_admin(actor)


PARTIES = select(DisputeParty).order_by(DisputeParty.side, DisputeParty.id)


def access_dispute(session: Session, actor: User | None, dispute_id: int, *, lock: bool = False) -> Case:
    """The case if ``actor`` may see it; ``NotFound`` otherwise, the same as for no case at all.

    With ``lock`` the dispute's row is locked for the rest of the transaction (``FOR UPDATE`` on
    PostgreSQL; on SQLite the write session's ``BEGIN IMMEDIATE`` already serialises writers), and
    read afresh, so a step decided on it sees what the transaction before it committed.
    """
    statement = select(Dispute).where(Dispute.id == dispute_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    dispute = session.scalar(statement)
    if dispute is None:
        raise NotFound(NOT_HERE)
    parties = list(
        session.scalars(
            PARTIES.where(DisputeParty.dispute_id == dispute.id).execution_options(populate_existing=lock)
        )
    )
    case = Case(dispute, parties)
    if not can_see_dispute(actor, mediator_id=dispute.mediator_id, party_ids=case.party_ids):
        raise NotFound(NOT_HERE)
    return case


def _may_see_file(session: Session, actor: Any, owner_id: str) -> bool:
    """A dispute's attachments are for the people who may see the dispute, and nobody else."""
    if not owner_id.isdecimal():
        return False
    try:
        access_dispute(session, actor, int(owner_id))
    except NotFound:
        return False
    return True


files.register_owner(FILE_OWNER, _may_see_file, private=True)
