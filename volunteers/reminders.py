"""Reminders (提醒) before a shift and the leaders' question after it: a job every 15 minutes.

- The day before: from 24 hours before the start, each confirmed volunteer is reminded to come or to
  cancel so that someone else can (not those who signed up within that day: they just did).
- On the day: from three hours before the start.
- After the end: the team's leaders are asked who came, while sign-ups are still unmarked (within a
  week of the end, so a long outage does not ask about old shifts).

Each reminder is stamped on its sign-up (the question on its shift) in the transaction that writes the
notification, under the shift's row lock, so a job run twice or a sign-up cancelled meanwhile tells
nobody wrongly. Delivery by e-mail or SMS is the notifications' own job.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.db import run_write
from core.jobs import JobContext, handler
from core.schedules import EveryMinutes, every
from volunteers.access import lock_shifts
from volunteers.models import MemberRole, Membership, MemberStatus, Shift, ShiftStatus, Signup, SignupStatus
from volunteers.notices import tell

S = SignupStatus
EVE = timedelta(hours=24)
DAY = timedelta(hours=3)
ASK_WITHIN = timedelta(days=7)
REMINDERS_JOB = "volunteers.reminders"


def send_due_reminders(session: Session, now: datetime) -> int:
    """Send every reminder and question that is due; how many people were told."""
    return (
        _remind(session, now, eve=True) + _remind(session, now, eve=False) + ask_for_attendance(session, now)
    )


def _remind(session: Session, now: datetime, *, eve: bool) -> int:
    stamp = Signup.reminded_eve_at if eve else Signup.reminded_day_at
    earliest, latest = (now + DAY, now + EVE) if eve else (now, now + DAY)
    due_shifts = select(Shift.id).join(Signup, Signup.shift_id == Shift.id).where(
        Shift.status == ShiftStatus.scheduled, Shift.starts_at > earliest, Shift.starts_at <= latest,
        Signup.status == S.confirmed, stamp.is_(None),
    )  # fmt: skip
    told = 0
    for shift in lock_shifts(session, session.scalars(due_shifts.distinct())):
        signups = session.scalars(
            select(Signup).where(Signup.shift_id == shift.id, Signup.status == S.confirmed, stamp.is_(None))
        )
        people = []
        for signup in signups:
            if eve:
                signup.reminded_eve_at = now
            else:
                signup.reminded_day_at = now
            if not eve or signup.created_at < shift.starts_at - EVE:
                people.append(signup.user_id)
        tell(session, people, "volunteer_reminder_eve" if eve else "volunteer_reminder_day", shift)
        told += len(people)
    return told


def ask_for_attendance(session: Session, now: datetime) -> int:
    """Ask the leaders of shifts that have ended who came; once per shift."""
    ended = select(Shift.id).where(
        Shift.status == ShiftStatus.scheduled, Shift.ends_at <= now, Shift.ends_at > now - ASK_WITHIN,
        Shift.attendance_asked_at.is_(None),
    )  # fmt: skip
    told = 0
    for shift in lock_shifts(session, session.scalars(ended)):
        shift.attendance_asked_at = now
        unmarked = session.scalar(
            select(Signup.id).where(Signup.shift_id == shift.id, Signup.status == S.confirmed).limit(1)
        )
        if unmarked is not None:
            leaders = _leaders_by_team(session, [shift.team_id])[shift.team_id]
            tell(session, leaders, "volunteer_attendance_due", shift)
            told += len(leaders)
    return told


def _leaders_by_team(session: Session, team_ids: list[int]) -> dict[int, list[int]]:
    statement = select(Membership.team_id, Membership.user_id).where(
        Membership.team_id.in_(team_ids),
        Membership.role == MemberRole.leader,
        Membership.status == MemberStatus.active,
    )
    found: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in session.execute(statement):
        found[team_id].append(user_id)
    return found


@handler(REMINDERS_JOB, timeout=120)
def run_reminders(context: JobContext, payload: dict[str, Any]) -> None:
    """The periodic job: whatever reminders are due now."""
    run_write(context.sessions, lambda session: send_due_reminders(session, clock.now()))


every(REMINDERS_JOB, REMINDERS_JOB, EveryMinutes(15))
