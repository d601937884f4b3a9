"""The lockout cannot be raced: however many attempts arrive at once, no more than the limit are hashed.

Real threads, each with its own connection, over a committed database (SQLite file, or PostgreSQL when
configured), calling the same service the login endpoint calls.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts.login import LockedOut, authenticate
from accounts.models import StakeholderGroup
from accounts.passwords import Hasher
from core.db import Sessions, run_write
from core.errors import Invalid
from grid.residents import register_resident
from tests.conftest import PG_URL, fresh_engine, make_settings

pytestmark = pytest.mark.concurrency
RIGHT = "the right password"


class CountingHasher(Hasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_kib=8, parallelism=1, concurrency=64, wait_seconds=30)
        self.checked = 0
        self._lock = threading.Lock()

    def verify(self, stored_hash, password):  # type: ignore[no-untyped-def]
        with self._lock:
            self.checked += 1
        return super().verify(stored_hash, password)


@pytest.fixture
def sessions(tmp_path):
    with fresh_engine(make_settings(tmp_path, PG_URL or None, threads=40)) as engine:
        sessions = Sessions(engine)
        password_hash = Hasher(time_cost=1, memory_kib=8, parallelism=1).hash(RIGHT)
        run_write(
            sessions,
            lambda s: register_resident(
                s, username="wang_ayi", password_hash=password_hash, group=StakeholderGroup.resident
            ),
        )
        yield sessions


def burst(sessions: Sessions, hasher: Hasher, passwords: list[str]) -> list[str]:
    def one(password: str) -> str:
        try:
            authenticate(sessions, hasher, "wang_ayi", password, "10.9.9.9")
            return "in"
        except LockedOut:
            return "locked"
        except Invalid:
            return "wrong"

    with ThreadPoolExecutor(max_workers=len(passwords)) as pool:
        return list(pool.map(one, passwords))


def test_thirty_wrong_logins_at_once_check_at_most_five_passwords(sessions):
    hasher = CountingHasher()
    outcomes = burst(sessions, hasher, [f"guess {n}" for n in range(30)])
    assert hasher.checked <= 5, outcomes
    assert outcomes.count("wrong") + outcomes.count("locked") == 30
    assert outcomes.count("wrong") <= 4  # the fifth wrong one, at the latest, answers "locked"


def test_a_burst_that_includes_the_right_password_logs_in_only_within_the_limit(sessions):
    hasher = CountingHasher()
    passwords = [f"guess {n}" for n in range(29)]
    passwords.insert(15, RIGHT)
    outcomes = burst(sessions, hasher, passwords)
    # at most five guesses are checked; the right password is no guess: when its check ends before the
    # burst has reserved five, its refund lets one more guess in (seen under load: six checked, five wrong)
    assert hasher.checked - (outcomes[15] == "in") <= 5
    if outcomes[15] == "in":  # its reservation was among the first five
        assert outcomes.count("wrong") + outcomes.count("locked") == 29
    else:
        assert outcomes[15] == "locked" and "in" not in outcomes
