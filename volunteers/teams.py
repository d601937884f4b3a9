"""Volunteer teams (志愿服务队): founding, leaders and co-leaders, joining and leaving, per-team settings.

Admins create a team and appoint its first leader; leaders appoint co-leaders and approve members
(teams that ask for approval). A team always keeps at least one leader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Subquery, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.notifications import define_kind, notify
from accounts.users import get_user
from core import audit, clock, site_settings
from core.errors import N_, Conflict, FieldErrors, Invalid, NotFound, PermissionDenied
from volunteers.access import access_team, can_create_team, can_lead_team, get_team, require_signed_in
from volunteers.models import JoinPolicy, MemberRole, Membership, MemberStatus, Team, TeamCell

CANCEL_WINDOW = site_settings.int_setting(
    "volunteers.cancel_window_hours",
    3,
    0,
    72,
    N_("Volunteer shifts: hours before the start after which a cancellation counts as late"),
)
OFFER_HOURS = site_settings.int_setting(
    "volunteers.offer_hours",
    12,
    1,
    72,
    N_("Volunteer shifts: hours a volunteer has to accept a freed place"),
    N_("Near the start the time is shorter: at most half of what is left before the shift."),
)
NO_SHOW_LIMIT = site_settings.int_setting(
    "volunteers.no_show_limit",
    2,
    1,
    20,
    N_("Volunteer shifts: no-shows after which a leader approves each sign-up"),
)
TEAM_SETTINGS = {
    "cancel_window_hours": CANCEL_WINDOW,
    "offer_hours": OFFER_HOURS,
    "no_show_limit": NO_SHOW_LIMIT,
}

define_kind(
    "volunteer_leader_appointed",
    N_("I was made a volunteer team leader"),
    N_("You now lead the volunteer team %(team)s."),
    target="team",
)
define_kind(
    "volunteer_join_requested",
    N_("Someone asks to join a team I lead"),
    N_("%(name)s asks to join %(team)s."),
    target="team",
)
define_kind(
    "volunteer_join_decided",
    N_("A volunteer team answered my request to join"),
    N_("%(team)s: %(answer)s"),
    target="team",
)

CELL_CODE = re.compile(r"^\d{15}$")
JOIN_ACCEPTED = N_("Welcome to the team.")
JOIN_REFUSED = N_("Your request to join was not accepted.")


@dataclass(frozen=True)
class TeamDraft:
    """What a team form carries; overrides of None follow the site settings."""

    name: str
    organisation: str
    description: str = ""
    join_policy: JoinPolicy = JoinPolicy.open
    cell_codes: tuple[str, ...] = ()
    cancel_window_hours: int | None = None
    offer_hours: int | None = None
    no_show_limit: int | None = None


def team_setting(session: Session, team: Team, name: str) -> int:
    """A team's value of ``name`` (its override, or the site setting)."""
    own = getattr(team, name)
    return int(own) if own is not None else int(site_settings.get(session, TEAM_SETTINGS[name].name))


def check_draft(session: Session, draft: TeamDraft, team_id: int | None = None) -> None:
    """``Invalid`` naming every field that is wrong, before anything is written."""
    errors = FieldErrors()
    if not draft.name.strip() or len(draft.name.strip()) > 80:
        errors.add("name", N_("Give the team a name of at most 80 characters."))
    elif _name_taken(session, draft.name.strip(), team_id):
        errors.add("name", N_("A team with this name exists already."))
    if not draft.organisation.strip() or len(draft.organisation.strip()) > 120:
        errors.add("organisation", N_("Name the organisation that issues the team's certificates."))
    if any(not CELL_CODE.match(code) for code in draft.cell_codes):
        errors.add("cell_codes", N_("A grid code has exactly 15 digits."))
    for field, definition in TEAM_SETTINGS.items():
        value = getattr(draft, field)
        if value is not None and not _in_bounds(definition, value):
            errors.add(field, N_("This value is not allowed here."))
    errors.raise_if_any()


def _in_bounds(definition: site_settings.Definition, value: int) -> bool:
    try:
        definition.parse(str(value))
    except ValueError:
        return False
    return True


def _name_taken(session: Session, name: str, team_id: int | None) -> bool:
    statement = select(Team.id).where(func.lower(Team.name) == name.lower())
    if team_id is not None:
        statement = statement.where(Team.id != team_id)
    return session.scalar(statement) is not None


def create_team(session: Session, actor: User | None, *, draft: TeamDraft, leader_id: int) -> Team:
    """Found a team (成立服务队) with its first leader. Admins only; audited."""
    if not can_create_team(actor):
        raise PermissionDenied()
    check_draft(session, draft)
    leader = get_user(session, leader_id)
    team = Team(created_at=clock.now(), created_by_id=actor.id)  # type: ignore[union-attr]
    _apply(team, draft)
    try:
        with session.begin_nested():
            session.add(team)
            session.flush()  # the cells and the leader's membership name the team by id
    except IntegrityError:  # another admin took the name at the same moment
        raise Invalid("name", N_("A team with this name exists already.")) from None
    _set_cells(session, team, draft.cell_codes)
    audit.record(session, actor, "team.create", "team", team.id, name=team.name)
    _make_leader(session, actor, team, leader)
    return team


