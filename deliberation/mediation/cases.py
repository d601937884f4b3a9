"""The read path of mediation pages: a case's page, the personal list, the chair's list.

Column rows as frozen dataclasses, from statements built once. A case's page checks who may see it
on the rows it shows (the same rule as ``access.access_dispute``), so reading one costs no extra query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, aliased

from accounts.models import Role, User, UserRole
from core import files
from core.db import rows_as
from core.errors import N_, NotFound, PermissionDenied
from core.pages import Page, paginate
from deliberation.mediation import lifecycle
from deliberation.mediation.access import FILE_OWNER, NOT_HERE, can_list_all, can_see_dispute
from deliberation.mediation.lifecycle import Who
from deliberation.mediation.models import (
    Action,
    Dispute,
    DisputeEvent,
    DisputeKind,
    DisputeParty,
    DisputeStatus,
    MediationMeeting,
    Outcome,
    Referral,
    Side,
)


@dataclass(frozen=True)
class DisputeView:
    """A case's header and texts on its page."""

    id: int
    kind: DisputeKind
    status: DisputeStatus
    outcome: Outcome | None
    account: str
    wanted: str
    decline_reason: str
    agreement_text: str
    agreement_version: int
    agreement_proposed_at: datetime | None
    shared_summary: str
    referral: Referral | None
    referral_note: str
    follow_up_on: date | None
    created_at: datetime
    changed_at: datetime
    closed_at: datetime | None
    mediator_id: int | None
    mediator_name: str | None
    mediator_username: str | None


@dataclass(frozen=True)
class PartyView:
    """A party as the case's page shows it: who, and where they stand on the agreement and the summary."""

    id: int
    side: Side
    user_id: int | None
    display_name: str | None
    username: str | None
    outside_name: str
    confirmed_version: int | None
    share_consent: bool | None
    consent_recorded_by_id: int | None

    @property
    def registered(self) -> bool:
        return self.user_id is not None


@dataclass(frozen=True)
class MeetingView:
    id: int
    held_on: date
    attended_party_ids: list[int]
    mediator_attended: bool
    others: str
    notes: str


@dataclass(frozen=True)
class EventView:
    """A row of the case's private timeline."""

    at: datetime
    action: Action
    from_status: DisputeStatus | None
    to_status: DisputeStatus
    note: str
    actor_name: str | None
    actor_username: str | None


@dataclass(frozen=True)
class Member:
    """A committee member the chair may assign."""

    id: int
    display_name: str
    username: str


@dataclass(frozen=True)
class CasePage:
    """Everything a case's page shows, and what the viewer may do on it now."""

    dispute: DisputeView
    parties: list[PartyView]
    meetings: list[MeetingView]
    timeline: list[EventView]
    files: list[files.FileSummary]
    actions: frozenset[Action]
    viewer_party: PartyView | None
    committee: list[Member]

    def confirmed(self, party: PartyView) -> bool:
        version = self.dispute.agreement_version
        return version > 0 and party.confirmed_version == version


MEDIATOR = aliased(User)
ACTOR = aliased(User)
HEADER = (
    select(
        Dispute.id,
        Dispute.kind,
        Dispute.status,
        Dispute.outcome,
        Dispute.account,
        Dispute.wanted,
        Dispute.decline_reason,
        Dispute.agreement_text,
        Dispute.agreement_version,
        Dispute.agreement_proposed_at,
        Dispute.shared_summary,
        Dispute.referral,
        Dispute.referral_note,
        Dispute.follow_up_on,
        Dispute.created_at,
        Dispute.changed_at,
        Dispute.closed_at,
        Dispute.mediator_id,
        MEDIATOR.display_name,
        MEDIATOR.username,
    )
    .outerjoin(MEDIATOR, MEDIATOR.id == Dispute.mediator_id)
    .where(Dispute.id == bindparam("dispute"))
)
PARTY_COLUMNS = (
    DisputeParty.id,
    DisputeParty.side,
    DisputeParty.user_id,
    User.display_name,
    User.username,
    DisputeParty.outside_name,
    DisputeParty.confirmed_version,
    DisputeParty.share_consent,
    DisputeParty.consent_recorded_by_id,
)
PARTIES = (
    select(*PARTY_COLUMNS)
    .outerjoin(User, User.id == DisputeParty.user_id)
    .where(DisputeParty.dispute_id == bindparam("dispute"))
    .order_by(DisputeParty.side, DisputeParty.id)
)
MEETINGS = (
    select(
        MediationMeeting.id,
        MediationMeeting.held_on,
        MediationMeeting.attended_party_ids,
        MediationMeeting.mediator_attended,
        MediationMeeting.others,
        MediationMeeting.notes,
    )
    .where(MediationMeeting.dispute_id == bindparam("dispute"))
    .order_by(MediationMeeting.held_on, MediationMeeting.id)
)
TIMELINE = (
    select(
        DisputeEvent.at,
        DisputeEvent.action,
        DisputeEvent.from_status,
        DisputeEvent.to_status,
        DisputeEvent.note,
        ACTOR.display_name,
        ACTOR.username,
    )
    .outerjoin(ACTOR, ACTOR.id == DisputeEvent.actor_id)
    .where(DisputeEvent.dispute_id == bindparam("dispute"))
    .order_by(DisputeEvent.id)
)
COMMITTEE = (
    select(User.id, User.display_name, User.username)
    .join(UserRole, UserRole.user_id == User.id)
    .where(UserRole.role == Role.committee_member, User.is_active)
    .order_by(User.username)
)


