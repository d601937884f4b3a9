"""Login throughput and peak memory under a burst, at the default argon2 cost.

Starts `gongzhi serve` with 1 and 2 worker processes on 127.0.0.1, lets 50 concurrent clients log in
as fast as they can, and prints logins per second, how many answers were 503 (the hashing cap was
full), and the peak resident memory of the server's process tree. A third run lifts the cap to show
what it protects against. Figures are printed, never asserted.

    .venv/bin/python bench/login.py            # 10 s per run
    .venv/bin/python bench/login.py --quick    # 2 s per run, 20 clients (CI proves it works)
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))  # after the root: bench/search.py shares the search package's name
from _server import free_port, serve, stop  # noqa: E402 - the benches' shared helpers

BIN = Path(sys.executable).parent
PASSWORD = "bench login password 1"
USERS = 50


def hash_time() -> float:
    from argon2 import PasswordHasher

    hasher = PasswordHasher()
    times = []
    for _ in range(10):
        start = time.perf_counter()
        hasher.hash(PASSWORD)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def prepare(var: Path) -> dict[str, str]:
    """A database with USERS accounts (default cost hashes) and a login rate limit out of the way."""
    env = os.environ | {"GONGZHI_VAR_DIR": str(var), "GONGZHI_LOG_LEVEL": "WARNING"}
    env.pop("GONGZHI_DATABASE_URL", None)
    subprocess.run([BIN / "gongzhi", "migrate"], env=env, check=True, capture_output=True)
    from accounts.models import StakeholderGroup
    from accounts.passwords import Hasher
    from core import site_settings
    from core.db import Sessions, make_engine, run_write
    from core.settings import Settings
    from grid.residents import register_resident

    settings = Settings.from_env(env)
    password_hash = Hasher.from_settings(settings).hash(PASSWORD)
    engine = make_engine(settings)

    def load(session):  # type: ignore[no-untyped-def]
        for n in range(USERS):
            register_resident(
                session,
                username=f"bench{n:02d}",
                password_hash=password_hash,
                group=StakeholderGroup.resident,
            )
        site_settings.change(
            session, SimpleNamespace(id=None, username="bench"), "rate.login_per_ip", "100000/60"
        )

    run_write(Sessions(engine), load)
    engine.dispose()
    return env


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, AttributeError, ProcessLookupError):
            continue
        todo.extend(int(c) for c in children)
    return total


def client(
    port: int, username: str, deadline: float, counts: Counter, latencies: list, lock: threading.Lock
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login")
    page = conn.getresponse()
    html = page.read().decode()
    cookie = page.getheader("set-cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    body = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": PASSWORD})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    while time.monotonic() < deadline:
        sent = time.monotonic()
        try:
            conn.request("POST", "/accounts/login", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = "error"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        with lock:
            counts[status] += 1
            if status == 303:
                latencies.append(time.monotonic() - sent)
    conn.close()


def run(env: dict[str, str], workers: int, cap: int, clients: int, seconds: float) -> dict:
    port = free_port()
    server = serve(env | {"GONGZHI_HASH_CONCURRENCY": str(cap)}, port, workers)
    try:
        idle = tree_rss_kib(server.pid)
        counts: Counter = Counter()
        latencies: list[float] = []
        lock = threading.Lock()
        deadline = time.monotonic() + seconds
        threads = [
            threading.Thread(
                target=client, args=(port, f"bench{n % USERS:02d}", deadline, counts, latencies, lock)
            )
            for n in range(clients)
        ]
        peak = idle
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            peak = max(peak, tree_rss_kib(server.pid))
            time.sleep(0.02)
        elapsed = time.monotonic() - started
        alive = server.poll() is None
    finally:
        stop(server)
    return {
        "workers": workers,
        "cap": cap,
        "clients": clients,
        "elapsed": elapsed,
        "counts": counts,
        "p50": statistics.median(latencies) if latencies else 0.0,
        "p95": statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else 0.0,
        "idle_mib": idle / 1024,
        "peak_mib": peak / 1024,
        "alive": alive,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs, fewer clients (CI)")
    args = parser.parse_args()
    seconds, clients = (2.0, 20) if args.quick else (10.0, 50)
    print(
        f"argon2id default cost (t=3, 64 MiB, p=4): median hash {hash_time() * 1000:.0f} ms on this machine"
    )
    with tempfile.TemporaryDirectory() as var:
        env = prepare(Path(var))
        results = [
            run(env, 1, 2, clients, seconds),
            run(env, 2, 2, clients, seconds),
            run(env, 1, clients, clients, seconds),
        ]
    print(
        f"\n{clients} concurrent clients, {seconds:.0f} s per run, on 127.0.0.1 "
        "(the clients share the machine's 2 cores)"
    )
    print(
        f"{'workers':>7} {'cap/proc':>8} {'logins/s':>9} {'p50 s':>6} {'p95 s':>6} {'503s':>6} {'other':>6} "
        f"{'idle MiB':>9} "
        f"{'peak MiB':>9} {'server':>7}"
    )
    for r in results:
        ok = r["counts"][303]
        other = sum(v for k, v in r["counts"].items() if k not in (303, 503))
        print(
            f"{r['workers']:>7} {r['cap']:>8} {ok / r['elapsed']:>9.1f} {r['p50']:>6.2f} {r['p95']:>6.2f} "
            f"{r['counts'][503]:>6} {other:>6} "
            f"{r['idle_mib']:>9.0f} {r['peak_mib']:>9.0f} {'alive' if r['alive'] else 'DIED':>7}"
        )
    capped, uncapped = results[0], results[2]
    growth_capped = capped["peak_mib"] - capped["idle_mib"]
    growth_uncapped = uncapped["peak_mib"] - uncapped["idle_mib"]
    print(
        f"\nmemory growth under the burst: capped {growth_capped:.0f} MiB, "
        f"uncapped {growth_uncapped:.0f} MiB "
        f"(ratio {growth_uncapped / max(growth_capped, 1):.1f}x)"
    )
    print(f"2 workers vs 1: {results[1]['counts'][303] / max(results[0]['counts'][303], 1):.2f}x the logins")


if __name__ == "__main__":
    main()