def edit_team(session: Session, actor: User | None, *, team_id: int, draft: TeamDraft) -> Team:
    """Change a team's details, cells and overrides of the site settings. Its leaders and admins."""
    team = access_team(session, actor, team_id, lead=True)
    check_draft(session, draft, team.id)
    _apply(team, draft)
    _set_cells(session, team, draft.cell_codes)
    audit.record(session, actor, "team.edit", "team", team.id, name=team.name)
    return team


def _apply(team: Team, draft: TeamDraft) -> None:
    team.name, team.organisation = draft.name.strip(), draft.organisation.strip()
    team.description, team.join_policy = draft.description.strip(), draft.join_policy
    team.cancel_window_hours, team.offer_hours = draft.cancel_window_hours, draft.offer_hours
    team.no_show_limit = draft.no_show_limit


def _set_cells(session: Session, team: Team, codes: Iterable[str]) -> None:
    wanted = set(codes)
    have = set(session.scalars(select(TeamCell.cell_code).where(TeamCell.team_id == team.id)))
    for code in have - wanted:
        session.delete(session.get(TeamCell, (team.id, code)))
    session.add_all(TeamCell(team_id=team.id, cell_code=code) for code in sorted(wanted - have))


def appoint_leader(session: Session, actor: User | None, *, team_id: int, user_id: int) -> Membership:
    """Make someone a (co-)leader of the team (任命队长). Its leaders and admins; audited."""
    team = access_team(session, actor, team_id, lead=True)
    return _make_leader(session, actor, team, get_user(session, user_id))


def _make_leader(session: Session, actor: User | None, team: Team, person: User) -> Membership:
    membership = session.get(Membership, (team.id, person.id))
    if membership is None:
        membership = Membership(team_id=team.id, user_id=person.id, since=clock.now())
        session.add(membership)
    elif membership.role is MemberRole.leader and membership.status is MemberStatus.active:
        return membership
    membership.role, membership.status = MemberRole.leader, MemberStatus.active
    session.flush()  # the leaders relationship reads the row back
    session.expire(team, ["leaders"])
    audit.record(session, actor, "team.appoint_leader", "team", team.id, user=person.username)
    notify(session, [person.id], "volunteer_leader_appointed", "team", team.id, {"team": team.name})
    return membership


def step_down(session: Session, actor: User | None, *, team_id: int, user_id: int) -> Membership:
    """A leader becomes a member again (by themselves, another leader or an admin); one leader stays."""
    team = get_team(session, team_id, lock=True)  # two leaders stepping down at once: one must stay
    if not can_lead_team(actor, team):
        raise PermissionDenied()
    membership = session.get(Membership, (team.id, user_id))
    if membership is None or membership.role is not MemberRole.leader:
        raise NotFound()
    if _leader_count(session, team.id) <= 1:
        raise Conflict(N_("A team needs a leader. Appoint another leader first."))
    membership.role = MemberRole.member
    audit.record(session, actor, "team.remove_leader", "team", team.id, user_id=user_id)
    return membership


def _leader_count(session: Session, team_id: int) -> int:
    """Counted afresh under the team's lock (a loaded ``leaders`` list may predate the lock)."""
    statement = select(func.count()).where(
        Membership.team_id == team_id,
        Membership.role == MemberRole.leader,
        Membership.status == MemberStatus.active,
    )
    return session.scalar(statement) or 0


def join_team(session: Session, actor: User | None, *, team_id: int) -> Membership:
    """Join a team (加入服务队): at once for an open team, as a request where leaders approve members."""
    person = require_signed_in(actor)
    team = get_team(session, team_id)
    if session.get(Membership, (team.id, person.id)) is not None:
        raise Invalid("team", N_("You are in this team already, or have asked to join."))
    status = MemberStatus.active if team.join_policy is JoinPolicy.open else MemberStatus.requested
    membership = Membership(
        team_id=team.id, user_id=person.id, role=MemberRole.member, status=status, since=clock.now()
    )
    try:
        with session.begin_nested():
            session.add(membership)
    except IntegrityError:  # the same person pressed twice
        raise Invalid("team", N_("You are in this team already, or have asked to join.")) from None
    if status is MemberStatus.requested:
        leaders = [m.user_id for m in team.leaders]
        notify(
            session,
            leaders,
            "volunteer_join_requested",
            "team",
            team.id,
            {"team": team.name, "name": person.name},
        )
    return membership