def case_page(session: Session, viewer: User | None, dispute_id: int) -> CasePage:
    """A case's page for ``viewer``; ``NotFound`` for anyone who may not see it, as for no case."""
    found = rows_as(DisputeView, session.execute(HEADER, {"dispute": dispute_id}))
    if not found:
        raise NotFound(NOT_HERE)
    dispute = found[0]
    parties = rows_as(PartyView, session.execute(PARTIES, {"dispute": dispute_id}))
    party_ids = {p.user_id for p in parties if p.user_id is not None}
    if not can_see_dispute(viewer, mediator_id=dispute.mediator_id, party_ids=party_ids):
        raise NotFound(NOT_HERE)
    who = lifecycle.capacities(viewer, mediator_id=dispute.mediator_id, party_ids=party_ids)
    actions = lifecycle.allowed(dispute.status, who)
    return CasePage(
        dispute=dispute,
        parties=parties,
        meetings=rows_as(MeetingView, session.execute(MEETINGS, {"dispute": dispute_id})),
        timeline=rows_as(EventView, session.execute(TIMELINE, {"dispute": dispute_id})),
        files=files.file_summaries(session, FILE_OWNER, dispute_id),
        actions=actions,
        viewer_party=next((p for p in parties if viewer and p.user_id == viewer.id), None),
        committee=_assignable(session, party_ids) if Action.accept in actions else [],
    )


def _assignable(session: Session, party_ids: set[int]) -> list[Member]:
    """Committee members who may mediate: any but the parties."""
    return [m for m in rows_as(Member, session.execute(COMMITTEE)) if m.id not in party_ids]


# --- lists ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """A case in a list: which, what about, where it stands."""

    id: int
    kind: DisputeKind
    status: DisputeStatus
    created_at: datetime
    changed_at: datetime
    mediator_id: int | None


@dataclass(frozen=True)
class ListedCase:
    """A listed case with its parties' names and the viewer's part in it."""

    case: CaseRow
    parties: list[PartyView]
    role: Who | None  # party or mediator, on the personal list


LIST_COLUMNS = (
    Dispute.id,
    Dispute.kind,
    Dispute.status,
    Dispute.created_at,
    Dispute.changed_at,
    Dispute.mediator_id,
)
MINE = (
    select(*LIST_COLUMNS)
    .where(
        or_(
            Dispute.mediator_id == bindparam("viewer"),
            Dispute.id.in_(
                select(DisputeParty.dispute_id).where(DisputeParty.user_id == bindparam("viewer"))
            ),
        )
    )
    .order_by(Dispute.changed_at.desc(), Dispute.id.desc())
)
ALL = select(*LIST_COLUMNS).order_by(Dispute.changed_at.desc(), Dispute.id.desc())


def my_cases(session: Session, viewer: User, *, page: int, per_page: int = 20) -> Page[ListedCase]:
    """The viewer's own cases (我的调解): those they are a party to and those they mediate. Private."""
    found = paginate(session, MINE.params(viewer=viewer.id), page=page, per_page=per_page, rows=True)
    return _listed(session, found, viewer)


def all_cases(
    session: Session, viewer: User | None, *, status: DisputeStatus | None, page: int, per_page: int = 30
) -> Page[ListedCase]:
    """Every case, newest activity first, for the committee chair (and admins who look after the site)."""
    if not can_list_all(viewer):
        raise PermissionDenied(N_("Only the committee chair sees every mediation case."))
    statement = ALL if status is None else ALL.where(Dispute.status == status)
    return _listed(session, paginate(session, statement, page=page, per_page=per_page, rows=True), None)


def _listed(session: Session, found: Page[object], viewer: User | None) -> Page[ListedCase]:
    rows = rows_as(CaseRow, found.items)
    parties = parties_for(session, [row.id for row in rows])
    items = [
        ListedCase(row, parties.get(row.id, []), _role(viewer, row, parties.get(row.id, []))) for row in rows
    ]
    return Page(items, found.number, found.per_page, found.total)


def _role(viewer: User | None, row: CaseRow, parties: Sequence[PartyView]) -> Who | None:
    if viewer is None:
        return None
    if row.mediator_id == viewer.id:
        return Who.mediator
    return Who.party if any(p.user_id == viewer.id for p in parties) else None


def parties_for(session: Session, dispute_ids: list[int]) -> dict[int, list[PartyView]]:
    """The parties of several cases in one query, by case."""
    if not dispute_ids:
        return {}
    rows = session.execute(
        select(DisputeParty.dispute_id, *PARTY_COLUMNS)
        .outerjoin(User, User.id == DisputeParty.user_id)
        .where(DisputeParty.dispute_id.in_(dispute_ids))
        .order_by(DisputeParty.side, DisputeParty.id)
    )
    found: dict[int, list[PartyView]] = {}
    listed = list(rows)
    for row, party in zip(listed, rows_as(PartyView, (row[1:] for row in listed)), strict=True):
        found.setdefault(row[0], []).append(party)
    return found
