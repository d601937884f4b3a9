"""`gongzhi serve` as a real process for the fault tests, and the pieces they share.

Not a test module: the fault tests start a server on a committed database, drive it with
``browsers.Browser`` clients from threads, and break something underneath (a worker, the database,
the index) while the requests run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from accounts.models import StakeholderGroup
from accounts.passwords import Hasher
from core import site_settings
from core.db import Sessions, run_write
from deliberation.forums import limits as _forum_limits  # noqa: F401 - defines the forum rate settings
from deliberation.forums import threads
from grid import cells
from grid.residents import register_resident
from tests.concurrency.browsers import Answer, Browser

BIN = Path(sys.executable).parent
PASSWORD = "a resident's password"
# every limit a burst from one address would meet: the tests measure faults, not the limits
UNLIMITED = ("rate.login_per_ip", "rate.forum_post_per_user", "rate.forum_post_per_ip")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Served:
    port: int
    process: subprocess.Popen
    log: Path

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes (the supervisor's spawned children, not its resource tracker)."""
        found: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            for pid in (task / "children").read_text().split():
                try:
                    command = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue  # it has just ended
                if b"spawn_main" in command:
                    found.append(int(pid))
        return sorted(found)


def serve_env(url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    return (
        os.environ
        | {
            "GONGZHI_DATABASE_URL": url,
            "GONGZHI_VAR_DIR": str(var_dir),
            "GONGZHI_SECRET_KEY": "fault-test-secret-" + "x" * 32,
            "GONGZHI_ARGON2_TIME_COST": "1",
            "GONGZHI_ARGON2_MEMORY_KIB": "1024",
            "GONGZHI_ARGON2_PARALLELISM": "1",
            "GONGZHI_LOG_LEVEL": "WARNING",
        }
        | extra
    )


@contextmanager
def served(url: str, var_dir: Path, workers: int = 2, **extra: str) -> Iterator[Served]:
    """`gongzhi serve --workers N` on ``url`` until the block ends (then SIGTERM)."""
    port = free_port()
    log = var_dir / f"serve-{port}.log"
    with open(log, "w") as err:
        process = subprocess.Popen(
            [BIN / "gongzhi", "serve", "--port", str(port), "--workers", str(workers)],
            env=serve_env(url, var_dir, **extra),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    site = Served(port, process, log)
    try:
        wait_until_up(site, workers)
        yield site
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(site: Served, workers: int, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if site.process.poll() is not None:
            raise RuntimeError(site.log.read_text())
        try:
            if Browser(site.port).get("/healthz").status == 200 and len(site.worker_pids()) == workers:
                time.sleep(1.0)  # every worker process has finished starting
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gongzhi serve did not answer: {site.log.read_text()[-2000:]}")


def cheap_hasher() -> Hasher:
    """The cost the served site is told to use, so a login never rehashes."""
    return Hasher(time_cost=1, memory_kib=1024, parallelism=1)


def forum(sessions: Sessions, people: int) -> tuple[int, list[str]]:
    """A cell board with one thread, and ``people`` residents who may reply; (thread id, usernames)."""

    def work(session):  # type: ignore[no-untyped-def]
        cell = cells.add_cell(
            session, code="349901001001001", name="柳岸社区第1网格", street="清河街道", community="柳岸社区"
        )
        password_hash = cheap_hasher().hash(PASSWORD)
        residents = [
            register_resident(
                session,
                username=f"jumin{n:02d}",
                password_hash=password_hash,
                group=StakeholderGroup.resident,
            )
            for n in range(people)
        ]
        session.flush()
        thread = threads.start_thread(
            session, residents[0], board_slug=cell.code, title="楼道杂物谁来清", body="大家说说办法。"
        )
        actor = SimpleNamespace(id=None, username="test")
        for name in UNLIMITED:
            site_settings.change(session, actor, name, "100000/60")
        return thread.id, [r.username for r in residents]

    return run_write(sessions, work)


def logged_in(port: int, names: list[str], page: str) -> list[Browser]:
    """One browser per person, logged in and on ``page`` (so it holds the form's CSRF token)."""
    browsers = []
    for name in names:
        browser = Browser(port)
        browser.log_in(name, PASSWORD)
        assert browser.get(page).status == 200
        browsers.append(browser)
    return browsers


@dataclass
class Outcome:
    """What one client sent and got: (label, answer or the error that ended the request)."""

    label: str
    answer: Answer | None = None
    error: BaseException | None = None


@dataclass
class Load:
    """Clients in threads repeating an action until stopped; every outcome kept, in order."""

    outcomes: list[Outcome] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self, actions: list[Callable[[int], tuple[str, Callable[[], Answer]]]]) -> None:
        """``actions[i](n)`` names the n-th request of client i and returns (label, send)."""
        for action in actions:
            thread = threading.Thread(target=self._run, args=(action,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _run(self, action: Callable[[int], tuple[str, Callable[[], Answer]]]) -> None:
        n = 0
        while not self.stop.is_set():
            label, send = action(n)
            outcome = Outcome(label)
            try:
                outcome.answer = send()
            except OSError as error:  # the connection died with the process that held it
                outcome.error = error
            except Exception as error:  # http.client's RemoteDisconnected and kin
                outcome.error = error
            with self._lock:
                self.outcomes.append(outcome)
            n += 1

    def answered(self) -> int:
        with self._lock:
            return sum(1 for o in self.outcomes if o.answer is not None)

    def wait_for(self, count: int, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while self.answered() < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {self.answered()} answers in {seconds} s")
            time.sleep(0.02)

    def finish(self) -> list[Outcome]:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=150)
        return list(self.outcomes)
