"""Reminders before a shift and the leaders' question after it, as the periodic job runs them."""

from __future__ import annotations

from datetime import timedelta

from accounts import notifications
from core import jobs, schedules
from tests.factories import make_shift
from volunteers import reminders, signups, waitlist


def told(session, user) -> list[str]:
    return [n.kind for n in notifications.notifications_for(session, user).items]


def test_the_day_before_and_on_the_day_each_once(session, crew, frozen):
    shift = make_shift(session, crew.liu, crew.team, starts_at=frozen.now + timedelta(days=2))
    signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    assert reminders.send_due_reminders(session, frozen.now) == 0
    frozen.set(shift.starts_at - timedelta(hours=24))
    assert reminders.send_due_reminders(session, frozen.now) == 1
    assert reminders.send_due_reminders(session, frozen.advance(minutes=15)) == 0  # stamped: once
    frozen.set(shift.starts_at - timedelta(hours=3))
    assert reminders.send_due_reminders(session, frozen.now) == 1
    assert told(session, crew.cast.wang_ayi) == ["volunteer_reminder_day", "volunteer_reminder_eve"]


def test_no_eve_reminder_for_a_signup_made_within_the_day_and_none_for_the_cancelled(session, crew, frozen):
    shift = make_shift(session, crew.liu, crew.team, starts_at=frozen.now + timedelta(hours=20))
    signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    gone = signups.sign_up(session, crew.cast.li_shifu, shift_id=shift.id)
    signups.cancel_signup(session, crew.cast.li_shifu, signup_id=gone.id)
    reminders.send_due_reminders(session, frozen.now)
    assert told(session, crew.cast.wang_ayi) == []
    frozen.set(shift.starts_at - timedelta(hours=2))
    reminders.send_due_reminders(session, frozen.now)
    assert told(session, crew.cast.wang_ayi) == ["volunteer_reminder_day"]
    assert told(session, crew.cast.li_shifu) == []


def test_leaders_are_asked_who_came_once_while_someone_is_unmarked(session, crew, frozen):
    shift = make_shift(session, crew.liu, crew.team, starts_at=frozen.now + timedelta(hours=5))
    empty = make_shift(session, crew.liu, crew.team, starts_at=shift.starts_at + timedelta(hours=1))
    signups.sign_up(session, crew.cast.wang_ayi, shift_id=shift.id)
    frozen.set(empty.ends_at)
    reminders.send_due_reminders(session, frozen.now)
    reminders.send_due_reminders(session, frozen.advance(minutes=15))
    assert told(session, crew.liu).count("volunteer_attendance_due") == 1
    assert empty.attendance_asked_at is not None  # looked at, nobody to ask about


def test_the_volunteer_jobs_are_scheduled_and_handled():
    assert {reminders.REMINDERS_JOB, waitlist.SWEEP_JOB} <= {s.kind for s in schedules.SCHEDULES.values()}
    assert {reminders.REMINDERS_JOB, waitlist.SWEEP_JOB, waitlist.EXPIRE_JOB} <= set(jobs.HANDLERS)


def test_the_offer_jobs_run_through_their_handlers(session, sessions, crew, frozen):
    from sqlalchemy import select

    from core.jobs import Claim, JobContext

    shift = make_shift(session, crew.liu, crew.team, capacity=1)
    first, second = crew.residents(2)
    mine = signups.sign_up(session, first, shift_id=shift.id)
    offered = signups.sign_up(session, second, shift_id=shift.id)
    signups.cancel_signup(session, first, signup_id=mine.id)
    session.commit()  # the test's savepoint: the handlers' own sessions see it
    job = session.scalar(select(jobs.Job).where(jobs.Job.kind == waitlist.EXPIRE_JOB))
    context = JobContext(sessions, Claim(job.id, job.kind, job.payload, "token", 1, frozen.now))
    frozen.set(job.run_at)
    waitlist.run_expire_offer(context, job.payload)
    waitlist.run_sweep(context, {})  # nothing left to do: idempotent
    session.expire_all()
    assert session.get(type(offered), offered.id).status is signups.S.expired


def test_the_sweep_expires_due_offers_of_every_shift(session, sessions, crew, frozen):
    from core.jobs import Claim, JobContext

    people = crew.residents(4)
    shifts_made = []
    for n in range(2):
        shift = make_shift(
            session, crew.liu, crew.team, capacity=1, starts_at=frozen.now + timedelta(days=2 + n)
        )
        mine = signups.sign_up(session, people[2 * n], shift_id=shift.id)
        signups.sign_up(session, people[2 * n + 1], shift_id=shift.id)
        signups.cancel_signup(session, people[2 * n], signup_id=mine.id)
        shifts_made.append(shift)
    session.commit()
    frozen.advance(hours=12)
    waitlist.run_sweep(JobContext(sessions, Claim(0, waitlist.SWEEP_JOB, {}, "token", 1, frozen.now)), {})
    session.expire_all()
    assert waitlist.shifts_with_due_offers(session, frozen.now) == []
    assert [told(session, people[2 * n + 1])[0] for n in range(2)] == ["volunteer_offer_expired"] * 2
