"""Durable jobs and schedules in the application's own database.

Why our own small queue rather than a library: a job must be written in the *caller's* transaction
(the case forward commits with the case, or neither happens), on SQLite and PostgreSQL alike. The
design follows database-backed queues such as Rails' Solid Queue, good_job and procrastinate:

- ``enqueue(session, kind, payload, key=, run_at=)`` adds a row in the caller's transaction; a ``key``
  makes it once-only (the same key twice keeps one job).
- A worker claims due jobs in a short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
  ``BEGIN IMMEDIATE`` on SQLite) and stamps them with a lease and a claim token.
- The handler runs outside any transaction, with a timeout shorter than the lease; a long handler
  calls ``context.extend_lease()`` as it goes.
- The job is marked done only while the worker still holds the claim token; a failure is retried with
  exponential backoff, and after the last attempt the job is dead (listed at ``/admin/jobs``).
- A worker that dies leaves a lease that runs out; the job is claimed again. Handlers are therefore
  idempotent: effects are at least once.

Handlers and schedules are registered at process start (``web.wiring.setup()``); the worker loop is in
``core.worker``.
"""

from __future__ import annotations

import enum
import logging
import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Index, String, Text, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import audit, clock, events
from core.audit import Actor
from core.db import Base, Sessions, enum_column, rowcount, run_write
from core.errors import N_, NotFound
from core.pages import Page, paginate
from core.types import intpk

log = logging.getLogger(__name__)


class JobStatus(enum.Enum):
    queued = "queued"  # waiting for run_at
    running = "running"  # claimed; lease_until says until when
    retrying = "retrying"  # failed, queued again for run_at
    done = "done"
    dead = "dead"  # failed its last attempt; an admin may retry it

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    JobStatus.queued: N_("Queued"),
    JobStatus.running: N_("Running"),
    JobStatus.retrying: N_("Failed, will retry"),
    JobStatus.done: N_("Done"),
    JobStatus.dead: N_("Dead"),
}


class Job(Base):
    __tablename__ = "jobs"
    # claiming seeks these, one status at a time, so a long queue costs an index seek, not a sort
    __table_args__ = (
        Index("ix_jobs_due", "status", "run_at", "id"),
        Index("ix_jobs_lease", "status", "lease_until"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, "job_status"), default=JobStatus.queued)
    run_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    last_error: Mapped[str] = mapped_column(Text, default="")
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_by: Mapped[str] = mapped_column(String(80), default="")
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


# --- handlers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handler:
    kind: str
    run: Callable[[JobContext, dict[str, Any]], None]
    timeout: float = 30.0  # seconds; the lease is this plus lease_margin
    max_attempts: int = 5
    lease_margin: float = 15.0


HANDLERS: dict[str, Handler] = {}


HandlerFunction = Callable[["JobContext", dict[str, Any]], None]


def handler(
    kind: str, *, timeout: float = 30.0, max_attempts: int = 5, lease_margin: float = 15.0
) -> Callable[[HandlerFunction], HandlerFunction]:
    """Register ``fn(context, payload)`` as the handler of ``kind``. It must be idempotent."""

    def register(fn: HandlerFunction) -> HandlerFunction:
        HANDLERS[kind] = Handler(kind, fn, timeout, max_attempts, lease_margin)
        return fn

    return register


# --- enqueueing -----------------------------------------------------------------------------------

_wake = threading.Event()


def wake_event() -> threading.Event:
    """Set when a job is committed in this process: an idle in-process worker starts at once."""
    return _wake


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    run_at: datetime | None = None,
    max_attempts: int | None = None,
) -> Job:
    """Add a job in the caller's transaction. With ``key``, a second enqueue returns the first job."""
    if key is not None:
        existing = session.scalar(select(Job).where(Job.key == key))
        if existing is not None:
            return existing
    now = clock.now()
    registered = HANDLERS.get(kind)
    job = Job(
        kind=kind,
        payload=payload or {},
        key=key,
        status=JobStatus.queued,
        run_at=run_at or now,
        max_attempts=max_attempts or (registered.max_attempts if registered else 5),
        created_at=now,
    )
    if key is None:
        session.add(job)
        session.flush()  # callers record the job's id (a case keeps its forward job)
    else:
        try:
            with session.begin_nested():
                session.add(job)
        except IntegrityError:  # another transaction enqueued the same key first
            found = session.scalar(select(Job).where(Job.key == key))
            if found is None:
                raise
            return found
    _announce(session)
    return job


