"""Throughput and wake-up delay of the durable job queue, on SQLite and PostgreSQL, with 1 and 2 workers.

For each backend and worker count, over a fresh database (a new SQLite file, a new PostgreSQL schema):

1. enqueue N no-op jobs in one transaction, start the worker processes (``bench/_noop_worker.py``) and
   time how long they take to mark every job done: jobs per second;
2. with the workers idle, commit single jobs one at a time (0.3-0.5 s apart) and measure the delay from
   the commit to the moment the handler starts (the handler writes ``time.time()`` to a file).

Figures are printed, never asserted. PostgreSQL is skipped (with a line saying so) when unreachable.

    .venv/bin/python bench/jobs.py            # 10,000 jobs per run, 20 single jobs
    .venv/bin/python bench/jobs.py --quick    # 1,000 jobs per run, 5 single jobs (CI proves it works)
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
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
from _server import pg_unreachable  # noqa: E402 - shared helpers
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core import jobs  # noqa: E402
from core.db import Sessions, make_engine, run_write  # noqa: E402
from core.jobs import Job, JobStatus  # noqa: E402
from core.settings import Secret, Settings  # noqa: E402
from migrations.runner import upgrade  # noqa: E402

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
KIND = "bench.noop"
PROBE_GAP = 0.3  # seconds between single enqueues: the workers are idle again each time
# plus a random 0-0.2 s, one SQLite poll interval: a fixed gap would lock each commit to the same phase
# of the workers' polling and report the same delay every time
PROBE_JITTER = 0.2
POLL = 0.05  # seconds between COUNT polls of the jobs table
DRAIN_TIMEOUT = 1800.0  # seconds; a run that takes longer is reported as failed
PROBE_TIMEOUT = 15.0  # seconds for one single job to start


def make_settings(database_url: str, var: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=Secret("x" * 40),
        var_dir=var,
        index_dir=var / "index",
        upload_dir=var / "uploads",
        threads=2,
    )


@contextmanager
def sqlite_database(var: Path) -> Iterator[tuple[str, Sessions]]:
    """A fresh migrated SQLite file; yields (url for the workers, Sessions)."""
    settings = make_settings(f"sqlite:///{var / 'jobs.sqlite3'}", var)
    engine = make_engine(settings)
    try:
        upgrade(engine)
        yield settings.database_url, Sessions(engine)
    finally:
        engine.dispose()


@contextmanager
def pg_database(pg_url: str, var: Path) -> Iterator[tuple[str, Sessions]]:
    """A fresh migrated schema on the PostgreSQL server, dropped afterwards."""
    schema = f"bench_jobs_{secrets.token_hex(4)}"
    admin = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            settings = make_settings(pg_url, var)
            engine = make_engine(settings, connect_args={"options": f"-csearch_path={schema}"})
            try:
                upgrade(engine)
                url = engine.url.set(
                    drivername="postgresql+psycopg", query={"options": f"-csearch_path={schema}"}
                )
                yield url.render_as_string(hide_password=False), Sessions(engine)
            finally:
                engine.dispose()
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


# --- worker processes -----------------------------------------------------------------------------


def start_workers(url: str, count: int, var: Path, processes: list[subprocess.Popen]) -> None:
    """Start ``count`` worker processes (appended to ``processes`` at once) and wait until all are ready."""
    started = []
    for n in range(count):
        with open(var / f"worker-{n}.err", "w") as errors:
            process = subprocess.Popen(
                [sys.executable, "-m", "bench._noop_worker", url],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        processes.append(process)
        started.append((process, var / f"worker-{n}.err"))
    for process, errors_path in started:
        line = process.stdout.readline() if process.stdout else ""
        if line.strip() != "ready":
            process.wait(timeout=20)
            raise RuntimeError(f"worker did not start:\n{errors_path.read_text()}")


def stop_workers(processes: list[subprocess.Popen]) -> None:
    """SIGTERM every worker still running, then wait for each (SIGKILL one that does not stop)."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
    processes.clear()


def worker_errors(var: Path) -> list[str]:
    return [line for path in sorted(var.glob("worker-*.err")) for line in path.read_text().splitlines()]


# --- the two measurements -------------------------------------------------------------------------


def enqueue_bulk(sessions: Sessions, count: int) -> None:
    def work(session: Session) -> None:
        for n in range(count):
            jobs.enqueue(session, KIND, {"n": n})

    run_write(sessions, work)


def finished_counts(sessions: Sessions) -> tuple[int, int]:
    """(done, dead) jobs of our kind."""
    with sessions.read() as session:
        rows = dict(
            session.execute(
                select(Job.status, func.count())
                .where(Job.kind == KIND, Job.status.in_([JobStatus.done, JobStatus.dead]))
                .group_by(Job.status)
            ).all()
        )
    return rows.get(JobStatus.done, 0), rows.get(JobStatus.dead, 0)


