"""Helpers the benches share (not a bench: CI skips files starting with _): a port, a served site."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(env: dict[str, str], port: int, workers: int = 1) -> subprocess.Popen:
    """Start ``gongzhi serve`` and return once it answers /healthz (and its workers had time to start)."""
    server = subprocess.Popen(
        [BIN / "gongzhi", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    until = time.monotonic() + 120  # a loaded machine's workers can take tens of seconds to start
    while True:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            probe.request("GET", "/healthz")
            probe.getresponse().read()
            break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode() if server.stderr else "serve died") from None
            if time.monotonic() > until:  # this used to fall through silently after 20 s
                server.terminate()
                raise RuntimeError(f"serve did not answer on port {port} within 120 s") from None
            time.sleep(0.05)
    time.sleep(0.5 * workers)
    return server


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=20)
