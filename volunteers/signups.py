"""Signing up for shifts (报名) and cancelling (取消报名), with the rules a sign-up must meet.

A sign-up locks the shift, then the volunteer, checks every rule (the message names the rule and the
shift), and only then writes: confirmed while places are free, else waitlisted, or pending a leader's
approval after too many no-shows (that holds no place). Capacity is held by the database (a CHECK on
``taken``, a partial unique index on a volunteer's active sign-up); the locks make the checks true
when the row is written. Cancelling frees the place and offers it to the first in line at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import User
from core import audit, clock
from core.errors import N_, Conflict, FieldErrors, Invalid, Msgid
from volunteers.access import (
    access_signup,
    access_team,
    get_team,
    lock_shift,
    lock_volunteers,
    require_signed_in,
)
from volunteers.lifecycle import ACTIVE, HOLDS_PLACE, admit, move, place_in_line
from volunteers.models import (
    MemberRole,
    Membership,
    MemberStatus,
    Shift,
    ShiftStatus,
    Signup,
    SignupStatus,
    Team,
)
from volunteers.notices import SIGNUP_ACCEPTED, SIGNUP_REFUSED, tell
from volunteers.profiles import age_on, profile_of
from volunteers.teams import team_setting
from volunteers.waitlist import next_in_line, offer_places

S = SignupStatus


def sign_up(session: Session, actor: User | None, *, shift_id: int) -> Signup:
    """Sign up for a shift (报名): confirmed if a place is free, else on the waiting list (候补)."""
    person = require_signed_in(actor)
    shift = lock_shift(session, shift_id)
    lock_volunteers(session, [person.id])
    now = clock.now()
    check_rules(session, person, shift, now)
    team = get_team(session, shift.team_id)
    status = _first_status(session, team, shift, person.id)
    signup = Signup(shift_id=shift.id, user_id=person.id)
    try:
        with session.begin_nested():
            admit(shift, signup, status, now)
            session.add(signup)
            session.flush()  # inside the savepoint, so a lost race surfaces here and undoes only this
    except IntegrityError:  # the partial unique index or the capacity CHECK: another request won
        raise Conflict(N_("This shift changed while you signed up. Reload the page and try again.")) from None
    if status is S.pending_approval:
        tell(
            session, _leader_ids(session, team.id), "volunteer_signup_needs_approval", shift, name=person.name
        )
    return signup


def _first_status(session: Session, team: Team, shift: Shift, user_id: int) -> SignupStatus:
    if no_shows(session, team.id, user_id) >= team_setting(session, team, "no_show_limit"):
        return S.pending_approval
    return S.confirmed if shift.taken < shift.capacity else S.waitlisted


def check_rules(session: Session, person: User, shift: Shift, now: datetime) -> None:
    """Every rule a sign-up breaks, at once (``Invalid``), before anything is written."""
    errors = FieldErrors()
    _check_timing(errors, shift, now)
    _check_person(session, errors, person, shift)
    if _active_signup(session, shift.id, person.id) is not None:
        errors.add("shift", N_("You have signed up for %(shift)s already."), shift=shift.title)
    elif (other := overlapping_signup(session, person.id, shift)) is not None:
        errors.add(
            "overlap",
            N_("%(shift)s overlaps %(other)s (%(start)s), which you have signed up for."),
            shift=shift.title,
            other=other.title,
            start=other.starts_at,
        )
    errors.raise_if_any()


def _check_timing(errors: FieldErrors, shift: Shift, now: datetime) -> None:
    if shift.status is ShiftStatus.cancelled:
        errors.add("shift", N_("%(shift)s is cancelled."), shift=shift.title)
    elif now >= shift.signup_deadline:
        errors.add(
            "deadline",
            N_("Sign-up for %(shift)s closed at %(deadline)s."),
            shift=shift.title,
            deadline=shift.signup_deadline,
        )
    elif shift.opens_hours_before is not None and now < opens_at(shift):
        errors.add(
            "opens", N_("Sign-up for %(shift)s opens at %(opens)s."), shift=shift.title, opens=opens_at(shift)
        )


def opens_at(shift: Shift) -> datetime:
    """When sign-up opens: at once, or ``opens_hours_before`` the start for a popular shift."""
    if shift.opens_hours_before is None:
        return shift.created_at
    return shift.starts_at - timedelta(hours=shift.opens_hours_before)


def _check_person(session: Session, errors: FieldErrors, person: User, shift: Shift) -> None:
    profile = profile_of(session, person.id)
    for skill in sorted(shift.required_skills - profile.skills, key=lambda s: s.value):
        errors.add(
            f"skill_{skill.value}",
            N_("%(shift)s needs a volunteer with this skill: %(skill)s."),
            shift=shift.title,
            skill=Msgid(skill.label),
        )
    if shift.min_age is None:
        return
    if profile.birth_date is None:
        errors.add(
            "age",
            N_(
                "%(shift)s is for volunteers aged %(age)s or over: "
                "add your date of birth to your volunteer profile."
            ),
            shift=shift.title,
            age=shift.min_age,
        )
    elif age_on(profile.birth_date, clock.local(shift.starts_at).date()) < shift.min_age:
        errors.add(
            "age",
            N_("%(shift)s is for volunteers aged %(age)s or over."),
            shift=shift.title,
            age=shift.min_age,
        )


def _active_signup(session: Session, shift_id: int, user_id: int) -> Signup | None:
    return session.scalar(
        select(Signup).where(
            Signup.shift_id == shift_id, Signup.user_id == user_id, Signup.status.in_(ACTIVE | HOLDS_PLACE)
        )
    )


def overlapping_signup(session: Session, user_id: int, shift: Shift) -> Shift | None:
    """Another shift at an overlapping time that the volunteer is in the running for, if any."""
    statement = (
        select(Shift)
        .join(Signup, Signup.shift_id == Shift.id)
        .where(
            Signup.user_id == user_id,
            Signup.status.in_(ACTIVE),
            Shift.id != shift.id,
            Shift.status == ShiftStatus.scheduled,
            and_(Shift.starts_at < shift.ends_at, Shift.ends_at > shift.starts_at),
        )
        .order_by(Shift.starts_at)
        .limit(1)
    )
    return session.scalar(statement)


def no_shows(session: Session, team_id: int, user_id: int) -> int:
    """How many times the volunteer did not come to this team's shifts."""
    statement = (
        select(func.count())
        .select_from(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .where(Signup.user_id == user_id, Signup.status == S.no_show, Shift.team_id == team_id)
    )
    return session.scalar(statement) or 0


def _leader_ids(session: Session, team_id: int) -> list[int]:
    statement = select(Membership.user_id).where(
        Membership.team_id == team_id,
        Membership.role == MemberRole.leader,
        Membership.status == MemberStatus.active,
    )
    return list(session.scalars(statement))


def cancel_signup(session: Session, actor: User | None, *, signup_id: int, note: str = "") -> Signup:
    """Cancel a sign-up (取消报名), or decline an offer; the freed place goes to the first in line.

    Inside the team's cancellation window a volunteer's cancel is recorded as late; a leader taking
    someone off a shift is never late, and the volunteer is told.
    """
    shift, signup, team = access_signup(session, actor, signup_id)
    now = clock.now()
    by_leader = actor is not None and actor.id != signup.user_id
    to = _cancelled_status(session, team, shift, signup, now, by_leader)
    freed = signup.status in (S.confirmed, S.offered)
    line = next_in_line(session, shift.id, 1) if freed else []
    lock_volunteers(session, [signup.user_id, *(s.user_id for s in line)])
    move(shift, signup, to, now)
    signup.note = note.strip()[:200]
    if by_leader:
        audit.record(session, actor, "signup.remove", "shift", shift.id, user_id=signup.user_id)
        tell(session, [signup.user_id], "volunteer_signup_removed", shift)
    offer_places(session, shift, line, now)
    return signup


def _cancelled_status(
    session: Session, team: Team, shift: Shift, signup: Signup, now: datetime, by_leader: bool
) -> SignupStatus:
    if signup.status not in ACTIVE:
        raise Conflict(
            N_("This sign-up is now: %(status)s. Reload the page."), status=Msgid(signup.status.label)
        )
    if now >= shift.starts_at and not by_leader:
        raise Invalid("shift", N_("%(shift)s has started: tell the team leader instead."), shift=shift.title)
    window = timedelta(hours=team_setting(session, team, "cancel_window_hours"))
    late = signup.status is S.confirmed and not by_leader and now >= shift.starts_at - window
    return S.late_cancelled if late else S.cancelled


def decide_signup(session: Session, actor: User | None, *, signup_id: int, accept: bool) -> Signup:
    """A leader accepts (into a free place or the line) or refuses a sign-up pending approval."""
    shift, signup, _team = access_signup(session, actor, signup_id, lead=True)
    if signup.status is not S.pending_approval:
        raise Conflict(
            N_("This sign-up is now: %(status)s. Reload the page."), status=Msgid(signup.status.label)
        )
    lock_volunteers(session, [signup.user_id])
    now = clock.now()
    if accept:
        to = S.confirmed if shift.taken < shift.capacity else S.waitlisted
        signup.position = place_in_line(shift)  # in line from now: the order leaders approve in
        move(shift, signup, to, now)
    else:
        move(shift, signup, S.cancelled, now)
    audit.record(
        session,
        actor,
        "signup.approve" if accept else "signup.refuse",
        "shift",
        shift.id,
        user_id=signup.user_id,
    )
    tell(
        session,
        [signup.user_id],
        "volunteer_signup_decided",
        shift,
        answer=SIGNUP_ACCEPTED if accept else SIGNUP_REFUSED,
    )
    return signup


# --- what pages show --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MySignup:
    """One of a volunteer's sign-ups with the shift's essentials (their own list)."""

    signup_id: int
    status: SignupStatus
    offer_expires_at: datetime | None
    shift_id: int
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    team_name: str


def signups_of(session: Session, user_id: int, *, since: datetime | None = None) -> list[MySignup]:
    """A volunteer's sign-ups for shifts ending after ``since`` (default now), soonest first."""
    since = since or clock.now()
    statement = (
        select(
            Signup.id,
            Signup.status,
            Signup.offer_expires_at,
            Shift.id,
            Shift.title,
            Shift.place,
            Shift.starts_at,
            Shift.ends_at,
            Team.name,
        )
        .join(Shift, Shift.id == Signup.shift_id)
        .join(Team, Team.id == Shift.team_id)
        .where(Signup.user_id == user_id, Shift.ends_at > since)
        .order_by(Shift.starts_at, Signup.id)
    )
    return [MySignup(*row) for row in session.execute(statement)]


def statuses_for(session: Session, user_id: int, shift_ids: list[int]) -> dict[int, Signup]:
    """The volunteer's current sign-up on each of ``shift_ids`` (for buttons on a list), one query."""
    if not shift_ids:
        return {}
    statement = select(Signup).where(
        Signup.user_id == user_id,
        Signup.shift_id.in_(shift_ids),
        Signup.status.not_in((S.cancelled, S.late_cancelled, S.expired)),
    )
    return {signup.shift_id: signup for signup in session.scalars(statement)}


@dataclass(frozen=True)
class RosterRow:
    """A line of a shift's roster for its leaders: who, in what state, where in line."""

    signup_id: int
    user_id: int
    name: str
    status: SignupStatus
    position: int | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    created_at: datetime


def roster_of(session: Session, shift_id: int) -> list[RosterRow]:
    """Every sign-up of a shift in line order (pending ones last), names included, in one query.

    No authorization here: callers are ``volunteers.checkin.shift_roster`` and the exports, which check.
    """
    statement = (
        select(
            Signup.id,
            User.id,
            User.display_name,
            User.username,
            Signup.status,
            Signup.position,
            Signup.checked_in_at,
            Signup.checked_out_at,
            Signup.created_at,
        )
        .join(User, User.id == Signup.user_id)
        .where(Signup.shift_id == shift_id)
        .order_by(Signup.position.is_(None), Signup.position, Signup.id)
    )
    return [
        RosterRow(sid, uid, display or username, status, position, came, left, created)
        for sid, uid, display, username, status, position, came, left, created in session.execute(statement)
    ]


@dataclass(frozen=True)
class PendingRow:
    """A sign-up waiting for a leader's approval, with its shift (the leaders' list)."""

    signup_id: int
    user_id: int
    name: str
    shift_id: int
    title: str
    starts_at: datetime


def pending_signups(session: Session, actor: User | None, *, team_id: int) -> list[PendingRow]:
    """Sign-ups pending approval on the team's shifts that have not started, soonest first. Its leaders."""
    access_team(session, actor, team_id, lead=True)
    statement = (
        select(Signup.id, User.id, User.display_name, User.username, Shift.id, Shift.title, Shift.starts_at)
        .join(User, User.id == Signup.user_id)
        .join(Shift, Shift.id == Signup.shift_id)
        .where(Shift.team_id == team_id, Signup.status == S.pending_approval, Shift.starts_at > clock.now())
        .order_by(Shift.starts_at, Signup.id)
    )
    return [
        PendingRow(sid, uid, display or username, shift_id, title, starts)
        for sid, uid, display, username, shift_id, title, starts in session.execute(statement)
    ]