def wait_drained(sessions: Sessions, count: int, processes: list[subprocess.Popen]) -> tuple[float, int]:
    """Poll until every job is done (or dead); returns (monotonic time seen, dead jobs)."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while True:
        done, dead = finished_counts(sessions)
        if done + dead >= count:
            return time.monotonic(), dead
        if any(p.poll() is not None for p in processes):
            raise RuntimeError(f"a worker exited with {done}/{count} jobs done")
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {done}/{count} jobs done after {DRAIN_TIMEOUT:.0f} s")
        time.sleep(POLL)


def processing_span(sessions: Sessions) -> float:
    """Seconds from the first claim to the last finish, as the workers stamped them in the jobs table."""
    with sessions.read() as session:
        first, last = session.execute(
            select(func.min(Job.started_at), func.max(Job.finished_at)).where(Job.kind == KIND)
        ).one()
    return (last - first).total_seconds()


def read_starts(log: Path) -> dict[int, float]:
    if not log.exists():
        return {}
    starts = {}
    for line in log.read_text().splitlines():
        fields = line.split(",")
        if len(fields) == 3:
            starts[int(fields[0])] = float(fields[1])
    return starts


def probe_delays(sessions: Sessions, count: int, log: Path, processes: list[subprocess.Popen]) -> list[float]:
    """Commit ``count`` single jobs to idle workers; seconds from each commit to its handler's start."""
    delays = []
    for n in range(count):
        time.sleep(PROBE_GAP + random.uniform(0, PROBE_JITTER))

        def work(session: Session, n: int = n) -> int:
            job = jobs.enqueue(session, KIND, {"log": str(log), "probe": n})
            session.flush()
            return job.id

        job_id = run_write(sessions, work)
        committed = time.time()
        deadline = time.monotonic() + PROBE_TIMEOUT
        while (started := read_starts(log).get(job_id)) is None:
            if any(p.poll() is not None for p in processes):
                raise RuntimeError("a worker exited during the delay probes")
            if time.monotonic() > deadline:
                raise RuntimeError(f"single job {job_id} did not start within {PROBE_TIMEOUT:.0f} s")
            time.sleep(0.005)
        delays.append(started - committed)
    return delays


def run(backend: str, pg_url: str, workers: int, count: int, probes: int) -> dict:
    """One (backend, worker count) run over a fresh database."""
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        var = Path(tmp)
        database = sqlite_database(var) if backend == "sqlite" else pg_database(pg_url, var)
        with database as (url, sessions):
            began = time.monotonic()
            enqueue_bulk(sessions, count)
            enqueue_seconds = time.monotonic() - began
            processes: list[subprocess.Popen] = []
            try:
                launched = time.monotonic()
                start_workers(url, workers, var, processes)
                drained, dead = wait_drained(sessions, count, processes)
                span = processing_span(sessions)
                delays = probe_delays(sessions, probes, var / "starts.log", processes)
            finally:
                stop_workers(processes)
            errors = worker_errors(var)
    return {
        "backend": backend,
        "workers": workers,
        "jobs": count,
        "enqueue": enqueue_seconds,
        "seconds": span,
        "wall": drained - launched,
        "dead": dead,
        "delays_ms": [d * 1000 for d in delays],
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 jobs and 5 single jobs per run (CI)")
    parser.add_argument("--pg-url", default=PG_URL, help=f"PostgreSQL server (default {PG_URL})")
    args = parser.parse_args()
    count, probes = (1_000, 5) if args.quick else (10_000, 20)

    backends = ["sqlite"]
    why_not = pg_unreachable(args.pg_url)
    if why_not is None:
        backends.append("postgresql")
    else:
        print(f"PostgreSQL at {args.pg_url} unreachable ({why_not}): skipped")

    results = []
    for backend in backends:
        for workers in (1, 2):
            print(f"running {backend}, {workers} worker(s), {count} jobs ...", flush=True)
            results.append(run(backend, args.pg_url, workers, count, probes))

    print(
        f"\n{count:,} no-op jobs enqueued in one transaction, then drained by fresh worker processes; "
        f"then {probes} single jobs\ncommitted one at a time to the idle workers, "
        f"{PROBE_GAP}-{PROBE_GAP + PROBE_JITTER:.1f} s apart (this script shares the machine's cores)"
    )
    print(
        f"{'backend':<10} {'workers':>7} {'jobs':>6} {'enqueue s':>9} {'seconds':>8} {'jobs/s':>8} "
        f"{'wall s':>7} {'dead':>4} {'median ms':>9} {'max ms':>7}"
    )
    for r in results:
        print(
            f"{r['backend']:<10} {r['workers']:>7} {r['jobs']:>6} {r['enqueue']:>9.2f} {r['seconds']:>8.2f} "
            f"{r['jobs'] / r['seconds']:>8.0f} {r['wall']:>7.2f} {r['dead']:>4} "
            f"{statistics.median(r['delays_ms']):>9.1f} {max(r['delays_ms']):>7.1f}"
        )
    print(
        "\nseconds: first claim to last finish, as stamped in the jobs table; jobs/s = jobs / seconds."
        "\nwall s: from launching the worker processes to the COUNT poll seeing every job done (includes"
        f"\n  process start-up and the {POLL} s poll)."
        "\nmedian/max ms: from the commit of a single job to the moment its handler starts."
    )
    print()
    for backend in backends:
        one, two = (r for r in results if r["backend"] == backend)
        ratio = (two["jobs"] / two["seconds"]) / (one["jobs"] / one["seconds"])
        print(f"{backend}: 2 workers vs 1: {ratio:.2f}x the throughput")
    if len(backends) == 2:
        sqlite_one, pg_one = results[0], results[2]
        ratio = (pg_one["jobs"] / pg_one["seconds"]) / (sqlite_one["jobs"] / sqlite_one["seconds"])
        print(f"postgresql vs sqlite, 1 worker: {ratio:.2f}x the throughput")
    print(
        "\nnote: on SQLite an idle worker in another process polls (every 0.2 s here), so its delay is"
        "\nabout half the poll interval on average (less with 2 workers polling out of step); on PostgreSQL"
        "\nthe commit's NOTIFY wakes it at once (its 1 s poll is only a fallback)."
    )
    for r in results:
        if r["errors"]:
            print(f"\n{r['backend']}, {r['workers']} worker(s): {len(r['errors'])} stderr lines, first ones:")
            for line in r["errors"][:5]:
                print(f"  {line}")


if __name__ == "__main__":
    main()
