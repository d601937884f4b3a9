"""Sign-ups racing for places over a committed database (SQLite file, or PostgreSQL when configured).

200 threads, released together, each sign up once through ``core.db.run_write`` as the request
wrapper would, for a shift of 20 places: exactly 20 are confirmed and 180 waitlisted, in commit order.
Then cancellations race new sign-ups and acceptances: every freed place goes to the next in line.

Commit order is observed, not assumed: each unit of work stamps a monotonic clock after its sign-up,
while it still holds the shift's lock (PostgreSQL's row lock, SQLite's BEGIN IMMEDIATE), so the
stamps sort in the order the transactions committed. Retries (a lock or deadlock met, the unit re-run
whole) are counted from ``core.db``'s log; the figures are printed (``-s``), never asserted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from core import clock
from core.db import Sessions, make_engine, run_write
from tests.conftest import PG_URL, cheap_hasher, fresh_engine, make_settings
from tests.factories import make_admin, make_shift, make_team, make_user
from volunteers import signups, waitlist
from volunteers.models import Shift, Signup, SignupStatus

pytestmark = pytest.mark.concurrency
S = SignupStatus
CROWD, PLACES = 200, 20


class RetryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("retrying a write"):
            with self.lock:
                self.count += 1


@pytest.fixture
def retries():
    counter = RetryCounter()
    log = logging.getLogger("core.db")
    old_level = log.level
    log.setLevel(logging.INFO)
    log.addHandler(counter)
    yield counter
    log.removeHandler(counter)
    log.setLevel(old_level)


@pytest.fixture
def sessions(tmp_path):
    """Sessions on a freshly migrated database; the pool is larger than the app's and waits longer,
    because here 200 requests arrive at once on a shared machine (the app queues them in its threads)."""
    settings = make_settings(tmp_path, PG_URL or None)
    with fresh_engine(settings) as migrated:
        url = migrated.url.render_as_string(hide_password=False)
        engine = make_engine(settings.with_changes(database_url=url, threads=16), pool_timeout=300)
        try:
            yield Sessions(engine)
        finally:
            engine.dispose()


@dataclass
class Ground:
    shift_id: int
    crowd: list[int]  # volunteers' user ids


def prepare(sessions: Sessions, people: int) -> Ground:
    hasher = cheap_hasher()

    def work(session: Session) -> Ground:
        admin = make_admin(session, hasher)
        leader = make_user(session, hasher, "liu_duizhang")
        team = make_team(session, admin, leader)
        shift = make_shift(session, leader, team, capacity=PLACES, starts_at=clock.now() + timedelta(days=3))
        crowd = [make_user(session, hasher, f"v{number:03d}") for number in range(people)]
        session.flush()
        return Ground(shift.id, [user.id for user in crowd])

    return run_write(sessions, work)


def race(sessions: Sessions, units: list[Callable[[Session], object]]) -> tuple[list[object], dict[int, int]]:
    """Run every unit in a thread of its own, all released at once; (results or errors, stamps)."""
    results: list[object] = [None] * len(units)
    stamps: dict[int, int] = {}
    gate = threading.Barrier(len(units))

    def run(index: int) -> None:
        def work(session: Session) -> object:
            outcome = units[index](session)
            session.flush()
            stamps[index] = time.perf_counter_ns()  # still under the shift's lock: sorts as commits do
            return outcome

        gate.wait()
        try:
            results[index] = run_write(sessions, work)
        except Exception as error:  # collected: the test asserts there were none
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(units))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, stamps


def sign_up_unit(shift_id: int, user_id: int) -> Callable[[Session], object]:
    return lambda session: signups.sign_up(session, session.get(User, user_id), shift_id=shift_id).status


def line(sessions: Sessions, shift_id: int) -> tuple[int, dict[int, tuple[SignupStatus, int | None]]]:
    """(taken, user id -> (status, position)) of the shift's latest sign-ups."""
    with sessions.read() as session:
        taken = session.scalar(select(Shift.taken).where(Shift.id == shift_id))
        rows = session.execute(
            select(Signup.user_id, Signup.status, Signup.position)
            .where(Signup.shift_id == shift_id)
            .order_by(Signup.id)
        )
        return taken or 0, {uid: (status, position) for uid, status, position in rows}


