"""Daily housekeeping jobs of ``core``: finished jobs and ended rate-limit windows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from core import clock, ratelimit
from core.db import run_write
from core.jobs import Job, JobContext, JobStatus, handler
from core.schedules import DailyAt, every

KEEP_DONE = timedelta(days=14)


@handler("jobs.prune", timeout=120)
def prune_done_jobs(context: JobContext, payload: dict[str, Any]) -> None:
    """Forget finished jobs after two weeks (dead ones stay until an admin deals with them)."""
    cutoff = clock.now() - KEEP_DONE
    statement = delete(Job).where(Job.status == JobStatus.done, Job.finished_at < cutoff)
    run_write(context.sessions, lambda session: session.execute(statement))


@handler("ratelimit.prune", timeout=60)
def prune_rate_limits(context: JobContext, payload: dict[str, Any]) -> None:
    """Delete rate-limit windows that have ended."""
    run_write(context.sessions, ratelimit.prune)


every("jobs.prune", "jobs.prune", DailyAt(3, 30))
every("ratelimit.prune", "ratelimit.prune", DailyAt(3, 40))
