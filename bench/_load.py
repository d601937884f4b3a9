"""Load from another process for the page benches (not a bench: CI skips files starting with _).

``load(url, seconds, connections, headers)`` runs Debian's ``wrk`` when it is installed, else a bounded
asyncio client in a child process (keep-alive connections, each sending its next request when the
last answer is read). Both give requests per second and the 99th percentile latency; a run that got
answers other than 200 says how many.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

WRK = shutil.which("wrk")


@dataclass(frozen=True)
class Run:
    rate: float  # requests per second
    p99_ms: float
    errors: int  # non-2xx answers and socket errors


def load(url: str, seconds: float, connections: int, headers: dict[str, str] | None = None) -> Run:
    if WRK:
        return _wrk(url, seconds, connections, headers or {})
    out = subprocess.run(
        [sys.executable, __file__, url, str(seconds), str(connections), json.dumps(headers or {})],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate, p99, errors = json.loads(out)
    return Run(rate, p99, errors)


def client_name() -> str:
    return "wrk" if WRK else "asyncio client (wrk not installed)"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(url: str, seconds: float, connections: int, headers: dict[str, str]) -> Run:
    command = [
        WRK,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", out)
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(found.group(1))
    if found := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(n) for n in found.groups())
    return Run(rate, float(p99.group(1)) * _UNITS[p99.group(2)] if p99 else float("nan"), errors)


async def _connection(host: str, port: int, request: bytes, until: float, found: list[float]) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    errors = 0
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            found.append(time.perf_counter() - started)
            if not status_line.startswith(b"HTTP/1.1 200"):
                errors += 1
    finally:
        writer.close()
    return errors


async def _asyncio_load(url: str, seconds: float, connections: int, headers: dict[str, str]) -> tuple:  # type: ignore[type-arg]
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {path} HTTP/1.1", f"Host: {parts.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    found: list[float] = []
    started = time.perf_counter()
    until = started + seconds
    errors = await asyncio.gather(
        *(
            _connection(parts.hostname or "127.0.0.1", parts.port or 80, request, until, found)
            for _ in range(connections)
        )
    )
    elapsed = time.perf_counter() - started
    ms = sorted(x * 1000 for x in found)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))] if ms else float("nan")
    return len(found) / elapsed, p99, sum(errors)


def median_run(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.rate for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.errors for r in runs),
    )


if __name__ == "__main__":  # the child process of load() without wrk
    url, seconds, connections, headers = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    print(json.dumps(asyncio.run(_asyncio_load(url, seconds, connections, json.loads(headers)))))
