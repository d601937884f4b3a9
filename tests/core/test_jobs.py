"""The job queue at service level: enqueue, claim, finish, retry, bury, leases, schedules."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core import audit, clock, jobs, schedules
from core.jobs import Job, JobStatus
from core.worker import Worker

RAN: list = []


@jobs.handler("test.ok", timeout=5)
def ok(context, payload):
    RAN.append(payload.get("n"))


@jobs.handler("test.broken", timeout=5, max_attempts=3)
def broken(context, payload):
    raise RuntimeError("the city system said no")


@jobs.handler("test.slow", timeout=0.3, lease_margin=0.5)
def slow(context, payload):
    import time

    for _ in range(payload.get("beats", 0)):
        time.sleep(0.2)
        context.extend_lease(1)
    time.sleep(payload.get("sleep", 0))
    if payload.get("record"):  # a timed-out run is abandoned, not stopped: it must not record late
        RAN.append("slow done")


@pytest.fixture(autouse=True)
def clear_runs():
    RAN.clear()


def job(session, job_id) -> Job:
    """The job as the database has it now (after the worker's own transactions)."""
    session.flush()
    session.expire_all()
    return session.get(Job, job_id)


def test_a_key_makes_a_job_once_only(session):
    first = jobs.enqueue(session, "test.ok", {"n": 1}, key="forward:case-17")
    second = jobs.enqueue(session, "test.ok", {"n": 2}, key="forward:case-17")
    assert first.id == second.id
    assert session.scalar(select(func.count()).select_from(Job).where(Job.key == "forward:case-17")) == 1


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(sessions):
    with sessions.write() as session:
        jobs.enqueue(session, "test.ok", {"n": 1})
        session.rollback()
    assert Worker(sessions).run_once() is False
    assert RAN == []


def test_worker_runs_a_due_job_and_marks_it_done(sessions, session):
    queued = jobs.enqueue(session, "test.ok", {"n": 5})
    later = jobs.enqueue(session, "test.ok", {"n": 6}, run_at=clock.now() + timedelta(hours=1))
    session.flush()
    worker = Worker(sessions)
    assert worker.run_once() is True
    assert worker.run_once() is False  # the other one is not due yet
    assert RAN == [5]
    assert job(session, queued.id).status is JobStatus.done
    assert job(session, later.id).status is JobStatus.queued


def test_a_failing_job_is_retried_with_backoff_then_dead(sessions, session, monkeypatch):
    broken_job = jobs.enqueue(session, "test.broken")
    session.flush()
    worker = Worker(sessions)
    now = clock.now()
    waits = []
    for _ in range(3):
        monkeypatch.setattr(clock, "now", lambda moment=now: moment)
        assert worker.run_once() is True
        row = job(session, broken_job.id)
        waits.append((row.run_at - now).total_seconds())
        now = row.run_at + timedelta(seconds=1)
    row = job(session, broken_job.id)
    assert row.status is JobStatus.dead and row.attempts == 3
    assert "the city system said no" in row.last_error and "Traceback" in row.last_error
    assert 8 <= waits[0] <= 12 and 16 <= waits[1] <= 24  # 10 s, then 20 s, with jitter


def test_admin_retry_gives_a_dead_job_fresh_attempts_and_is_audited(sessions, session, cast):
    broken_job = jobs.enqueue(session, "test.broken", max_attempts=1)
    session.flush()
    Worker(sessions).run_once()
    assert job(session, broken_job.id).status is JobStatus.dead
    jobs.retry_job(session, cast.admin, broken_job.id)
    row = job(session, broken_job.id)
    assert (row.status, row.attempts) == (JobStatus.queued, 0)
    [entry] = audit.list_entries_for(session, "job", broken_job.id)[0]
    assert (entry.action, entry.actor_name, entry.details) == ("job.retry", "admin", {"kind": "test.broken"})


def test_a_claim_that_was_lost_cannot_finish_the_job(sessions, session, monkeypatch):
    queued = jobs.enqueue(session, "test.ok")
    session.flush()
    first = jobs.claim(sessions, "worker-a")[0]
    later = clock.now() + timedelta(minutes=5)  # worker-a's lease ran out meanwhile
    monkeypatch.setattr(clock, "now", lambda: later)
    second = jobs.claim(sessions, "worker-b")[0]
    assert second.job_id == first.job_id and second.attempt == 2
    assert jobs.finish(sessions, first) is False  # worker-a comes back too late
    assert jobs.finish(sessions, second) is True
    assert job(session, queued.id).status is JobStatus.done


def test_a_job_held_under_its_lease_is_not_claimed_twice(sessions, session):
    jobs.enqueue(session, "test.ok")
    session.flush()
    assert len(jobs.claim(sessions, "worker-a")) == 1
    assert jobs.claim(sessions, "worker-b") == []


def test_a_handler_over_its_timeout_fails_and_is_retried(sessions, session):
    slow_job = jobs.enqueue(session, "test.slow", {"sleep": 1.0})
    session.flush()
    Worker(sessions).run_once()
    row = job(session, slow_job.id)
    assert row.status is JobStatus.retrying and "timed out" in row.last_error


def test_a_handler_that_extends_its_lease_may_run_past_its_timeout(sessions, session):
    slow_job = jobs.enqueue(session, "test.slow", {"beats": 4, "record": True})  # 0.8 s in all, 0.3 s timeout
    session.flush()
    Worker(sessions).run_once()
    assert job(session, slow_job.id).status is JobStatus.done
    assert RAN == ["slow done"]


def test_a_job_of_an_unknown_kind_fails_with_a_clear_error(sessions, session):
    stray = jobs.enqueue(session, "nobody.handles.this", max_attempts=1)
    session.flush()
    Worker(sessions).run_once()
    row = job(session, stray.id)
    assert row.status is JobStatus.dead and "no handler" in row.last_error


# --- schedules -------------------------------------------------------------------------------------

SHANGHAI = clock.LOCAL_TZ


def local(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("cadence", "now", "start"),
    [
        (schedules.EveryMinutes(15), local(2026, 11, 24, 9, 44), local(2026, 11, 24, 9, 30)),
        (schedules.EveryMinutes(15), local(2026, 11, 24, 9, 45), local(2026, 11, 24, 9, 45)),
        (schedules.DailyAt(3, 30), local(2026, 11, 24, 3, 29), local(2026, 11, 23, 3, 30)),
        (schedules.DailyAt(3, 30), local(2026, 11, 24, 8, 0), local(2026, 11, 24, 3, 30)),
        (schedules.MonthlyOn(1, 2), local(2026, 12, 1, 1, 59), local(2026, 11, 1, 2)),
        (schedules.MonthlyOn(1, 2), local(2026, 12, 1, 2, 0), local(2026, 12, 1, 2)),
        (schedules.MonthlyOn(1, 2), local(2027, 1, 1, 0, 30), local(2026, 12, 1, 2)),
    ],
)
def test_periods_are_counted_in_shanghai_time(cadence, now, start):
    assert cadence.period_start(now) == start


@pytest.fixture
def monthly():
    schedules.every("test.assessment", "test.ok", schedules.MonthlyOn(1, 2), {"n": "monthly"})
    yield
    del schedules.SCHEDULES["test.assessment"]


def scheduled(session):
    return session.scalars(select(Job).where(Job.key.like("schedule:test.assessment:%"))).all()


def test_a_period_is_enqueued_once_however_often_workers_tick(session, monthly):
    moment = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    for _ in range(3):
        schedules.enqueue_due(session, moment)
    rows = scheduled(session)
    assert len(rows) == 1
    assert rows[0].payload["period"] == "2026-11-01T02:00:00+08:00"


def test_after_downtime_only_the_latest_missed_period_runs(session, monthly):
    schedules.enqueue_due(session, datetime(2026, 8, 15, tzinfo=UTC))
    schedules.enqueue_due(session, datetime(2026, 11, 20, tzinfo=UTC))  # September and October were missed
    assert [row.payload["period"][:7] for row in scheduled(session)] == ["2026-08", "2026-11"]


def test_the_worker_loop_survives_an_error_and_goes_on(sessions, session):
    import threading

    jobs.enqueue(session, "test.ok", {"n": 7})
    session.flush()
    worker = Worker(sessions, poll_seconds=0.05)
    real_run_once, calls = worker.run_once, []

    def flaky_run_once():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the LISTEN connection broke")  # e.g. PostgreSQL restarted
        return real_run_once()

    worker.run_once = flaky_run_once  # type: ignore[method-assign]
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,))
    thread.start()
    for _ in range(50):
        if RAN:
            break
        stop.wait(0.1)
    stop.set()
    thread.join(timeout=5)
    assert RAN == [7] and len(calls) >= 2
