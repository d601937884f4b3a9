"""A realistic mix against the site served the production way, beside a bare Starlette response (#26).

`gongzhi serve --workers N` (serving only) plus a `gongzhi worker` process, on SQLite and on
PostgreSQL (a database of the bench's own, dropped afterwards), with the demo data (or `--city`, the
city-scale data of bench/_city.py). Distinct residents, each logged in once through the login form,
read boards and threads, the home page and the shifts, search, vote in the 四意合一 merge, write a
statement, reply in a forum, sign up for a shift and cancel it later; an Open311 app files and reads
service requests with its key (the weights and the people's pace: bench/_mix.py). Then a bare
Starlette text response under the same uvicorn and worker count (bench/_minimal_app.py's `/_bare`)
with the same clients, and the ratios. No request may fail under the nominal load (50 clients for
60 s): every error is printed with its body's head. Then the load steps up and the bench says at
which number of clients p99 passes one second. Figures are printed, never asserted; the client is
one asyncio process on the same two cores as the server (its CPU share is printed).

    .venv/bin/python bench/load.py                        # SQLite and PostgreSQL, 50 clients × 60 s, steps
    .venv/bin/python bench/load.py --quick                # SQLite, a few clients for seconds (CI)
    .venv/bin/python bench/load.py --backend postgresql --clients 100 --seconds 120 --steps 100,200
    .venv/bin/python bench/load.py --city --fraction 0.1  # on a tenth of the city-scale data set
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))  # after the root: bench/search.py shares the search package's name
import _mix  # noqa: E402 - the benches' shared helpers
from _server import BIN, PG_URL, pg_database, pg_unreachable, production  # noqa: E402
from pages import demo, environment, start_minimal, two_ports, wait_for  # noqa: E402

P99_LIMIT_MS = 1000.0


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@contextmanager
def database(backend: str, pg_url: str, template: dict[str, str] | None = None) -> Iterator[str | None]:
    """None for SQLite (a file in the bench's folder), else the URL of a PostgreSQL database of the
    bench's own: empty, or a copy of the built city's database ``template`` names."""
    if backend == "sqlite":
        yield None
    else:
        city = template["GONGZHI_DATABASE_URL"].rsplit("/", 1)[1] if template else None
        with pg_database(pg_url, "gongzhi_bench_load", city) as url:
            yield url


def city(backend: str, fraction: float) -> dict[str, str]:
    """The environment of the city-scale data set, built by bench/_city.py (or kept from before)."""
    from _city import city_database

    return city_database(backend, fraction)


def build(
    env: dict[str, str], backend: str, city_env: dict[str, str] | None, residents: int
) -> tuple[dict[str, str], _mix.Site]:
    """The data (demo, or a copy of the kept city: the bench writes and must not change the city
    the other benches measure), the bench's residents, the site's ids."""
    if city_env is not None:
        # the city's folder (its SQLite file, search index, uploads) copied into the bench's own
        shutil.copytree(city_env["GONGZHI_VAR_DIR"], env["GONGZHI_VAR_DIR"], dirs_exist_ok=True)
    else:
        if backend != "sqlite":
            subprocess.run([BIN / "gongzhi", "migrate"], env=env, check=True, capture_output=True)
        demo(env)
    _mix.prepare(env, residents)
    return env, _mix.find_site(env, residents)


def warm_up(mix: _mix.Mix, clients: int) -> None:
    """A few seconds of the mix, not counted: templates compiled, connections and caches filled."""
    asyncio.run(mix.run(clients, 3))


def run_mix(mix: _mix.Mix, clients: int, seconds: float) -> tuple[_mix.Figures, float]:
    """The figures and the client's CPU share of one core while it ran."""
    cpu = time.process_time()
    figures = asyncio.run(mix.run(clients, seconds))
    return figures, (time.process_time() - cpu) / figures.seconds


def step_up(mix: _mix.Mix, steps: list[int], seconds: float) -> None:
    """Clients in steps until p99 of the whole mix passes one second."""
    print(f"\n  stepping up, {seconds:g} s per step:")
    print(
        f"  {'clients':>8} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'429':>5}"
        "  client CPU  loadavg"
    )
    for clients in steps:
        figures, cpu = run_mix(mix, clients, seconds)
        everything = [x for values in figures.latencies.values() for x in values]
        errors = sum(figures.errors_of(name) for name in figures.latencies)
        refused = sum(figures.refused(name) for name in figures.latencies)
        p50, p99 = _mix.percentile(everything, 0.5) * 1000, _mix.percentile(everything, 0.99) * 1000
        print(
            f"  {clients:>8} {len(everything) / figures.seconds:>7.1f} {p50:>8.1f} {p99:>8.1f}"
            f" {errors:>7} {refused:>5}  {cpu:>9.0%}  {loadavg()}"
        )
        for line in figures.errors[:5]:
            print(f"    ERROR {line}")
        if p99 > P99_LIMIT_MS:
            print(f"  p99 passes {P99_LIMIT_MS / 1000:g} s at {clients} clients")
            return
    print(f"  p99 stayed under {P99_LIMIT_MS / 1000:g} s up to {steps[-1]} clients")


def measure(backend: str, args: argparse.Namespace) -> None:
    residents = max([args.clients, *args.steps, args.residents])
    city_env = city(backend, args.fraction) if args.city else None
    with (
        tempfile.TemporaryDirectory(prefix="gongzhi-load-") as var,
        database(backend, args.pg_url, city_env) as url,
    ):
        env, site = build(environment(Path(var), url), backend, city_env, residents)
        project_port, bare_port = two_ports()
        minimal = start_minimal(env, bare_port, args.workers)  # starts while the project's workers start
        try:
            with production(env, project_port, args.workers):
                wait_for(minimal, bare_port, args.workers)
                site.services = asyncio.run(_mix.services(project_port))
                asyncio.run(_mix.log_in_all(project_port, site.people))
                mix = _mix.Mix(project_port, site)
                warm_up(mix, min(args.clients, 10))
                print(
                    f"\n{backend}, {'city data' if args.city else 'demo data'},"
                    f" `serve --workers {args.workers}`"
                    f" + `gongzhi worker`; {args.clients} clients for {args.seconds:g} s"
                    f" ({len(site.people)} residents logged in); loadavg {loadavg()}"
                )
                figures, cpu = run_mix(mix, args.clients, args.seconds)
                bare_figures = asyncio.run(_mix.bare(bare_port, args.clients, args.bare_seconds))
                _mix.table(figures, bare_figures)
                print(
                    f"  the client (one asyncio process, same 2 cores) used {cpu:.0%} of a core;"
                    f" loadavg {loadavg()}"
                )
                if args.steps:
                    step_up(mix, args.steps, args.step_seconds)
        finally:
            minimal.terminate()
            minimal.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="SQLite, a few clients for seconds (CI)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--pg-url", default=PG_URL, help=f"PostgreSQL server (default {PG_URL})")
    parser.add_argument("--workers", type=int, default=2, help="serve worker processes (default 2)")
    parser.add_argument("--clients", type=int, default=None, help="concurrent clients (default 50)")
    parser.add_argument("--seconds", type=float, default=None, help="nominal load's length (default 60)")
    parser.add_argument(
        "--steps", default=None, help="clients per step, e.g. 10,25,50,100,200,400 ('' for none)"
    )
    parser.add_argument("--step-seconds", type=float, default=None, help="each step's length (default 20)")
    parser.add_argument("--residents", type=int, default=None, help="people logged in (default 400)")
    parser.add_argument("--city", action="store_true", help="the city-scale data set of bench/_city.py")
    parser.add_argument("--fraction", type=float, default=1.0, help="of the city's size, with --city")
    args = parser.parse_args()
    quick = args.quick
    args.clients = args.clients or (6 if quick else 50)
    args.seconds = args.seconds or (5 if quick else 60)
    args.bare_seconds = min(args.seconds, 3 if quick else 20)
    steps = args.steps if args.steps is not None else ("6,12" if quick else "10,25,50,100,200,400")
    args.steps = [int(n) for n in steps.split(",") if n]
    args.step_seconds = args.step_seconds or (3 if quick else 20)
    args.residents = args.residents or (40 if quick else 400)
    backends = args.backend or (["sqlite"] if quick else ["sqlite", "postgresql"])
    print(
        f"The mix of bench/_mix.py (weights per 1,000 actions: {_mix.WEIGHTS}); latencies from the client,"
        " which shares the machine's 2 cores with the server"
    )
    for backend in backends:
        if backend == "postgresql" and (why := pg_unreachable(args.pg_url)):
            print(f"\nPostgreSQL at {args.pg_url} unreachable ({why}): skipped")
            continue
        measure(backend, args)


if __name__ == "__main__":
    main()
