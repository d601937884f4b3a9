"""Memory of each process over a long moderate load: no growth trend (#26).

The mix of bench/_mix.py from 20 clients for 10 minutes against `gongzhi serve --workers 2` (serving
only) plus a `gongzhi worker`, on SQLite (or `--backend postgresql`, a database of the bench's own),
sampling every serve worker's and the job worker's resident memory every 10 s (/proc: VmRSS, and
RssAnon, the heap without mapped files such as SQLite's shared WAL index). Prints
each process's memory at the start and the end, its least-squares slope in MB per minute over the
second half (after the caches' first filling), and whether that half is flat within its noise, or
grows but slowing (the last quarter's slope under a third of the first's: a filling cache, not a
leak's straight line); then the mix's table, errors included. Figures are printed, never asserted.

What grows on SQLite is mostly glibc's arenas, not the heap in use (mallinfo2 inside one serve
process over 5 minutes of the mix, #26: RssAnon +45 MB, the arenas +41 MB of which +30 freed but
kept; in use +13 MB, SQLite's page caches +5 of it, bounded at 2 MB a pooled connection, the Python
object count flat at ~418,000); `--malloc-arena-max 2` shows the difference, `--probe DIR` prints it
(bench/_memprobe/sitecustomize.py, put on the served processes' PYTHONPATH).

    .venv/bin/python bench/soak.py                  # 10 minutes, 20 clients
    .venv/bin/python bench/soak.py --quick          # 30 s, samples every 3 s (CI proves it works)
    .venv/bin/python bench/soak.py --minutes 30 --clients 40 --backend postgresql
    .venv/bin/python bench/soak.py --minutes 5 --malloc-arena-max 2
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))  # after the root: bench/search.py shares the search package's name
import _mix  # noqa: E402 - the benches' shared helpers
from _server import PG_URL, production  # noqa: E402
from load import build, database, loadavg  # noqa: E402
from pages import environment, two_ports  # noqa: E402

FIELDS = ("VmRSS", "RssAnon")


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (uvicorn's worker processes under `gongzhi serve`)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def rss_mb(pid: int, field: str = "VmRSS") -> float | None:
    """Resident memory in MB: all of it (VmRSS), or the process's own heap and stacks (RssAnon; VmRSS
    also counts mapped files, e.g. SQLite's shared WAL index, which other processes share)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def is_multiprocessing_helper(pid: int) -> bool:
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True


