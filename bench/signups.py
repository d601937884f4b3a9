"""Sign-ups per second through the site served the production way (`gongzhi serve --workers 2`).

Two loads, each of signed-in volunteers posting the sign-up form from concurrent HTTP clients:
- contended: everyone signs up for one shift of 20 places (each request waits for the shift's lock;
  20 are confirmed, the rest join the waiting list);
- uncontended: the same number of sign-ups spread over 100 shifts at different times.
On SQLite (a file) and PostgreSQL (a database of its own on the local server, dropped afterwards;
skipped with a line saying so when unreachable), beside a bare Starlette app under the same uvicorn
workers that only reads the form and answers 303 (bench/_bare_signup.py): the ratio is how much of
that bare rate a real sign-up keeps. Figures are printed, never asserted.

    .venv/bin/python bench/signups.py            # 400 sign-ups per load, 16 clients
    .venv/bin/python bench/signups.py --quick    # 100 sign-ups per load, 8 clients (CI proves it works)
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))  # after the root: bench/search.py shares the search package's name
from _server import PG_URL, free_port, pg_database, pg_unreachable, serve, site_environment, stop  # noqa: E402 - shared helpers

PASSWORD = "bench volunteer password"
SHIFTS = 100
WORKERS = 2
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = "bench-signups-secret-" + "x" * 32


class Client:
    """One person's browser: cookies and the CSRF token of the last page."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies, self.token = port, {}, ""

    def send(self, method: str, path: str, form: dict[str, str] | None = None) -> int:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({"csrf_token": self.token, **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            page = response.read().decode(errors="replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            if found := CSRF.search(page):
                self.token = found.group(1)
            return response.status
        finally:
            connection.close()

    def log_in(self, username: str) -> None:
        self.send("GET", "/accounts/login")
        while self.send("POST", "/accounts/login", {"username": username, "password": PASSWORD}) == 503:
            time.sleep(0.05)  # the hashing gate was full: a person would press again
        self.send("GET", "/volunteers/teams")  # a light page: its log-out form carries the CSRF token


def environment(var: Path, url: str) -> dict[str, str]:
    return os.environ | site_environment(var, SECRET, url)


def prepare(env: dict[str, str], people: int) -> SimpleNamespace:
    """Migrate; a team, one shift of 20 places, 100 shifts an hour apart, ``people`` volunteers."""
    from accounts.models import StakeholderGroup
    from accounts.passwords import Hasher
    from accounts.roles import bootstrap_admin
    from core import clock, site_settings
    from core.db import Sessions, make_engine, run_write
    from core.settings import Settings
    from grid.residents import register_resident
    from migrations import runner
    from volunteers.shifts import ShiftDraft, create_shift
    from volunteers.teams import TeamDraft, create_team
    from web import wiring

    wiring.setup()  # the settings and notification kinds the services use, as in every process
    settings = Settings.from_env(env)
    engine = make_engine(settings)
    runner.upgrade(engine)
    password_hash = Hasher.from_settings(settings).hash(PASSWORD)  # one hash for everyone: set-up only

    def draft(title: str, days: float, capacity: int) -> ShiftDraft:
        start = clock.now() + timedelta(days=days)
        return ShiftDraft(
            title=title,
            place="柳岸公园",
            starts_at=start,
            ends_at=start + timedelta(minutes=50),
            capacity=capacity,
        )

    def load(session):  # type: ignore[no-untyped-def]
        admin = bootstrap_admin(session, username="admin", password_hash=password_hash)
        leader = register_resident(
            session, username="leader", password_hash=password_hash, group=StakeholderGroup.resident
        )
        team = create_team(
            session,
            admin,
            draft=TeamDraft(name="柳岸社区志愿服务队", organisation="柳岸社区"),
            leader_id=leader.id,
        )
        session.flush()
        contended = create_shift(session, leader, team_id=team.id, draft=draft("周末河道清扫", 2, 20))
        spread = [
            create_shift(session, leader, team_id=team.id, draft=draft(f"助老陪伴{n}", 3 + n / 24, people))
            for n in range(SHIFTS)
        ]
        for n in range(people):
            register_resident(
                session, username=f"v{n:04d}", password_hash=password_hash, group=StakeholderGroup.resident
            )
        for name, rule in (
            ("rate.login_per_ip", "100000/60"),
            ("rate.volunteer_signup_per_user", "100000/60"),
        ):
            site_settings.change(session, admin, name, rule)  # one address, many people: the limits aside
        session.flush()
        return SimpleNamespace(contended=contended.id, spread=[s.id for s in spread])

    try:
        return run_write(Sessions(engine), load)
    finally:
        engine.dispose()


def hammer(port: int, clients: list[Client], paths: list[str], concurrency: int) -> tuple[float, Counter]:
    """POST each path (client i posts paths[i]) from ``concurrency`` connections; seconds and statuses."""
    work: queue.Queue[tuple[Client, str]] = queue.Queue()
    for client, path in zip(clients, paths, strict=True):
        work.put((client, path))
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def run() -> None:
        while True:
            try:
                client, path = work.get_nowait()
            except queue.Empty:
                return
            status = client.send("POST", path, {})
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, statuses


def measure_gongzhi(var: Path, url: str, people: int, concurrency: int) -> dict[str, tuple[float, Counter]]:
    env = environment(var, url)
    ground = prepare(env, people)
    port = free_port()
    server = serve(env, port, WORKERS)
    try:
        clients = [Client(port) for _ in range(people)]
        with ThreadPoolExecutor(max_workers=4) as pool:  # logging in hashes: not what is measured
            list(pool.map(lambda pair: pair[1].log_in(f"v{pair[0]:04d}"), enumerate(clients)))
        contended = [f"/volunteers/shifts/{ground.contended}/signup"] * people
        spread = [f"/volunteers/shifts/{ground.spread[n % SHIFTS]}/signup" for n in range(people)]
        return {
            "contended": hammer(port, clients, contended, concurrency),
            "uncontended": hammer(port, clients, spread, concurrency),
        }
    finally:
        stop(server)


def measure_bare(people: int, concurrency: int) -> tuple[float, Counter]:
    port = free_port()
    server = subprocess.Popen(
        [Path(sys.executable).parent / "uvicorn", "bench._bare_signup:app", "--port", str(port),
         "--workers", str(WORKERS), "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait(port, server)
        clients = [Client(port) for _ in range(people)]
        return hammer(port, clients, ["/volunteers/shifts/1/signup"] * people, concurrency)
    finally:
        stop(server)


def _wait(port: int, server: subprocess.Popen) -> None:
    for _ in range(400):
        try:
            Client(port).send("GET", "/healthz")
            time.sleep(0.5 * WORKERS)
            return
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(
                    server.stderr.read().decode() if server.stderr else "uvicorn died"
                ) from None
            time.sleep(0.05)


def line(name: str, seconds: float, statuses: Counter, people: int, bare_rate: float) -> str:
    rate = people / seconds
    others = {k: v for k, v in statuses.items() if k != 303}
    return f"{name:<28} {rate:>9.1f} {rate / bare_rate:>7.3f}   {dict(others) or '-'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 sign-ups per load, 8 clients (CI)")
    parser.add_argument("--pg-url", default=PG_URL, help=f"PostgreSQL server (default {PG_URL})")
    args = parser.parse_args()
    people, concurrency = (100, 8) if args.quick else (400, 16)
    bare_seconds, bare_statuses = measure_bare(people, concurrency)
    bare_rate = people / bare_seconds
    print(
        f"{people} sign-ups per load from {concurrency} concurrent clients, `serve --workers {WORKERS}`, "
        "on 127.0.0.1 (clients and server share the machine's 2 cores)"
    )
    print(f"{'':<28} {'per second':>9} {'x bare':>7}   answers other than 303")
    print(line("bare Starlette (no database)", bare_seconds, bare_statuses, people, bare_rate))
    backends = [("sqlite", None)]
    why_not = pg_unreachable(args.pg_url)
    if why_not is None:
        backends.append(("postgresql", args.pg_url))
    for backend, pg_url in backends:
        with (
            tempfile.TemporaryDirectory() as var,
            pg_database(pg_url, "gongzhi_bench_signups") if pg_url else _sqlite(var) as url,
        ):
            results = measure_gongzhi(Path(var), url, people, concurrency)
        for load, (seconds, statuses) in results.items():
            print(line(f"{backend}, {load}", seconds, statuses, people, bare_rate))
    if why_not is not None:
        print(f"PostgreSQL at {args.pg_url} unreachable ({why_not}): skipped")


@contextmanager
def _sqlite(var: str) -> Iterator[str]:
    yield f"sqlite:///{Path(var) / 'signups.sqlite3'}"


if __name__ == "__main__":
    main()
