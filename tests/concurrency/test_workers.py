"""Real worker processes over a committed database (SQLite file, or PostgreSQL when configured).

SIGKILL mid-job loses nothing; two workers never run a job at once while its lease is held; a
periodic job runs once per period however many workers tick.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from core import jobs
from core.db import Sessions, run_write
from core.jobs import Job, JobStatus
from tests.conftest import PG_URL, fresh_engine, make_settings

pytestmark = pytest.mark.concurrency
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path):
    """A migrated database whose commits are real; yields (url for other processes, Sessions)."""
    with fresh_engine(make_settings(tmp_path, PG_URL or None)) as engine:
        yield engine.url.render_as_string(hide_password=False), Sessions(engine)


def start_worker(url: str, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.concurrency.worker_main", url, str(log)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        process.wait(timeout=20)


def enqueue(sessions: Sessions, count: int, **payload) -> list[int]:
    return run_write(
        sessions, lambda s: [jobs.enqueue(s, "proc.record", dict(payload)).id for _ in range(count)]
    )


def wait_until(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def statuses(sessions: Sessions, ids: list[int]) -> dict[int, JobStatus]:
    with sessions.read() as session:
        return dict(session.execute(select(Job.id, Job.status).where(Job.id.in_(ids))).all())


def log_rows(log: Path) -> list[list[str]]:
    return [line.split(",") for line in log.read_text().splitlines()] if log.exists() else []


def test_sigkill_mid_job_loses_nothing(database, tmp_path):
    url, sessions = database
    log = tmp_path / "runs.log"
    [job_id] = enqueue(sessions, 1, log=str(log), hang_first=True)
    first = start_worker(url, log)
    try:
        wait_until(lambda: any(row[0] == "start" and row[1] == str(job_id) for row in log_rows(log)))
    finally:
        os.kill(first.pid, signal.SIGKILL)  # mid-job: the handler is sleeping inside its claim
        first.wait()
    second = start_worker(url, log)
    try:
        wait_until(lambda: statuses(sessions, [job_id])[job_id] is JobStatus.done)
    finally:
        stop(second)
    rows = [row for row in log_rows(log) if row[1] == str(job_id)]
    assert [(row[0], row[2], row[3]) for row in rows] == [
        ("start", str(first.pid), "1"),  # killed here
        ("start", str(second.pid), "2"),  # claimed again when the lease ran out
        ("end", str(second.pid), "2"),
    ]


def test_two_workers_never_run_the_same_job_at_once(database, tmp_path):
    url, sessions = database
    log = tmp_path / "runs.log"
    ids = enqueue(sessions, 40, log=str(log), sleep=0.02)
    workers = [start_worker(url, log), start_worker(url, log)]
    try:
        wait_until(lambda: set(statuses(sessions, ids).values()) == {JobStatus.done}, seconds=60)
    finally:
        stop(*workers)
    starts = [row for row in log_rows(log) if row[0] == "start" and int(row[1]) in ids]
    assert sorted(int(row[1]) for row in starts) == sorted(ids)  # each job started exactly once
    assert {row[2] for row in starts} <= {str(w.pid) for w in workers}


def test_a_periodic_job_runs_once_per_period_with_two_workers(database, tmp_path):
    url, sessions = database
    log = tmp_path / "runs.log"
    workers = [start_worker(url, log), start_worker(url, log)]
    try:

        def daily_jobs():
            with sessions.read() as session:
                return session.scalars(select(Job).where(Job.key.like("schedule:proc.daily:%"))).all()

        wait_until(lambda: daily_jobs() and daily_jobs()[0].status is JobStatus.done)
        time.sleep(0.5)  # both workers have ticked by now
        assert len(daily_jobs()) == 1
    finally:
        stop(*workers)
    assert len([row for row in log_rows(log) if row[0] == "start"]) == 1
