"""200 people sign up at once for 20 places through the site served the production way: `gongzhi serve
--workers 2` on a committed database (a SQLite file, or PostgreSQL when GONGZHI_TEST_DATABASE_URL is
set), each person a real HTTP client in a thread of their own, all released together.

Every answer must be what a person expects (a redirect to the shift, whose page then says signed up or
waiting), never an error page (409, 500, 503): the request wrapper's retries and the database's locks
absorb the race. Exactly 20 are confirmed and 180 wait, in commit order: places in line are 1..200
without a gap, the first 20 hold the places, the moments stamped under the shift's lock rise with the
line, and whoever got their answer before another person's request left is ahead of them. Then
cancellations race newcomers, and acceptances race cancellations further back, with the same care.
Figures are printed (``-s``), never asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.passwords import Hasher
from core import clock, site_settings
from core.db import Sessions, run_write
from tests.concurrency.browsers import Answer, Browser
from tests.conftest import PG_URL, fresh_engine, make_settings
from tests.factories import make_admin, make_shift, make_team, make_user
from volunteers.models import Shift, Signup, SignupStatus

pytestmark = pytest.mark.concurrency
S = SignupStatus
CROWD, PLACES, NEWCOMERS = 200, 20, 20
PASSWORD = "a volunteer's password"
BIN = Path(sys.executable).parent


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hasher() -> Hasher:
    """The cost the served site is told to use, so a login never rehashes (no extra writes)."""
    return Hasher(time_cost=1, memory_kib=1024, parallelism=1)


def prepare(sessions: Sessions, people: int) -> tuple[int, list[str]]:
    def work(session: Session) -> tuple[int, list[str]]:
        cheap = hasher()
        admin = make_admin(session, cheap)
        leader = make_user(session, cheap, "liu_duizhang", password=PASSWORD)
        team = make_team(session, admin, leader)
        shift = make_shift(session, leader, team, capacity=PLACES, starts_at=clock.now() + timedelta(days=3))
        names = [make_user(session, cheap, f"v{n:03d}", password=PASSWORD).username for n in range(people)]
        # every person logs in from 127.0.0.1 here; only the login limit per address is in the way
        site_settings.change(
            session, SimpleNamespace(id=None, username="test"), "rate.login_per_ip", "100000/60"
        )
        session.flush()
        return shift.id, names

    return run_write(sessions, work)


@pytest.fixture
def site(tmp_path) -> Iterator[SimpleNamespace]:
    """A committed database and `gongzhi serve --workers 2` on it."""
    settings = make_settings(tmp_path, PG_URL or None)
    with fresh_engine(settings) as engine:
        sessions = Sessions(engine)
        shift_id, names = prepare(sessions, CROWD + NEWCOMERS)
        port = free_port()
        env = os.environ | {
            "GONGZHI_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "GONGZHI_VAR_DIR": str(tmp_path),
            "GONGZHI_SECRET_KEY": "concurrency-test-secret-" + "x" * 32,
            "GONGZHI_ARGON2_TIME_COST": "1",
            "GONGZHI_ARGON2_MEMORY_KIB": "1024",
            "GONGZHI_ARGON2_PARALLELISM": "1",
            "GONGZHI_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [BIN / "gongzhi", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / "serve.log", "w"),  # noqa: SIM115 - closed with the process
        )
        try:
            _wait_until_up(server, port, tmp_path / "serve.log")
            yield SimpleNamespace(
                port=port, sessions=sessions, shift_id=shift_id, names=names, log=tmp_path / "serve.log"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_until_up(server: subprocess.Popen, port: int, log: Path) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError(log.read_text())
        try:
            if Browser(port).get("/healthz").status == 200:
                time.sleep(1.0)  # both worker processes have started
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("gongzhi serve did not answer")


def browsers_for(site: SimpleNamespace, names: list[str]) -> list[Browser]:
    """Each person logged in, on the shift's page (so their form carries a CSRF token)."""

    def one(name: str) -> Browser:
        browser = Browser(site.port)
        browser.log_in(name, PASSWORD)
        assert browser.get(f"/volunteers/shifts/{site.shift_id}").status == 200
        return browser

    with ThreadPoolExecutor(max_workers=4) as pool:  # logins hash: not what this test measures
        return list(pool.map(one, names))


