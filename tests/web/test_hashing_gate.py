"""Password hashing never occupies the threads that serve pages, and a full gate answers at once."""

import threading
import time

import anyio
import anyio.to_thread
import pytest

from core.errors import Unavailable
from web.hashing_gate import HashingGate


def run(scenario) -> None:  # type: ignore[no-untyped-def]
    """``anyio.run`` in a thread of its own: the browser tests keep an event loop in the main thread."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            anyio.run(scenario)
        except BaseException as error:  # re-raised in the test's thread below
            failure.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=30)
    if failure:
        raise failure[0]


def test_hashing_runs_beside_the_page_threads_and_a_full_gate_refuses_at_once():
    release = threading.Event()
    outcomes: list[str] = []

    async def scenario() -> None:
        gate = HashingGate(slots=2, wait_seconds=5, queue=1)
        page_threads = anyio.to_thread.current_default_thread_limiter()

        async def login() -> None:
            try:
                await gate.run(release.wait)
                outcomes.append("hashed")
            except Unavailable:
                outcomes.append("503")

        async with anyio.create_task_group() as tasks:
            try:
                for _ in range(2):
                    tasks.start_soon(login)
                await anyio.sleep(0.2)  # both slots are busy hashing now
                assert page_threads.borrowed_tokens == 0, page_threads.statistics()  # no page thread taken
                tasks.start_soon(login)  # this one may wait: the queue holds one
                await anyio.sleep(0.1)
                started = time.monotonic()
                await login()  # the queue is full too: refused without waiting
                assert time.monotonic() - started < 0.5
                assert outcomes == ["503"]
            finally:
                release.set()  # a failed assertion must not leave the hashing threads waiting forever

    run(scenario)
    assert sorted(outcomes) == ["503", "hashed", "hashed", "hashed"]


def test_a_wait_past_its_limit_is_refused():
    release = threading.Event()

    async def scenario() -> None:
        gate = HashingGate(slots=1, wait_seconds=0.2, queue=5)
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(gate.run, release.wait)
            try:
                await anyio.sleep(0.1)
                with pytest.raises(Unavailable):
                    await gate.run(lambda: None)
            finally:
                release.set()

    run(scenario)