def _announce(session: Session) -> None:
    """Wake idle workers once per transaction, when it commits (not once per job: bulk enqueues)."""
    transaction = session.get_transaction()
    if session.info.get(_ANNOUNCED) is transaction:
        return
    session.info[_ANNOUNCED] = transaction
    if session.get_bind().dialect.name == "postgresql":
        # delivered at commit only: idle workers in other processes wake at once
        session.execute(text("NOTIFY gongzhi_jobs"))
    events.on_commit(session, _wake.set)


_ANNOUNCED = "gongzhi_jobs_announced"


# --- claiming and finishing -----------------------------------------------------------------------


def _lease_seconds(kind: str) -> float:
    """How long a claim of ``kind`` holds: the handler's timeout plus a margin for finishing up."""
    registered = HANDLERS.get(kind)
    return registered.timeout + registered.lease_margin if registered else 45.0


@dataclass
class Claim:
    job_id: int
    kind: str
    payload: dict[str, Any]
    token: str
    attempt: int
    lease_until: datetime


def _candidates(session: Session, now: datetime, limit: int, *, lock: bool) -> list[Job]:
    """Due jobs, oldest first: waiting ones whose time has come and running ones whose lease ran out.

    One query per status, each an index seek (``ix_jobs_due``, ``ix_jobs_lease``); an ``OR`` across
    them would make the database sort the whole queue for every claim.
    """
    queries = [
        select(Job).where(Job.status == status, Job.run_at <= now).order_by(Job.run_at, Job.id).limit(limit)
        for status in (JobStatus.queued, JobStatus.retrying)
    ]
    queries.append(
        select(Job)
        .where(Job.status == JobStatus.running, Job.lease_until < now)
        .order_by(Job.lease_until)
        .limit(limit)
    )
    if lock and session.get_bind().dialect.name == "postgresql":
        queries = [q.with_for_update(skip_locked=True) for q in queries]
    found = [job for query in queries for job in session.scalars(query)]
    return sorted(found, key=lambda job: (job.run_at, job.id))[:limit]


def has_due(sessions: Sessions) -> bool:
    """Whether any job is due, asked in a read transaction: an idle SQLite worker takes no write lock."""
    with sessions.read() as session:
        return bool(_candidates(session, clock.now(), 1, lock=False))


def claim(sessions: Sessions, worker_name: str, *, limit: int = 1) -> list[Claim]:
    """Take up to ``limit`` due jobs (or jobs whose lease ran out) in one short transaction."""

    def work(session: Session) -> list[Claim]:
        now = clock.now()
        claims = []
        for job in _candidates(session, now, limit, lock=True):
            if job.attempts >= job.max_attempts:  # its workers keep dying: stop trying
                _bury(job, job.last_error or "the worker stopped before finishing (lease ran out)", now)
                continue
            job.status, job.claim_token = JobStatus.running, secrets.token_hex(16)
            job.claimed_by, job.attempts = worker_name[:80], job.attempts + 1
            job.started_at, job.lease_until = now, now + timedelta(seconds=_lease_seconds(job.kind))
            claims.append(
                Claim(job.id, job.kind, dict(job.payload), job.claim_token, job.attempts, job.lease_until)
            )
        return claims

    return run_write(sessions, work)


def _bury(job: Job, error: str, now: datetime) -> None:
    job.status, job.last_error, job.finished_at = JobStatus.dead, error[-4000:], now
    job.claim_token, job.lease_until = None, None
    log.error("job %s (%s) is dead after %d attempts: %s", job.id, job.kind, job.attempts, error[-200:])