def leave_team(session: Session, actor: User | None, *, team_id: int) -> None:
    """Leave a team (or withdraw a request). The last leader cannot leave."""
    person = require_signed_in(actor)
    team = get_team(session, team_id, lock=True)
    membership = session.get(Membership, (team.id, person.id))
    if membership is None:
        raise NotFound()
    if membership.role is MemberRole.leader and _leader_count(session, team.id) <= 1:
        raise Conflict(N_("A team needs a leader. Appoint another leader before you leave."))
    session.delete(membership)


def decide_member(
    session: Session, actor: User | None, *, team_id: int, user_id: int, accept: bool
) -> Membership:
    """Accept or refuse a request to join (审核入队). The team's leaders; audited, the person told."""
    team = access_team(session, actor, team_id, lead=True)
    membership = session.get(Membership, (team.id, user_id))
    if membership is None or membership.status is not MemberStatus.requested:
        raise NotFound()
    action = "team.accept_member" if accept else "team.refuse_member"
    audit.record(session, actor, action, "team", team.id, user_id=user_id)
    answer = JOIN_ACCEPTED if accept else JOIN_REFUSED
    notify(
        session, [user_id], "volunteer_join_decided", "team", team.id, {"team": team.name, "answer": answer}
    )
    if accept:
        membership.status = MemberStatus.active
    else:
        session.delete(membership)
    return membership


# --- what pages show --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    id: int
    name: str
    description: str
    join_policy: JoinPolicy
    members: int


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class TeamView:
    id: int
    name: str
    description: str
    organisation: str
    join_policy: JoinPolicy
    cell_codes: tuple[str, ...]
    leaders: tuple[Person, ...]
    members: int


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    role: MemberRole
    status: MemberStatus


def _member_counts() -> Subquery:
    return (
        select(Membership.team_id, func.count().label("members"))
        .where(Membership.status == MemberStatus.active)
        .group_by(Membership.team_id)
        .subquery()
    )


def list_teams(session: Session, *, cell_code: str | None = None) -> list[TeamRow]:
    """Teams by name with their member counts, optionally those serving one grid cell. Two columns' worth."""
    counts = _member_counts()
    statement = (
        select(Team.id, Team.name, Team.description, Team.join_policy, func.coalesce(counts.c.members, 0))
        .outerjoin(counts, counts.c.team_id == Team.id)
        .order_by(Team.name)
    )
    if cell_code:
        statement = statement.where(
            Team.id.in_(select(TeamCell.team_id).where(TeamCell.cell_code == cell_code))
        )
    return [TeamRow(*row) for row in session.execute(statement)]


def team_view(session: Session, team_id: int) -> TeamView:
    """One team for its page: details, cells, leaders and the member count, in four small queries."""
    row = session.execute(
        select(Team.id, Team.name, Team.description, Team.organisation, Team.join_policy).where(
            Team.id == team_id
        )
    ).first()
    if row is None:
        raise NotFound()
    cells = tuple(
        session.scalars(
            select(TeamCell.cell_code).where(TeamCell.team_id == team_id).order_by(TeamCell.cell_code)
        )
    )
    leaders = tuple(
        Person(uid, display or username)
        for uid, display, username in session.execute(
            select(User.id, User.display_name, User.username)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.team_id == team_id,
                Membership.role == MemberRole.leader,
                Membership.status == MemberStatus.active,
            )
            .order_by(User.id)
        )
    )
    members = session.scalar(
        select(func.count()).where(Membership.team_id == team_id, Membership.status == MemberStatus.active)
    )
    return TeamView(*row, cell_codes=cells, leaders=leaders, members=members or 0)


def team_members(session: Session, actor: User | None, team_id: int) -> list[MemberRow]:
    """Members and requests, leaders first, for the team's leaders (names of members are not public)."""
    access_team(session, actor, team_id, lead=True)
    rows = session.execute(
        select(User.id, User.display_name, User.username, Membership.role, Membership.status)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id == team_id)
        .order_by(case((Membership.role == MemberRole.leader, 0), else_=1), User.id)
    )
    return [
        MemberRow(uid, display or username, role, status) for uid, display, username, role, status in rows
    ]


def memberships_of(session: Session, user_id: int) -> dict[int, Membership]:
    """A person's memberships and requests by team id, in one query (for buttons on team lists)."""
    return {m.team_id: m for m in session.scalars(select(Membership).where(Membership.user_id == user_id))}


def teams_led_by(session: Session, user_id: int) -> list[Person]:
    """The teams a person leads, by name (their leader menu)."""
    rows = session.execute(
        select(Team.id, Team.name)
        .join(Membership, Membership.team_id == Team.id)
        .where(
            Membership.user_id == user_id,
            Membership.role == MemberRole.leader,
            Membership.status == MemberStatus.active,
        )
        .order_by(Team.name)
    )
    return [Person(tid, name) for tid, name in rows]
