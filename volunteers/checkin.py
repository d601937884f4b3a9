"""On the day (签到签退): leaders check volunteers in and out; afterwards they say who came.

Check-in opens two hours before the start and closes half a day after the end. Marking someone as
having come writes their hours line; a no-show is counted against the volunteer in this team (see
``volunteers.signups.no_shows``), and a leader may correct it to attended.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from core import audit, clock
from core.errors import N_, Conflict, Invalid
from volunteers.access import access_shift, access_signup
from volunteers.hours import record_shift_hours
from volunteers.lifecycle import can_move, move
from volunteers.models import HoursRecord, Shift, Signup, SignupStatus
from volunteers.signups import RosterRow, roster_of

S = SignupStatus
OPENS_BEFORE = timedelta(hours=2)
CLOSES_AFTER = timedelta(hours=12)


def _check_day(shift: Shift) -> None:
    now = clock.now()
    if now < shift.starts_at - OPENS_BEFORE:
        raise Invalid(
            "shift",
            N_("Check-in for %(shift)s opens at %(opens)s."),
            shift=shift.title,
            opens=shift.starts_at - OPENS_BEFORE,
        )
    if now > shift.ends_at + CLOSES_AFTER:
        raise Invalid(
            "shift", N_("Check-in for %(shift)s has closed: mark attendance instead."), shift=shift.title
        )


def check_in(session: Session, actor: User | None, *, signup_id: int) -> Signup:
    """Check a volunteer in (签到): they came. The shift's leaders, on the day; audited."""
    shift, signup, _team = access_signup(session, actor, signup_id, lead=True)
    _check_day(shift)
    move(shift, signup, S.attended, clock.now())
    signup.checked_in_at = clock.now()
    audit.record(session, actor, "attendance.check_in", "shift", shift.id, user_id=signup.user_id)
    return signup


def check_out(session: Session, actor: User | None, *, signup_id: int) -> HoursRecord:
    """Check a volunteer out (签退) and write their hours for the shift."""
    shift, signup, _team = access_signup(session, actor, signup_id, lead=True)
    if signup.status is not S.attended or signup.checked_in_at is None:
        raise Invalid("signup", N_("Check the volunteer in first."))
    if signup.checked_out_at is not None:
        raise Conflict(N_("This volunteer was checked out already."))
    now = clock.now()
    signup.checked_out_at = now
    audit.record(session, actor, "attendance.check_out", "shift", shift.id, user_id=signup.user_id)
    return record_shift_hours(session, actor, shift, signup, now)


def record_attendance(
    session: Session,
    actor: User | None,
    *,
    shift_id: int,
    came: Iterable[int] = (),
    missed: Iterable[int] = (),
) -> list[Signup]:
    """After the start, say who came and who did not (by sign-up id); hours for those who came."""
    shift = access_shift(session, actor, shift_id, lead=True, lock=True)
    came_ids, missed_ids = set(came), set(missed)
    signups = _signups_of_shift(session, shift, came_ids | missed_ids)
    if clock.now() < shift.starts_at:
        raise Invalid("shift", N_("%(shift)s has not started yet."), shift=shift.title)
    if came_ids & missed_ids:
        raise Invalid("missed", N_("Someone cannot both come and miss a shift."))
    plan = [(signup, S.attended if signup.id in came_ids else S.no_show) for signup in signups]
    if any(signup.status is not to and not can_move(signup, to) for signup, to in plan):
        raise Invalid("signups", N_("Only confirmed volunteers can be marked, and one who came stays so."))
    now = clock.now()
    for signup, to in plan:
        _mark(session, actor, shift, signup, to, now)
    audit.record(
        session, actor, "attendance.record", "shift", shift.id, came=len(came_ids), missed=len(missed_ids)
    )
    return signups


def _signups_of_shift(session: Session, shift: Shift, ids: set[int]) -> list[Signup]:
    found = list(session.scalars(select(Signup).where(Signup.id.in_(ids)).order_by(Signup.id)))
    if len(found) != len(ids) or any(s.shift_id != shift.id for s in found):
        raise Invalid(
            "signups", N_("Only volunteers signed up for %(shift)s can be marked."), shift=shift.title
        )
    return found


def _mark(
    session: Session, actor: User | None, shift: Shift, signup: Signup, to: SignupStatus, now: datetime
) -> None:
    if signup.status is not to:
        move(shift, signup, to, now)
    if to is S.attended:
        record_shift_hours(session, actor, shift, signup, now)


def shift_roster(session: Session, actor: User | None, *, shift_id: int) -> list[RosterRow]:
    """The shift's sign-ups in line order, for its leaders (the check-in page)."""
    access_shift(session, actor, shift_id, lead=True)
    return roster_of(session, shift_id)
