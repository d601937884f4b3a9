"""The waiting list (候补) and offers of freed places.

A full shift puts new sign-ups in line; the line is the order of ``position``, handed out under the
shift's row lock, so it is commit order. When a place frees up (a cancellation, an expired or declined
offer, a larger capacity), the first in line is offered it in the same transaction. The offer holds
the place (it counts in ``taken``) until it expires: after the team's offer window, but near the start
at most half of the time left, and when that is under ``MIN_OFFER`` no offer is made and the place is
left to whoever signs up next.

Expiry is a job per offer (``run_at`` the expiry, a unique key), with a sweep every five minutes as a
safety net; both are idempotent, since an offer expires only while it is still held and due.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import User
from core import clock, jobs
from core.db import run_write
from core.errors import N_, Invalid, PermissionDenied
from core.jobs import JobContext, handler
from core.schedules import EveryMinutes, every
from volunteers.access import (
    access_signup,
    get_team,
    lock_shift,
    lock_volunteers,
    shift_of_signup,
)
from volunteers.lifecycle import move
from volunteers.models import Shift, ShiftStatus, Signup, SignupStatus
from volunteers.notices import local_text, tell
from volunteers.teams import team_setting

S = SignupStatus
MIN_OFFER = timedelta(minutes=15)
EXPIRE_JOB = "volunteers.expire_offer"
SWEEP_JOB = "volunteers.sweep_offers"
SWEEP_BATCH = 200


def offer_until(session: Session, shift: Shift, now: datetime) -> datetime | None:
    """When an offer made ``now`` runs out, or None when it is too late to offer a place."""
    if shift.status is not ShiftStatus.scheduled:
        return None
    window = timedelta(hours=team_setting(session, get_team(session, shift.team_id), "offer_hours"))
    half_left = (shift.starts_at - now) / 2
    if half_left < MIN_OFFER:
        return None
    return now + min(window, half_left)


def next_in_line(session: Session, shift_id: int, count: int) -> list[Signup]:
    """The first ``count`` waitlisted sign-ups of a shift, in line order."""
    if count <= 0:
        return []
    statement = (
        select(Signup)
        .where(Signup.shift_id == shift_id, Signup.status == S.waitlisted)
        .order_by(Signup.position)
        .limit(count)
    )
    return list(session.scalars(statement))


def offer_places(session: Session, shift: Shift, line: list[Signup], now: datetime) -> list[Signup]:
    """Offer the shift's free places to ``line`` (the first in line; the caller locked their rows)."""
    free = shift.capacity - shift.taken
    until = offer_until(session, shift, now) if free > 0 and line else None
    if until is None:
        return []
    offered = line[:free]
    for signup in offered:
        move(shift, signup, S.offered, now, offer_until=until)
        key = f"{EXPIRE_JOB}:{signup.id}:{until.isoformat()}"
        jobs.enqueue(session, EXPIRE_JOB, {"signup_id": signup.id}, key=key, run_at=until)
    tell(session, [s.user_id for s in offered], "volunteer_offer", shift, until=local_text(until))
    return offered


def fill_free_places(session: Session, shift: Shift, now: datetime) -> list[Signup]:
    """Offer every free place of the (locked) shift to the next in line, locking them by id first."""
    line = next_in_line(session, shift.id, shift.capacity - shift.taken)
    lock_volunteers(session, [s.user_id for s in line])
    return offer_places(session, shift, line, now)


def accept_offer(session: Session, actor: User | None, *, signup_id: int) -> Signup:
    """Take the offered place (接受补位): the sign-up is confirmed. Only the volunteer offered it."""
    shift, signup, _team = access_signup(session, actor, signup_id)
    if actor is None or signup.user_id != actor.id:
        raise PermissionDenied()
    now = clock.now()
    if signup.status is not S.offered or signup.offer_expires_at is None or signup.offer_expires_at <= now:
        raise Invalid("offer", N_("The place on %(shift)s is no longer offered to you."), shift=shift.title)
    move(shift, signup, S.confirmed, now)
    return signup


