"""argon2id hashing under a per-process concurrency cap.

Each hash costs about 64 MiB and a tenth of a second at the default (RFC 9106 low-memory) cost, so a
burst of logins is admitted a few at a time: a request that waits longer than ``hash_wait_seconds`` for
a slot gets ``Unavailable`` (503 with Retry-After) instead of piling up memory.
"""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import N_, Unavailable
from core.settings import Settings


class Hasher:
    """Hash and verify passwords; at most ``concurrency`` hashes run at once in this process."""

    def __init__(
        self,
        *,
        time_cost: int = 3,
        memory_kib: int = 65536,
        parallelism: int = 4,
        concurrency: int = 2,
        wait_seconds: float = 2.0,
    ) -> None:
        self._argon2 = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        self._slots = threading.BoundedSemaphore(concurrency)
        self._wait = wait_seconds
        # verifying against this hash when the username is unknown keeps the answer time the same
        self._dummy = self._argon2.hash("unknown user: same work as a wrong password")

    @classmethod
    def from_settings(cls, settings: Settings) -> Hasher:
        return cls(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            concurrency=settings.hash_concurrency,
            wait_seconds=settings.hash_wait_seconds,
        )

    def _slot(self) -> threading.BoundedSemaphore:
        if not self._slots.acquire(timeout=self._wait):
            raise Unavailable(3, N_("Many people are signing in right now. Try again in a few seconds."))
        return self._slots

    def hash(self, password: str) -> str:
        """A new argon2id hash of ``password``."""
        slot = self._slot()
        try:
            return self._argon2.hash(password)
        finally:
            slot.release()

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; an unknown user (``None``) costs the same and is False."""
        slot = self._slot()
        try:
            self._argon2.verify(stored_hash or self._dummy, password)
            return stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        finally:
            slot.release()

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when the hash was made with other parameters than today's."""
        return self._argon2.check_needs_rehash(stored_hash)