def _update_if_held(sessions: Sessions, claim: Claim, **values: Any) -> bool:
    """Change the job only while ``claim`` still holds it; False when another worker has it now."""

    def work(session: Session) -> bool:
        statement = update(Job).where(Job.id == claim.job_id, Job.claim_token == claim.token).values(**values)
        return rowcount(session.execute(statement)) == 1

    return run_write(sessions, work)


def extend_lease(sessions: Sessions, claim: Claim, seconds: float) -> bool:
    """Push the lease ``seconds`` ahead; False if the claim was lost (another worker has the job)."""
    until = clock.now() + timedelta(seconds=seconds)
    held = _update_if_held(sessions, claim, lease_until=until)
    if held:
        claim.lease_until = until
    return held


def finish(sessions: Sessions, claim: Claim) -> bool:
    """Mark the job done, only if this worker still holds it. False when the claim was lost."""
    return _update_if_held(
        sessions, claim, status=JobStatus.done, finished_at=clock.now(), claim_token=None, lease_until=None
    )


def backoff(attempt: int) -> timedelta:
    """Wait before retry ``attempt``: 10 s, 20 s, 40 s ... at most an hour, with jitter."""
    seconds = min(10 * 2 ** (attempt - 1), 3600)
    # jitter, so that failed jobs do not retry in step; nothing secret depends on it
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311


def fail(sessions: Sessions, claim: Claim, error: str) -> JobStatus | None:
    """Schedule a retry with backoff, or bury the job after its last attempt. None if the claim was lost."""

    def work(session: Session) -> JobStatus | None:
        job = session.get(Job, claim.job_id, with_for_update=True)
        if job is None or job.claim_token != claim.token:
            return None
        now = clock.now()
        if job.attempts >= job.max_attempts:
            _bury(job, error, now)
        else:
            job.status, job.last_error, job.run_at = (
                JobStatus.retrying,
                error[-4000:],
                now + backoff(job.attempts),
            )
            job.claim_token, job.lease_until = None, None
        return job.status

    return run_write(sessions, work)


# --- what admins see and do -----------------------------------------------------------------------


def list_jobs(
    session: Session, *, statuses: tuple[JobStatus, ...], page: int = 1, per_page: int = 50
) -> Page[Job]:
    """Jobs in ``statuses``, the most recent first."""
    statement = select(Job).where(Job.status.in_(statuses)).order_by(Job.run_at.desc(), Job.id.desc())
    return paginate(session, statement, page=page, per_page=per_page)


def counts_by_status(session: Session) -> dict[JobStatus, int]:
    rows = session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
    return {status: count for status, count in rows}


def retry_job(session: Session, actor: Actor, job_id: int) -> Job:
    """Give a dead or retrying job a fresh set of attempts, due now; audited.

    Only admins reach this: ``core`` knows no roles, so the ``/admin/`` routes check (``admin=True``).
    """
    job = session.get(Job, job_id)
    if job is None or job.status not in (JobStatus.dead, JobStatus.retrying):
        raise NotFound()
    job.status, job.run_at, job.attempts, job.finished_at = JobStatus.queued, clock.now(), 0, None
    audit.record(session, actor, "job.retry", "job", job.id, kind=job.kind)
    events.on_commit(session, _wake.set)
    return job


# --- context handed to handlers -------------------------------------------------------------------


@dataclass
class JobContext:
    """What a handler gets: the session factories, its claim, and a way to keep its lease."""

    sessions: Sessions
    claim: Claim
    resources: dict[str, Any] = field(default_factory=dict)  # what the process set up: mail channels ...
    # each extend_lease() adds how many more seconds the handler asked for; the worker's timeout follows
    extensions: list[float] = field(default_factory=list)

    def extend_lease(self, seconds: float | None = None) -> bool:
        """Ask for ``seconds`` more (default: the timeout); False if another worker has taken the job."""
        registered = HANDLERS.get(self.claim.kind)
        wanted = seconds or (registered.timeout if registered else 30.0)
        margin = registered.lease_margin if registered else 15.0
        held = extend_lease(self.sessions, self.claim, wanted + margin)
        self.extensions.append(wanted)
        return held