def expire_offers(session: Session, shift_id: int, now: datetime) -> int:
    """Let the shift's due offers run out and offer the places to the next in line; how many ran out.

    One shift per transaction: its lock first, then every volunteer concerned by id, as everywhere.
    """
    shift = lock_shift(session, shift_id)
    due = list(
        session.scalars(
            select(Signup)
            .where(Signup.shift_id == shift.id, Signup.status == S.offered, Signup.offer_expires_at <= now)
            .order_by(Signup.position)
        )
    )
    if not due:
        return 0
    line = next_in_line(session, shift.id, len(due))
    lock_volunteers(session, [s.user_id for s in (*due, *line)])
    for signup in due:
        move(shift, signup, S.expired, now)
    tell(session, [s.user_id for s in due], "volunteer_offer_expired", shift)
    offer_places(session, shift, line, now)
    return len(due)


def shifts_with_due_offers(session: Session, now: datetime) -> list[int]:
    """Shifts with an offer past its expiry, by id (the sweep takes them one transaction each)."""
    statement = (
        select(Signup.shift_id)
        .where(Signup.status == S.offered, Signup.offer_expires_at <= now)
        .group_by(Signup.shift_id)
        .order_by(Signup.shift_id)
        .limit(SWEEP_BATCH)
    )
    return list(session.scalars(statement))


def demote_over_capacity(session: Session, shift: Shift, capacity: int, now: datetime) -> list[Signup]:
    """Before lowering capacity below ``taken``: the latest holders go back to the line, with notice."""
    excess = shift.taken - capacity
    if excess <= 0:
        return []
    latest = list(
        session.scalars(
            select(Signup)
            .where(Signup.shift_id == shift.id, Signup.status.in_((S.confirmed, S.offered)))
            .order_by(Signup.position.desc())
            .limit(excess)
        )
    )
    for signup in latest:
        move(shift, signup, S.waitlisted, now)
    tell(session, [s.user_id for s in latest], "volunteer_back_on_waitlist", shift)
    return latest


def movable_places(session: Session, shift_id: int) -> int:
    """How many held places a lower capacity could take back (check-ins keep theirs)."""
    statement = select(func.count()).where(
        Signup.shift_id == shift_id, Signup.status.in_((S.confirmed, S.offered))
    )
    return session.scalar(statement) or 0


@handler(EXPIRE_JOB, timeout=30)
def run_expire_offer(context: JobContext, payload: dict[str, Any]) -> None:
    """The job at an offer's expiry: that shift's due offers run out (a no-op if accepted meanwhile)."""

    def work(session: Session) -> int:
        return expire_offers(session, shift_of_signup(session, int(payload["signup_id"])), clock.now())

    run_write(context.sessions, work)


@handler(SWEEP_JOB, timeout=120)
def run_sweep(context: JobContext, payload: dict[str, Any]) -> None:
    """The safety net for a lost or late job: every due offer, one shift per transaction.

    Not all shifts in one transaction: it would hold one shift's volunteers while waiting for the
    next shift, against the lock order, and could deadlock with a cancellation there.
    """
    now = clock.now()
    with context.sessions.read() as session:
        due = shifts_with_due_offers(session, now)
    for shift_id in due:
        run_write(context.sessions, partial(expire_offers, shift_id=shift_id, now=now))


every(SWEEP_JOB, SWEEP_JOB, EveryMinutes(5))


def place_on_waitlist(session: Session, shift_id: int, position: int) -> int:
    """Where a waitlisted sign-up at ``position`` stands now: 1 for the next to be offered a place."""
    statement = select(func.count()).where(
        Signup.shift_id == shift_id, Signup.status == S.waitlisted, Signup.position <= position
    )
    return session.scalar(statement) or 0
