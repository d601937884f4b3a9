"""An ordinary page's latency while a burst of wrong-password logins arrives (#17: hashing must never
occupy the threads that serve pages).

Serves a small database with `gongzhi serve` (one worker process, default argon2 cost), measures
`GET /grid/` alone, then again while N logins with wrong passwords arrive at once, each from its own
forwarded address (so the per-address limits do not stop them before they hash). Prints the page's
latency (p50, p95, max) before and during the burst, and how the logins were answered. Figures are
printed, never asserted.

    .venv/bin/python bench/login_burst.py            # 100 logins
    .venv/bin/python bench/login_burst.py --quick    # 30 logins (CI proves it works)
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT / "bench"))  # after the root: bench/search.py shares the search package's name
from _server import BIN, free_port, serve, stop  # noqa: E402 - the benches' shared helpers


def prepare(var: Path) -> dict[str, str]:
    env = os.environ | {"GONGZHI_VAR_DIR": str(var), "GONGZHI_LOG_LEVEL": "WARNING"}
    env.pop("GONGZHI_DATABASE_URL", None)
    subprocess.run([BIN / "gongzhi", "demo"], env=env, check=True, capture_output=True)
    return env


def page_latencies(port: int, stop_at: threading.Event | None, count: int) -> list[float]:
    """GET /grid/ one after another on one connection: ``count`` times, or until ``stop_at`` is set."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    found = []
    while (stop_at is None and len(found) < count) or (stop_at is not None and not stop_at.is_set()):
        started = time.perf_counter()
        conn.request("GET", "/grid/")
        conn.getresponse().read()
        found.append(time.perf_counter() - started)
    conn.close()
    return found


def wrong_login(port: int, n: int, statuses: Counter, lock: threading.Lock, go: threading.Event) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    address = f"10.{n // 250}.{n % 250}.7"
    conn.request("GET", "/accounts/login", headers={"X-Forwarded-For": address})
    page = conn.getresponse()
    html = page.read().decode()
    cookie = page.getheader("set-cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    body = urllib.parse.urlencode(
        {"csrf_token": token, "username": f"leader{n % 50 + 1:02d}", "password": "x" * 12}
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie,
        "X-Forwarded-For": address,
    }
    go.wait()
    try:
        conn.request("POST", "/accounts/login", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        status: object = response.status
    except (OSError, http.client.HTTPException):
        status = "error"
    with lock:
        statuses[status] += 1
    conn.close()


def summary(latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"p50 {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms  max {ms[-1]:7.1f} ms  ({len(ms)} pages)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 logins instead of 100 (CI)")
    parser.add_argument("--logins", type=int, default=None)
    args = parser.parse_args()
    logins = args.logins or (30 if args.quick else 100)
    with tempfile.TemporaryDirectory() as var:
        env = prepare(Path(var))
        port = free_port()
        server = serve(env, port)
        try:
            page_latencies(port, None, 20)  # warm up
            alone = page_latencies(port, None, 50)
            statuses: Counter = Counter()
            lock, go, done = threading.Lock(), threading.Event(), threading.Event()
            clients = [
                threading.Thread(target=wrong_login, args=(port, n, statuses, lock, go))
                for n in range(logins)
            ]
            for client in clients:
                client.start()
            time.sleep(0.5)  # every client holds its form: the burst arrives at once
            during: list[float] = []
            pages = threading.Thread(target=lambda: during.extend(page_latencies(port, done, 0)))
            started = time.monotonic()
            go.set()
            pages.start()
            for client in clients:
                client.join()
            burst = time.monotonic() - started
            done.set()
            pages.join()
        finally:
            stop(server)
    print(f"{logins} wrong-password logins at once from {logins} addresses, 1 worker process, default argon2")
    print(f"  /grid/ alone:        {summary(alone)}")
    print(f"  /grid/ during burst: {summary(during)}")
    print(
        f"  burst answered in {burst:.1f} s: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=str))
    )
    print(f"  page p50 during / alone: {statistics.median(during) / statistics.median(alone):.1f}x")


if __name__ == "__main__":
    main()