def report(name: str, seconds: float, retries: int, units: int) -> None:
    backend = "postgresql" if PG_URL else "sqlite"
    print(f"\n[{backend}] {name}: {units} writes in {seconds:.2f} s, {retries} retried")


def test_200_signups_for_20_places_confirm_20_and_queue_180_in_commit_order(sessions, retries):
    ground = prepare(sessions, CROWD)
    started = time.perf_counter()
    results, stamps = race(sessions, [sign_up_unit(ground.shift_id, uid) for uid in ground.crowd])
    report("sign-ups", time.perf_counter() - started, retries.count, CROWD)
    assert [r for r in results if not isinstance(r, SignupStatus)] == []
    taken, by_user = line(sessions, ground.shift_id)
    assert taken == PLACES
    committed = [ground.crowd[i] for i in sorted(stamps, key=stamps.__getitem__)]
    assert [by_user[uid][1] for uid in committed] == list(range(1, CROWD + 1))  # line = commit order
    assert [by_user[uid][0] for uid in committed] == [S.confirmed] * PLACES + [S.waitlisted] * (
        CROWD - PLACES
    )


def test_racing_cancellations_offer_every_freed_place_to_the_next_in_line(sessions, retries):
    ground = prepare(sessions, CROWD + PLACES)
    queued, newcomers = ground.crowd[:CROWD], ground.crowd[CROWD:]
    for uid in queued:  # the line as it stands: 1..20 confirmed, 21..200 waiting
        run_write(sessions, sign_up_unit(ground.shift_id, uid))
    _taken, before = line(sessions, ground.shift_id)
    signup_ids = _signup_ids(sessions, ground.shift_id)

    cancels = [_cancel_unit(signup_ids[uid], uid) for uid in queued[:PLACES]]
    joins = [sign_up_unit(ground.shift_id, uid) for uid in newcomers]
    started = time.perf_counter()
    results, stamps = race(sessions, cancels + joins)
    report("cancellations with new sign-ups", time.perf_counter() - started, retries.count, len(results))
    assert [r for r in results if isinstance(r, Exception)] == []
    taken, after = line(sessions, ground.shift_id)
    offered = sorted(before[uid][1] for uid, (status, _p) in after.items() if status is S.offered)
    assert (taken, offered) == (PLACES, list(range(PLACES + 1, 2 * PLACES + 1)))  # the next 20, in order
    joined = sorted((stamps[PLACES + i], uid) for i, uid in enumerate(newcomers))
    assert [after[uid] for _stamp, uid in joined] == [(S.waitlisted, CROWD + n) for n in range(1, PLACES + 1)]

    accepting = [uid for uid, (status, _p) in after.items() if status is S.offered]
    leaving = queued[2 * PLACES : 2 * PLACES + 10]  # waiting further back: no place to free
    units = [_accept_unit(signup_ids[uid], uid) for uid in accepting] + [
        _cancel_unit(signup_ids[uid], uid) for uid in leaving
    ]
    started = time.perf_counter()
    results, _stamps = race(sessions, units)
    report("acceptances with cancellations", time.perf_counter() - started, retries.count, len(results))
    assert [r for r in results if isinstance(r, Exception)] == []
    taken, final = line(sessions, ground.shift_id)
    assert taken == PLACES and sorted(uid for uid, (s, _p) in final.items() if s is S.confirmed) == sorted(
        accepting
    )


def _signup_ids(sessions: Sessions, shift_id: int) -> dict[int, int]:
    with sessions.read() as session:
        rows = session.execute(select(Signup.user_id, Signup.id).where(Signup.shift_id == shift_id))
        return {user_id: signup_id for user_id, signup_id in rows}


def _cancel_unit(signup_id: int, user_id: int) -> Callable[[Session], object]:
    return lambda session: (
        signups.cancel_signup(session, session.get(User, user_id), signup_id=signup_id).status
    )


def _accept_unit(signup_id: int, user_id: int) -> Callable[[Session], object]:
    return lambda session: (
        waitlist.accept_offer(session, session.get(User, user_id), signup_id=signup_id).status
    )