def slope(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares over (minutes, MB): the slope in MB/min and the residuals' standard deviation."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    if len(points) < 3:
        return float("nan"), float("nan")
    fit = statistics.linear_regression(xs, ys)
    residuals = [y - (fit.intercept + fit.slope * x) for x, y in points]
    return fit.slope, statistics.pstdev(residuals)


def slows_down(points: list[tuple[float, float]]) -> str | None:
    """Whether the growth slows towards a plateau: the whole soak's last quarter's slope under a third
    of its first quarter's (a cache or the allocator's arenas filling), as both slopes; else None (a
    leak's line keeps its slope)."""
    if len(points) < 8:
        return None
    quarter = len(points) // 4
    early, late = slope(points[:quarter])[0], slope(points[-quarter:])[0]
    if early > 0 and late < early / 3:
        return f"{early:.2f} MB/min in its first quarter, {late:.2f} in its last"
    return None


async def soak(mix: _mix.Mix, clients: int, seconds: float, every: float, server: int, worker: int) -> tuple:  # type: ignore[type-arg]
    """The mix for ``seconds`` while every ``every`` s the serve workers (found again each time: uvicorn
    replaces one that misses its health check) and the job worker are sampled."""
    samples: dict[str, list[tuple[float, float]]] = {}
    started = time.monotonic()

    def take() -> None:
        minutes = (time.monotonic() - started) / 60
        pids = [
            (f"serve worker {pid}", pid) for pid in children(server) if not is_multiprocessing_helper(pid)
        ]
        for name, pid in [*pids, (f"job worker {worker}", worker)]:
            for field in FIELDS:
                if (mb := rss_mb(pid, field)) is not None:
                    samples.setdefault(f"{name} {field}", []).append((minutes, mb))

    async def sample() -> None:
        while True:
            take()
            await asyncio.sleep(every)

    sampler = asyncio.create_task(sample())
    figures = await mix.run(clients, seconds)
    sampler.cancel()
    take()  # the last sample, at the end
    return figures, samples


def report(samples: dict[str, list[tuple[float, float]]]) -> None:
    if not samples:
        return
    print(
        f"  {'process':<16} {'pid':>7} {'memory':>8} {'start MB':>9} {'end MB':>8} {'max MB':>8}"
        f" {'MB/min, 2nd half':>17} {'noise MB':>9}  trend"
    )
    last = max(p[0] for points in samples.values() for p in points)
    for name, points in samples.items():
        middle = (points[0][0] + points[-1][0]) / 2
        half = [p for p in points if p[0] >= middle]
        rate, noise = slope(half)
        span = half[-1][0] - half[0][0] if half else 0.0
        growth = rate * span
        # flat: what the line grows over the half is within twice the samples' scatter about it (or 1 MB)
        flat = abs(growth) <= max(2 * noise, 1.0)
        verdict = "flat within noise" if flat else f"GROWS ({growth:+.1f} MB over the second half)"
        if not flat and (slowing := slows_down(points)):
            verdict = f"slowing ({growth:+.1f} MB over the second half; {slowing})"
        process, pid, field = name.rsplit(" ", 2)
        print(
            f"  {process:<16} {pid:>7} {field:>8} {points[0][1]:>9.1f} {points[-1][1]:>8.1f}"
            f" {max(p[1] for p in points):>8.1f} {rate:>17.3f} {noise:>9.2f}"
            f"  {verdict}"
            + (f"; from {points[0][0]:.1f} min" if points[0][0] > 0.5 else "")
            + (f"; gone at {points[-1][0]:.1f} min (uvicorn replaced it)" if points[-1][0] < last else "")
        )


def probed(folder: Path, since: float) -> None:
    """Each probed process's first sample of the soak (from ``since``, wall clock) and its last: a leak
    grows the heap in use, the allocator keeping freed memory grows only its free part."""
    import json

    keys = ("RssAnon", "malloc_held", "malloc_in_use", "malloc_free_kept", "sqlite", "objects")
    print(f"  inside each process (bench/_memprobe, MB; {folder}):")
    print(f"  {'pid':>7} {'minute':>6} " + " ".join(f"{k:>16}" for k in keys))
    for path in sorted(folder.glob("probe-*.jsonl")):
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        lines = [sample for sample in lines if sample["wall"] >= since]
        for sample in (lines[0], lines[-1]) if lines else ():
            figures = " ".join(f"{sample.get(k, float('nan')):>16.1f}" for k in keys)
            print(f"  {path.stem[6:]:>7} {(sample['wall'] - since) / 60:>6.1f} {figures}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 s, samples every 3 s (CI)")
    parser.add_argument("--minutes", type=float, default=None, help="length (default 10)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--every", type=float, default=None, help="seconds between samples (default 10)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--residents", type=int, default=300)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument(
        "--malloc-arena-max",
        type=int,
        default=None,
        help="MALLOC_ARENA_MAX for the served processes (glibc keeps freed memory in up to 8 arenas a core)",
    )
    parser.add_argument(
        "--probe",
        type=Path,
        default=None,
        help="a folder: each served process writes its heap's make-up there (bench/_memprobe)",
    )
    args = parser.parse_args()
    seconds = (args.minutes or (0.5 if args.quick else 10)) * 60
    every = args.every or (3 if args.quick else 10)
    clients = min(args.clients, 8) if args.quick else args.clients
    residents = min(args.residents, 40) if args.quick else max(args.residents, clients)
    with (
        tempfile.TemporaryDirectory(prefix="gongzhi-soak-") as var,
        database(args.backend, args.pg_url) as url,
    ):
        env, site = build(environment(Path(var), url), args.backend, None, residents)
        if args.malloc_arena_max:
            env = env | {"MALLOC_ARENA_MAX": str(args.malloc_arena_max)}
        if args.probe:
            args.probe.mkdir(parents=True, exist_ok=True)
            probe = {"PYTHONPATH": str(ROOT / "bench" / "_memprobe"), "GZ_MEMPROBE_DIR": str(args.probe)}
            env = env | probe | {"GZ_MEMPROBE_EVERY": str(every)}
        port, _ = two_ports()
        with production(env, port, args.workers) as (server, worker):
            site.services = asyncio.run(_mix.services(port))
            asyncio.run(_mix.log_in_all(port, site.people))
            mix = _mix.Mix(port, site)
            print(
                f"{args.backend}, demo data, `serve --workers {args.workers}` + `gongzhi worker`,"
                f" {clients} clients"
                f" of the mix for {seconds / 60:g} min, VmRSS every {every:g} s; loadavg {loadavg()}"
                + (f"; MALLOC_ARENA_MAX={args.malloc_arena_max}" if args.malloc_arena_max else "")
            )
            since = time.time()
            figures, samples = asyncio.run(soak(mix, clients, seconds, every, server.pid, worker.pid))
        print(f"  memory (loadavg at the end {loadavg()}):")
        report(samples)
        if args.probe:
            probed(args.probe, since)
        print("  the mix over the soak:")
        _mix.table(figures, None)


if __name__ == "__main__":
    main()
