"""A throwaway PostgreSQL cluster a test starts, stops and starts again: never the machine's server.

initdb and pg_ctl refuse to run as root, so as root they run as the ``postgres`` user (``runuser``) in
a ``mkdtemp`` folder given to that user, on a free port of its own, listening on 127.0.0.1 only.
Without initdb the tests skip, unless GONGZHI_REQUIRE_PG_CLUSTER=1 (CI) makes that a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.concurrency.serving import free_port

INITDB_OPTIONS = ("-A", "trust", "-E", "UTF8", "--no-sync")
BINDIR = Path(os.environ.get("GONGZHI_PG_BINDIR", "/usr/lib/postgresql/15/bin"))


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def require_tools() -> None:
    """Skip (or, with GONGZHI_REQUIRE_PG_CLUSTER=1, fail) when no cluster can be made here."""
    missing = [tool for tool in ("initdb", "pg_ctl") if not (BINDIR / tool).exists()]
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        missing.append("runuser")
    if missing:
        reason = f"no throwaway PostgreSQL cluster: {', '.join(missing)} not found (in {BINDIR})"
        if os.environ.get("GONGZHI_REQUIRE_PG_CLUSTER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


@dataclass
class Cluster:
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/gongzhi"

    def ctl(self, *args: str) -> None:
        subprocess.run(
            [*_as_postgres(), str(BINDIR / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.ctl("-w", "-o", options, "-l", str(self.folder / "server.log"), "start")

    def stop(self, mode: str = "fast") -> None:
        self.ctl("-w", "-m", mode, "stop")


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A new cluster with a ``gongzhi`` database, started; stopped and deleted afterwards."""
    require_tools()
    folder = Path(tempfile.mkdtemp(prefix="gongzhi-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, free_port())
    try:
        subprocess.run(
            [
                *_as_postgres(),
                str(BINDIR / "initdb"),
                "-D",
                str(cluster.data),
                "-U",
                "postgres",
                *INITDB_OPTIONS,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=300,
        )
        cluster.start()
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres") as admin:
            admin.autocommit = True
            admin.execute("CREATE DATABASE gongzhi")
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            cluster.stop("immediate")  # fails when it never started, or is already stopped
        shutil.rmtree(folder, ignore_errors=True)