def race(actions: list[Callable[[], Answer]]) -> tuple[list[Answer], float]:
    """Every action in a thread of its own, released together; their answers and the seconds taken."""
    answers: list[Answer | BaseException] = [RuntimeError("not run")] * len(actions)
    gate = threading.Barrier(len(actions))

    def run(index: int) -> None:
        gate.wait()
        try:
            answers[index] = actions[index]()
        except BaseException as error:  # collected: the test asserts there were none
            answers[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failures = [a for a in answers if isinstance(a, BaseException)]
    assert failures == []
    return answers, time.perf_counter() - started  # type: ignore[return-value]


def line(sessions: Sessions, shift_id: int) -> tuple[int, dict[int, tuple[SignupStatus, int | None, object]]]:
    """(taken, user id -> (status, position, created_at)) of the shift's latest sign-ups."""
    with sessions.read() as session:
        taken = session.scalar(select(Shift.taken).where(Shift.id == shift_id)) or 0
        rows = session.execute(
            select(Signup.user_id, Signup.status, Signup.position, Signup.created_at)
            .where(Signup.shift_id == shift_id)
            .order_by(Signup.id)
        )
        return taken, {uid: (status, position, created) for uid, status, position, created in rows}


def user_ids(sessions: Sessions, names: list[str]) -> list[int]:
    from accounts.models import User

    with sessions.read() as session:
        found = dict(session.execute(select(User.username, User.id).where(User.username.in_(names))).all())
    return [found[name] for name in names]


def signup_ids(sessions: Sessions, shift_id: int) -> dict[int, int]:
    with sessions.read() as session:
        rows = session.execute(select(Signup.user_id, Signup.id).where(Signup.shift_id == shift_id))
        return dict(rows.all())


def report(name: str, answers: list[Answer], seconds: float) -> None:
    backend = "postgresql" if PG_URL else "sqlite"
    slowest = max(a.received - a.sent for a in answers)
    print(
        f"\n[{backend}, 2 processes] {name}: {len(answers)} requests in {seconds:.2f} s "
        f"({len(answers) / seconds:.0f}/s), slowest answer {slowest:.2f} s"
    )


def assert_answered_like_a_page(
    browsers: list[Browser], answers: list[Answer], path: str, says: tuple[str, ...]
) -> None:
    """Every answer a redirect to ``path``; the page it leads to is a page, saying what happened."""
    assert sorted({a.status for a in answers}) == [303], [a.body[:200] for a in answers if a.status != 303][
        :3
    ]
    assert {a.location for a in answers} == {path}
    for browser in browsers:
        page = browser.get(path)
        assert page.status == 200 and any(text in page.body for text in says), page.body[:300]


def assert_commit_order(by_user: dict, people: list[int], answers: list[Answer], first: int) -> None:
    """Places in line ``first``.. without a gap; stamps under the lock rise with the place; and a person
    answered before another's request left stands ahead of them."""
    places = [by_user[uid][1] for uid in people]
    assert sorted(places) == list(range(first, first + len(people)))
    ordered = sorted(people, key=lambda uid: by_user[uid][1])
    stamps = [by_user[uid][2] for uid in ordered]
    assert stamps == sorted(stamps)
    place = dict(zip(people, places, strict=True))
    timed = sorted(zip(people, answers, strict=True), key=lambda pair: pair[1].received)
    for index, (uid, answer) in enumerate(timed):
        for later_uid, later in timed[index + 1 :]:
            if later.sent > answer.received:
                assert place[uid] < place[later_uid]


def test_200_signups_over_http_confirm_20_and_queue_180_with_no_error_page(site):
    crowd = site.names[:CROWD]
    browsers = browsers_for(site, crowd)
    path = f"/volunteers/shifts/{site.shift_id}"
    answers, seconds = race([lambda b=b: b.post(f"{path}/signup") for b in browsers])
    report("sign-ups", answers, seconds)
    assert_answered_like_a_page(browsers, answers, path, ("报名成功", "您已登记候补"))
    taken, by_user = line(site.sessions, site.shift_id)
    people = user_ids(site.sessions, crowd)
    assert taken == PLACES
    assert_commit_order(by_user, people, answers, first=1)
    in_line = sorted(people, key=lambda uid: by_user[uid][1])
    assert [by_user[uid][0] for uid in in_line] == [S.confirmed] * PLACES + [S.waitlisted] * (CROWD - PLACES)
    assert "Traceback" not in site.log.read_text()


def test_cancellations_racing_newcomers_offer_each_place_to_the_next_in_line_over_http(site):
    crowd, newcomers = site.names[:CROWD], site.names[CROWD:]
    browsers = browsers_for(site, crowd + newcomers)
    path = f"/volunteers/shifts/{site.shift_id}"
    for browser in browsers[:CROWD]:  # the line as it stands: 1..20 confirmed, 21..200 waiting
        assert browser.post(f"{path}/signup").status == 303
    people = user_ids(site.sessions, crowd + newcomers)
    ids = signup_ids(site.sessions, site.shift_id)
    _taken, before = line(site.sessions, site.shift_id)

    leaving = [
        lambda b=b, uid=uid: b.post(f"/volunteers/signups/{ids[uid]}/cancel")
        for b, uid in zip(browsers[:PLACES], people[:PLACES], strict=True)
    ]
    joining = [lambda b=b: b.post(f"{path}/signup") for b in browsers[CROWD:]]
    answers, seconds = race(leaving + joining)
    report("cancellations with new sign-ups", answers, seconds)
    assert_answered_like_a_page(
        browsers[:PLACES] + browsers[CROWD:], answers, path, ("已取消报名", "您已登记候补")
    )
    taken, after = line(site.sessions, site.shift_id)
    offered = sorted(before[uid][1] for uid in people[:CROWD] if after[uid][0] is S.offered)
    assert (taken, offered) == (PLACES, list(range(PLACES + 1, 2 * PLACES + 1)))  # the next 20, in order
    assert_commit_order(after, people[CROWD:], answers[PLACES:], first=CROWD + 1)
    assert {after[uid][0] for uid in people[CROWD:]} == {S.waitlisted}

    accepting = [i for i, uid in enumerate(people[:CROWD]) if after[uid][0] is S.offered]
    backmost = list(range(2 * PLACES, 2 * PLACES + 10))  # waiting further back: no place to free
    units = [lambda i=i: browsers[i].post(f"/volunteers/signups/{ids[people[i]]}/accept") for i in accepting]
    units += [lambda i=i: browsers[i].post(f"/volunteers/signups/{ids[people[i]]}/cancel") for i in backmost]
    answers, seconds = race(units)
    report("acceptances with cancellations", answers, seconds)
    assert_answered_like_a_page(
        [browsers[i] for i in accepting + backmost], answers, path, ("补位成功", "已取消报名")
    )
    taken, final = line(site.sessions, site.shift_id)
    confirmed = sorted(uid for uid, (status, _p, _c) in final.items() if status is S.confirmed)
    assert taken == PLACES and confirmed == sorted(people[i] for i in accepting)
    assert "Traceback" not in site.log.read_text()
