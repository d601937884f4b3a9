"""The committee (群议委): its members' public profiles and the roster page. Membership itself is the
``committee_member`` role admins grant; the chair is the flag on one member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import Role, StakeholderGroup, User, UserRole
from accounts.permissions import is_admin, is_committee_member
from core import audit
from core.errors import N_, FieldErrors, NotFound, PermissionDenied
from deliberation.consultations.models import CommitteeProfile


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    username: str
    group: StakeholderGroup
    is_chair: bool
    title: str
    expertise: str
    biography: str
    term_start: date | None
    term_end: date | None


ROSTER = (
    select(
        User.id,
        User.display_name,
        User.username,
        User.group,
        UserRole.is_chair,
        CommitteeProfile.title,
        CommitteeProfile.expertise,
        CommitteeProfile.biography,
        CommitteeProfile.term_start,
        CommitteeProfile.term_end,
    )
    .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == Role.committee_member))
    .outerjoin(CommitteeProfile, CommitteeProfile.user_id == User.id)
    .where(User.is_active)
    .order_by(UserRole.is_chair.desc(), User.id)
)


def members(session: Session) -> list[Member]:
    """The committee, the chair first (the public roster)."""
    return [
        Member(
            uid, name or username, username, group, chair, title or "", expertise or "", bio or "", start, end
        )
        for uid, name, username, group, chair, title, expertise, bio, start, end in session.execute(ROSTER)
    ]


def edit_profile(
    session: Session,
    actor: User | None,
    member_id: int,
    *,
    title: str,
    expertise: str,
    biography: str,
    term_start: date | None,
    term_end: date | None,
) -> CommitteeProfile:
    """A member's public profile, written by themselves or an admin."""
    if actor is None or not (is_admin(actor) or actor.id == member_id):
        raise PermissionDenied()
    member = session.get(User, member_id)
    if member is None or not is_committee_member(member):
        raise NotFound()
    errors = FieldErrors()
    for field, value, limit in (
        ("title", title, 60),
        ("expertise", expertise, 200),
        ("biography", biography, 4000),
    ):
        if len(value) > limit:
            errors.add(field, N_("At most %(max)s characters."), max=limit)
    if term_start and term_end and term_end < term_start:
        errors.add("term_end", N_("The term must end after it starts."))
    errors.raise_if_any()
    profile = session.get(CommitteeProfile, member_id) or CommitteeProfile(user_id=member_id)
    profile.title, profile.expertise, profile.biography = title.strip(), expertise.strip(), biography.strip()
    profile.term_start, profile.term_end = term_start, term_end
    session.add(profile)
    audit.record(session, actor, "committee.profile", "user", member_id)
    return profile
