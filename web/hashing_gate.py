"""Requests that hash a password (register, login, password change) run outside the page threads.

argon2 takes a tenth of a second and 64 MiB per hash. If a burst of logins waited for the endpoint
thread pool, the threads would sit blocked on hashing and every ordinary page would queue behind them
(100 wrong logins made ``/grid/`` take 19.7 s). So the cap is decided *before* a thread is taken, in the
event loop: at most ``slots`` hashing requests run at once, in threads of their own; a few more may
wait up to ``wait_seconds``; past that, or past the wait, the answer is 503 with Retry-After at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from core.errors import N_, Unavailable

T = TypeVar("T")
FULL = N_("Many people are signing in right now. Try again in a few seconds.")


class HashingGate:
    def __init__(self, slots: int, wait_seconds: float, queue: int | None = None) -> None:
        self.slots = slots
        self.wait_seconds = wait_seconds
        self.queue = queue if queue is not None else slots * 4
        self.waiting = 0
        self._admission: anyio.CapacityLimiter | None = None
        self._threads: anyio.CapacityLimiter | None = None

    def _limiters(self) -> tuple[anyio.CapacityLimiter, anyio.CapacityLimiter]:
        if self._admission is None or self._threads is None:  # made in the event loop, on first use
            self._admission, self._threads = (
                anyio.CapacityLimiter(self.slots),
                anyio.CapacityLimiter(self.slots),
            )
        return self._admission, self._threads

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in a hashing thread, or raise ``Unavailable`` when the gate is full."""
        admission, threads = self._limiters()
        if admission.available_tokens == 0 and self.waiting >= self.queue:
            raise Unavailable(3, FULL)
        self.waiting += 1
        acquired = False
        try:
            with anyio.move_on_after(self.wait_seconds):
                await admission.acquire()
                acquired = True  # no await since acquire(): a timeout cannot fall in between
        finally:
            self.waiting -= 1
        if not acquired:
            raise Unavailable(3, FULL)
        try:
            return await anyio.to_thread.run_sync(fn, *args, limiter=threads)
        finally:
            admission.release()
