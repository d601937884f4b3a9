"""The worker loop: claim a due job, run its handler outside any transaction, finish or fail it.

One loop runs as a thread inside ``gongzhi serve`` (so ``make run`` is one process) and any number run
as ``gongzhi worker`` processes on any host. On PostgreSQL an idle worker wakes on ``NOTIFY
gongzhi_jobs`` (sent by ``enqueue`` and delivered at commit); on SQLite it polls, and a job enqueued in
its own process wakes it at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from typing import Any

from sqlalchemy.exc import DBAPIError

from core import jobs, schedules
from core.db import Sessions, run_write

log = logging.getLogger(__name__)

SCHEDULE_EVERY = 15.0  # seconds between schedule ticks


class Worker:
    def __init__(
        self,
        sessions: Sessions,
        *,
        name: str | None = None,
        poll_seconds: float = 1.0,
        resources: dict[str, Any] | None = None,
    ) -> None:
        self.sessions = sessions
        self.resources = resources or {}
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 10000}"
        self.poll_seconds = poll_seconds
        self._next_schedule_tick = 0.0
        self._listener: Any = None  # a psycopg connection while listening (PostgreSQL only)

    # -- one job ------------------------------------------------------------------------------------

    def run_once(self) -> bool:
        """Claim and run one due job; False when there was none."""
        # SQLite: look in a read transaction first, so an idle worker never takes the write lock;
        # PostgreSQL claims with SKIP LOCKED, which blocks nobody, so the look would only cost a trip
        if self.sessions.dialect == "sqlite" and not jobs.has_due(self.sessions):
            return False
        claimed = jobs.claim(self.sessions, self.name, limit=1)
        for claim in claimed:
            self.execute(claim)
        return bool(claimed)

    def execute(self, claim: jobs.Claim) -> None:
        handler = jobs.HANDLERS.get(claim.kind)
        if handler is None:
            jobs.fail(self.sessions, claim, f"no handler is registered for job kind {claim.kind!r}")
            return
        context = jobs.JobContext(self.sessions, claim, self.resources)
        outcome: dict[str, BaseException | None] = {}

        def target() -> None:
            try:
                handler.run(context, claim.payload)
                outcome["error"] = None
            except BaseException as error:  # the job fails; the worker goes on
                outcome["error"] = error
                outcome["trace"] = traceback.format_exc()  # type: ignore[assignment]

        thread = threading.Thread(target=target, name=f"job-{claim.job_id}", daemon=True)
        thread.start()
        deadline, seen = time.monotonic() + handler.timeout, 0
        while thread.is_alive():
            thread.join(timeout=min(0.25, max(0.0, deadline - time.monotonic())))
            if len(context.extensions) != seen:  # the handler extended its lease: its timeout moves too
                seen, deadline = len(context.extensions), time.monotonic() + context.extensions[-1]
            if thread.is_alive() and time.monotonic() >= deadline:
                # Python cannot stop the thread; it is abandoned and its job retried (handlers are idempotent)
                log.error("job %s (%s) timed out after %.0f s", claim.job_id, claim.kind, handler.timeout)
                jobs.fail(self.sessions, claim, f"timed out after {handler.timeout:.0f} s")
                return
        error = outcome.get("error")
        if error is None:
            if not jobs.finish(self.sessions, claim):
                log.warning(
                    "job %s finished after its claim was lost; another worker may repeat it", claim.job_id
                )
        else:
            log.warning("job %s (%s) failed: %s", claim.job_id, claim.kind, error)
            jobs.fail(self.sessions, claim, str(outcome.get("trace") or error))

    # -- the loop -----------------------------------------------------------------------------------

    def tick_schedules(self) -> None:
        if time.monotonic() >= self._next_schedule_tick:
            run_write(self.sessions, schedules.enqueue_due)
            self._next_schedule_tick = time.monotonic() + SCHEDULE_EVERY

    def run_forever(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set. A database that is down is waited out; nothing stops the loop."""
        log.info("worker %s started", self.name)
        failures = 0
        while not stop.is_set():
            try:
                if self.sessions.dialect == "postgresql":
                    self._listen()  # before looking for work: a job committed meanwhile still wakes us
                self.tick_schedules()
                if not self.run_once():
                    self.wait_for_work()
                failures = 0
            except Exception as error:  # the database is down, or a bug: log, back off, go on
                failures += 1
                self._close_listener()
                if isinstance(error, DBAPIError) or type(error).__module__.startswith("psycopg"):
                    log.warning(
                        "worker %s: database unavailable (%s); retrying", self.name, type(error).__name__
                    )
                else:
                    log.exception("worker %s: unexpected error; retrying", self.name)
                stop.wait(min(30.0, 0.5 * 2**failures))
        self._close_listener()
        log.info("worker %s stopped", self.name)

    def wait_for_work(self) -> None:
        if self.sessions.dialect == "postgresql":
            self._wait_for_notify()
        else:
            wake = jobs.wake_event()
            if wake.wait(self.poll_seconds):
                wake.clear()

    def _listen(self) -> None:
        import psycopg

        if self._listener is None:
            url = self.sessions.engine.url.set(drivername="postgresql")
            self._listener = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
            self._listener.execute("LISTEN gongzhi_jobs")

    def _wait_for_notify(self) -> None:
        self._listen()
        for _notice in self._listener.notifies(timeout=self.poll_seconds, stop_after=1):
            break

    def _close_listener(self) -> None:
        if self._listener is not None:
            try:
                self._listener.close()
            except Exception:  # already broken: it is being replaced anyway
                log.debug("closing a broken LISTEN connection failed", exc_info=True)
            self._listener = None


def start_thread(
    sessions: Sessions, poll_seconds: float = 1.0, resources: dict[str, Any] | None = None
) -> tuple[threading.Thread, threading.Event]:
    """Run a worker in a daemon thread of this process (``gongzhi serve``); set the event to stop it."""
    stop = threading.Event()
    worker = Worker(sessions, poll_seconds=poll_seconds, resources=resources)
    thread = threading.Thread(target=worker.run_forever, args=(stop,), name="gongzhi-worker", daemon=True)
    thread.start()
    return thread, stop
