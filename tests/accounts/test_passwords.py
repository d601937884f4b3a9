import threading
import time

import pytest

from accounts.passwords import Hasher
from core.errors import Unavailable


def test_hash_verifies_and_rejects():
    hasher = Hasher(time_cost=1, memory_kib=8, parallelism=1)
    stored = hasher.hash("a fine password")
    assert stored.startswith("$argon2id$")
    assert hasher.verify(stored, "a fine password")
    assert not hasher.verify(stored, "another password")
    assert not hasher.verify(None, "a fine password")  # unknown user: same work, never true
    assert not hasher.verify("not a hash", "a fine password")


def test_a_full_hashing_cap_answers_unavailable_instead_of_queueing_forever():
    hasher = Hasher(time_cost=1, memory_kib=8, parallelism=1, concurrency=1, wait_seconds=0.05)
    hasher._slots.acquire()  # another request is hashing
    try:
        with pytest.raises(Unavailable) as busy:
            hasher.hash("a fine password")
        assert busy.value.retry_after >= 1
    finally:
        hasher._slots.release()
    assert hasher.verify(hasher.hash("a fine password"), "a fine password")


def test_the_cap_bounds_concurrent_hashes():
    hasher = Hasher(time_cost=1, memory_kib=8, parallelism=1, concurrency=2, wait_seconds=5)
    running, peak, lock = [0], [0], threading.Lock()
    inner = hasher._argon2

    class Counting:
        def hash(self, password):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            try:
                time.sleep(0.02)  # long enough for the eight threads to overlap
                return inner.hash(password)
            finally:
                with lock:
                    running[0] -= 1

    hasher._argon2 = Counting()  # type: ignore[assignment]
    threads = [threading.Thread(target=hasher.hash, args=("pw number one",)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 2
