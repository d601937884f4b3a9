"""First-visit transfer size of the main pages (DESIGN.md: at most 60 KB), gzip as browsers ask for it.

Serves the demo city with `gongzhi serve`, fetches each page and everything it links from /static/
(stylesheet, scripts, icon) with `Accept-Encoding: gzip`, and prints the bytes on the wire.

    .venv/bin/python bench/page_weight.py [--quick]
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
from pathlib import Path

BIN = Path(sys.executable).parent
PAGES = [
    "/", "/grid/", "/grid/cells/349901001001001", "/volunteers/", "/volunteers/teams", "/volunteers/shifts/1",
    "/accounts/register", "/accounts/login",
]  # fmt: skip
BUDGET = 60 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str) -> tuple[int, bytes, bytes]:
    """(bytes on the wire, body as sent, body decoded)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    body = raw
    if response.getheader("Content-Encoding") == "gzip":
        import gzip

        body = gzip.decompress(raw)
    headers = sum(len(f"{k}: {v}\r\n") for k, v in response.getheaders())
    return len(raw) + headers, raw, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="accepted for CI; the bench is quick anyway")
    parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        env = os.environ | {
            "GONGZHI_VAR_DIR": var,
            "GONGZHI_ARGON2_TIME_COST": "1",
            "GONGZHI_ARGON2_MEMORY_KIB": "1024",
            "GONGZHI_LOG_LEVEL": "WARNING",
        }
        env.pop("GONGZHI_DATABASE_URL", None)
        subprocess.run([BIN / "gongzhi", "demo"], env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [BIN / "gongzhi", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    fetch(port, "/healthz")
                    break
                except OSError:
                    time.sleep(0.1)
            print(f"{'page':<34} {'html':>8} {'assets':>8} {'total':>8}  budget {BUDGET // 1024} KB")
            for page in PAGES:
                wire, _raw, body = fetch(port, page)
                assets = sorted(set(re.findall(rb'(?:src|href)="(/static/[^"]+)"', body)))
                asset_bytes = sum(fetch(port, a.decode())[0] for a in assets)
                total = wire + asset_bytes
                print(
                    f"{page:<34} {wire / 1024:>7.1f}K {asset_bytes / 1024:>7.1f}K {total / 1024:>7.1f}K  "
                    f"{total / BUDGET:.0%} of budget"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
