"""Helpers the benches share (not a bench: CI skips files starting with _): a port, a served site
(alone, or the production way with a job worker beside it), a PostgreSQL database of a bench's own."""

from __future__ import annotations

import http.client
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent


def site_environment(var: Path, secret: str, url: str | None = None) -> dict[str, str]:
    """The GONGZHI_* settings every bench's site runs with: its own var folder, a cheap hash."""
    env = {
        "GONGZHI_VAR_DIR": str(var),
        "GONGZHI_SECRET_KEY": secret,
        "GONGZHI_ARGON2_TIME_COST": "1",
        "GONGZHI_ARGON2_MEMORY_KIB": "1024",
        "GONGZHI_ARGON2_PARALLELISM": "1",
        "GONGZHI_LOG_LEVEL": "WARNING",
    }
    if url:
        env["GONGZHI_DATABASE_URL"] = url
    return env


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


@contextmanager
def production(
    env: dict[str, str], port: int, workers: int
) -> Iterator[tuple[subprocess.Popen, subprocess.Popen]]:
    """``gongzhi serve --workers N`` serving only (``GONGZHI_WORKER=0``) plus one ``gongzhi worker``
    process, as README's production section runs them; yields (serve, worker)."""
    worker = subprocess.Popen(
        [BIN / "gongzhi", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        server = serve(env | {"GONGZHI_WORKER": "0"}, port, workers)
        try:
            yield server, worker
        finally:
            stop(server)
    finally:
        stop(worker)


PG_URL = "postgresql://postgres@127.0.0.1:5432/test"  # the server's address; the bench makes its own db


@contextmanager
def pg_database(pg_url: str, prefix: str, template: str | None = None) -> Iterator[str]:
    """A database of its own on the PostgreSQL server (never the shared one named in ``pg_url``), a
    copy of the database ``template`` if given, dropped afterwards; yields its URL."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(
        pg_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            copy = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        try:
            yield pg_url.rsplit("/", 1)[0] + "/" + name
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def pg_unreachable(pg_url: str) -> str | None:
    """None when PostgreSQL answers, else why not."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except OperationalError as error:
        return str(error.orig).strip().splitlines()[0]
    finally:
        engine.dispose()
