"""Pages per second: the project beside a minimal same-output handler and a bare response (#18).

The demo data served with `gongzhi serve --workers N` (N = 1 and 2), beside the minimal handlers of
bench/_minimal_app.py under the same uvicorn options and workers (a plain `def` in the thread pool,
plain SQL, a bare Jinja template, the same bytes: tests/bench/test_minimal_pages.py) and a bare
Starlette text response served by that same process (the box's ceiling). Each page is loaded from
another process (wrk, or a bounded asyncio client without it) with enough keep-alive connections to
reach both workers; rounds alternate project, minimal and bare, and the medians are printed with the
ratio project / minimal. Figures are printed, never asserted; the 2 cores are shared with the client.

The home page has no minimal handler: its body is every feature's home area, and those change as
features land; it is measured against the bare response only.

    .venv/bin/python bench/pages.py                  # 1 and 2 workers, 3 rounds of 3 s per page
    .venv/bin/python bench/pages.py --quick          # 1 worker, 1 round of 1 s (CI proves it works)
    .venv/bin/python bench/pages.py --workers 1 --rounds 5 --seconds 10
    .venv/bin/python bench/pages.py --city           # on the city-sized data (bench/_city.py), SQLite
    .venv/bin/python bench/pages.py --city --backend postgresql --quick   # 0.01 of the city, on PostgreSQL

With ``--city`` the pages also include the city's heavy ones (the busiest board's second page, the
longest thread's last page, the largest merge's report, the case list and a late page of it, the
volunteers' list, a search), measured against the bare response only.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))  # after the root: bench/search.py shares the search package's name
from _city import city_database  # noqa: E402
from _load import Run, client_name, load, median_run  # noqa: E402 - the benches' shared helpers
from _server import BIN, site_environment, stop  # noqa: E402

SECRET = "bench-pages-secret-" + "x" * 32
CONNECTIONS = 32
RESIDENT = "wang_ayi"  # 王阿姨: a home cell, no roles (a resident's view)


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    signed_in: bool = False
    minimal: bool = True  # False: measured against the bare response only (see the docstring)


def environment(var: Path, url: str | None = None) -> dict[str, str]:
    return os.environ | site_environment(var, SECRET, url or f"sqlite:///{var / 'gongzhi.sqlite3'}")


def demo(env: dict[str, str]) -> None:
    subprocess.run([BIN / "gongzhi", "demo"], env=env, check=True, capture_output=True)


def demo_pages(env: dict[str, str]) -> list[Page]:
    """The pages measured, with ids found in the demo data (the longest thread, a busy board)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(env["GONGZHI_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            cell = conn.execute(
                text(
                    "SELECT c.code FROM grid_cells c JOIN grid_roster e ON e.cell_id = c.id"
                    " GROUP BY c.code ORDER BY count(*) DESC, c.code LIMIT 1"
                )
            ).scalar_one()
            board = conn.execute(
                text("SELECT slug FROM forum_boards ORDER BY thread_count DESC, id LIMIT 1")
            ).scalar_one()
            thread = conn.execute(
                text("SELECT id FROM forum_threads ORDER BY post_count DESC, id LIMIT 1")
            ).scalar_one()
    finally:
        engine.dispose()
    return [
        Page("/ (home)", "/", minimal=False),
        Page("/grid/", "/grid/"),
        Page("/grid/cells/{code}", f"/grid/cells/{cell}"),
        Page("/forums/", "/forums/"),
        Page("/forums/boards/{slug}", f"/forums/boards/{board}"),
        Page("/forums/threads/{id}", f"/forums/threads/{thread}"),
        Page("/ signed in", "/", signed_in=True, minimal=False),
        Page("/accounts/me", "/accounts/me", signed_in=True),
    ]


def city_pages(env: dict[str, str]) -> list[Page]:
    """The pages a city makes heavy: deep pages of long lists, the largest merge's report, search."""
    from sqlalchemy import create_engine, text

    engine = create_engine(env["GONGZHI_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            board = conn.execute(
                text("SELECT slug FROM forum_boards ORDER BY thread_count DESC, id LIMIT 1")
            ).scalar_one()
            posts = conn.execute(text("SELECT max(post_count) FROM forum_threads")).scalar_one()
            thread = conn.execute(
                text("SELECT id FROM forum_threads ORDER BY post_count DESC, id LIMIT 1")
            ).scalar_one()
            merge = conn.execute(
                text("SELECT consultation_id FROM merges ORDER BY report_votes DESC LIMIT 1")
            ).scalar_one()
            cases = conn.execute(text("SELECT count(*) FROM grid_cases")).scalar_one()
    finally:
        engine.dispose()
    last = max(1, -(-posts // 50))  # the thread's last page (50 posts a page)
    return [
        Page("/forums/boards/{slug} p2", f"/forums/boards/{board}?page=2", minimal=False),
        Page("/forums/threads/{id} last", f"/forums/threads/{thread}?page={last}", minimal=False),
        Page("/consultations/{id}/merge", f"/consultations/{merge}/merge", minimal=False),
        Page("/grid/cases/", "/grid/cases/", minimal=False),
        Page("/grid/cases/ deep page", f"/grid/cases/?page={max(1, cases // 60)}", minimal=False),
        Page("/volunteers/", "/volunteers/", minimal=False),
        Page("/search?q=停车", "/search?q=%E5%81%9C%E8%BD%A6", minimal=False),
    ]


def log_in(port: int, username: str, password: str) -> str:
    """Log in through the form; the Cookie header of that browser (login and CSRF cookies)."""
    cookies: dict[str, str] = {}

    def send(method: str, path: str, body: str | None = None) -> str:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        page = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return page

    form = send("GET", "/accounts/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    send(
        "POST",
        "/accounts/login",
        urllib.parse.urlencode({"csrf_token": token, "username": username, "password": password}),
    )
    if "gz_login" not in cookies:
        raise RuntimeError(f"could not log in as {username}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def demo_password(env: dict[str, str]) -> str:
    from core.settings import Settings
    from web.demo import demo_password as derive

    return derive(Settings.from_env(env))


def start_minimal(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    """The minimal handlers under uvicorn with the options `gongzhi serve` uses (not waited for)."""
    return subprocess.Popen(
        [BIN / "uvicorn", "bench._minimal_app:app_from_env", "--factory", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--no-server-header", "--no-proxy-headers"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def start_project(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    """`gongzhi serve`, as bench/_server.py starts it (not waited for)."""
    return subprocess.Popen(
        [BIN / "gongzhi", "serve", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_for(server: subprocess.Popen, port: int, workers: int, seconds: float = 120) -> None:
    """Until /healthz answers, and a little longer so that every worker process has started. On a
    loaded machine uvicorn's workers can take tens of seconds to import (and its supervisor restarts
    one that misses a health check), so the wait is long, and a server that never answers fails."""
    until = time.monotonic() + seconds
    while True:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            probe.request("GET", "/healthz")
            probe.getresponse().read()
            break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode() if server.stderr else "died") from None
            if time.monotonic() > until:
                raise RuntimeError(f"nothing answered on port {port} within {seconds:g} s") from None
            time.sleep(0.05)
    time.sleep(0.5 * workers)


def two_ports() -> tuple[int, int]:
    """Two different free ports (two free_port() calls in a row may give the same one)."""
    with socket.socket() as first, socket.socket() as second:
        first.bind(("127.0.0.1", 0))
        second.bind(("127.0.0.1", 0))
        return first.getsockname()[1], second.getsockname()[1]


@contextmanager
def servers(env: dict[str, str], workers: int) -> Iterator[tuple[int, int]]:
    """The project and the minimal app, each with ``workers`` processes, started together; their ports."""
    project_port, minimal_port = two_ports()
    minimal = start_minimal(env, minimal_port, workers)
    try:
        project = start_project(env, project_port, workers)
        try:
            wait_for(project, project_port, workers)
            wait_for(minimal, minimal_port, workers)
            yield project_port, minimal_port
        finally:
            stop(project)
    finally:
        stop(minimal)


def warm_up(port: int, path: str, headers: dict[str, str], times: int = 8) -> None:
    """A few requests on several connections, so that every worker has compiled the page's templates."""
    for _ in range(times):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status} on port {port}")


@dataclass
class Figures:
    project: list[Run]
    minimal: list[Run]
    bare: list[Run]


def measure(
    pages: list[Page], ports: tuple[int, int], cookie: str, rounds: int, seconds: float, connections: int
) -> dict[str, Figures]:
    """Rounds of every page, project then minimal (the order flips every round); the bare response
    once at the start of each round."""
    project_port, minimal_port = ports
    found = {page.name: Figures([], [], []) for page in pages}
    for page in pages:  # warm both up: templates compiled, connections opened, caches filled
        headers = {"Cookie": cookie} if page.signed_in else {}
        warm_up(project_port, page.path, headers)
        if page.minimal:
            warm_up(minimal_port, page.path, headers)
    bare: list[Run] = []
    for number in range(rounds):
        bare.append(load(f"http://127.0.0.1:{minimal_port}/_bare", seconds, connections))
        for page in pages:
            headers = {"Cookie": cookie} if page.signed_in else {}
            turns = [("project", project_port)] + ([("minimal", minimal_port)] if page.minimal else [])
            for side, port in reversed(turns) if number % 2 else turns:
                run = load(f"http://127.0.0.1:{port}{page.path}", seconds, connections, headers)
                getattr(found[page.name], side).append(run)
    for figures in found.values():
        figures.bare = bare
    return found


def report(
    workers: int, pages: list[Page], found: dict[str, Figures], title: str = ""
) -> list[tuple[str, int, float | None]]:
    print(f"\n{title or f'`serve --workers {workers}`'}:")
    print(
        f"  {'page':<24} {'project':>8} {'p99 ms':>7}   {'minimal':>8} {'p99 ms':>7}   {'bare':>7}"
        f"   {'project/minimal':>15} {'project/bare':>12}"
    )
    ratios = []
    for page in pages:
        figures = found[page.name]
        project, bare = median_run(figures.project), median_run(figures.bare)
        minimal = median_run(figures.minimal) if figures.minimal else None
        # the ratio of each round's pair, then the median: rounds see different noise, pairs the same
        ratio = (
            sorted(p.rate / m.rate for p, m in zip(figures.project, figures.minimal, strict=True))[
                len(figures.project) // 2
            ]
            if figures.minimal
            else None
        )
        errors = project.errors + (minimal.errors if minimal else 0)
        print(
            f"  {page.name:<24} {project.rate:>8.0f} {project.p99_ms:>7.1f}   "
            + (f"{minimal.rate:>8.0f} {minimal.p99_ms:>7.1f}   " if minimal else f"{'-':>8} {'-':>7}   ")
            + f"{bare.rate:>7.0f}   "
            + (f"{ratio:>15.2f}" if ratio is not None else f"{'-':>15}")
            + f" {project.rate / bare.rate:>12.2f}"
            + (f"   ({errors} answers not 200)" if errors else "")
        )
        ratios.append((page.name, workers, ratio))
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 worker, 1 round of 1 s per page (CI)")
    parser.add_argument("--workers", type=int, action="append", help="worker processes (repeatable)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--only", action="append", help="only pages whose name contains this")
    parser.add_argument(
        "--city", action="store_true", help="on the city-sized data (0.01 of it with --quick)"
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite", help="with --city")
    args = parser.parse_args()
    workers = args.workers or ([1] if args.quick else [1, 2])
    rounds = args.rounds or (1 if args.quick else 3)
    seconds = args.seconds or (1 if args.quick else 3)
    with tempfile.TemporaryDirectory() as var:
        if args.city:
            fraction = 0.01 if args.quick else 1.0
            env = os.environ | city_database(args.backend, fraction)
            pages, data = demo_pages(env) + city_pages(env), f"the city ({fraction:g}, {args.backend})"
        else:
            env = environment(Path(var))
            demo(env)
            pages, data = demo_pages(env), "the demo data"
        if args.only:
            pages = [p for p in pages if any(o in p.name for o in args.only)]
        print(
            f"Pages of {data}, {client_name()} with {args.connections} connections from another "
            f"process, {rounds} round(s) of {seconds:g} s per page and side, medians; 2 cores shared; "
            f"load average {Path('/proc/loadavg').read_text().split()[0]} at the start"
        )
        below = []
        for count in workers:
            with servers(env, count) as ports:
                cookie = log_in(ports[0], RESIDENT, demo_password(env))
                found = measure(pages, ports, cookie, rounds, seconds, args.connections)
            below += [(n, w, r) for n, w, r in report(count, pages, found) if r is not None and r < 0.5]
        if below:
            print(
                "\nUnder 0.5 of the minimal handler: "
                + ", ".join(f"{n} ({w} worker(s), {r:.2f})" for n, w, r in below)
            )


if __name__ == "__main__":
    main()
