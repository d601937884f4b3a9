"""The city-sized database the benches run on (issue #26), built once by ``gongzhi demo --scale city``
and kept (not a bench: CI skips files starting with _).

``city_database(backend, fraction)`` returns the environment of a built city (the GONGZHI_ variables:
merge it with ``os.environ`` to start a process): a SQLite file under ``var/bench-city-sqlite-<fraction>/``,
or the PostgreSQL database ``gongzhi_city_<fraction>`` (on the
server of ``GONGZHI_BENCH_PG_URL``, by default the machine's at 127.0.0.1:5432) with its search index
and uploads under ``var/bench-city-postgresql-<fraction>/``. A stamp there names the migration head
and a digest of the city builder's code: while both match, a second run reuses the database; when
either changes, it is built again from nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _server import site_environment

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "bench-city-secret-" + "x" * 32
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def tag(fraction: float) -> str:
    """``1``, ``0_01``: the fraction as a name a folder and a database can carry."""
    return f"{fraction:g}".replace(".", "_").replace("-", "_")


def stamp_of() -> dict[str, str]:
    """What a built city depends on: the schema's head and the builder's code."""
    sys.path.insert(0, str(ROOT))
    from alembic.script import ScriptDirectory

    from migrations.runner import alembic_config

    heads = sorted(ScriptDirectory.from_config(alembic_config()).get_heads())
    digest = hashlib.sha256()
    for path in sorted((ROOT / "web" / "demo").rglob("*.py")):
        digest.update(path.read_bytes())
    return {"head": ",".join(heads), "builder": digest.hexdigest()[:16]}


def _environment(backend: str, fraction: float, var: Path) -> dict[str, str]:
    env = site_environment(var, SECRET)
    if backend == "sqlite":
        env["GONGZHI_DATABASE_URL"] = f"sqlite:///{var / 'gongzhi.sqlite3'}"
    elif backend == "postgresql":
        server = os.environ.get("GONGZHI_BENCH_PG_URL", PG_SERVER)
        env["GONGZHI_DATABASE_URL"] = server.rsplit("/", 1)[0] + f"/gongzhi_city_{tag(fraction)}"
    else:
        raise ValueError(f"backend is sqlite or postgresql, not {backend!r}")
    return env


def _fresh_pg(url: str) -> None:
    """Drop and create the city's PostgreSQL database (connected to the server's own database)."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def city_database(backend: str, fraction: float) -> dict[str, str]:
    """The environment (GONGZHI_DATABASE_URL, GONGZHI_VAR_DIR, …) of a built city of ``fraction``
    on ``backend`` ("sqlite" or "postgresql"), building it first unless a current one is kept."""
    var = ROOT / "var" / f"bench-city-{backend}-{tag(fraction)}"
    env = _environment(backend, fraction, var)
    stamp_file, wanted = var / "city-stamp.json", stamp_of() | {"fraction": f"{fraction:g}"}
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == wanted:
        return env
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    if backend == "postgresql":
        _fresh_pg(env["GONGZHI_DATABASE_URL"])
    print(f"building the city ({fraction:g}) on {backend}, kept in {var} …", flush=True)
    started = time.perf_counter()
    shown = []
    with subprocess.Popen(
        [BIN / "gongzhi", "demo", "--scale", "city", "--fraction", f"{fraction:g}"],
        env=os.environ | env | {"PYTHONUNBUFFERED": "1"},  # each part's line as it is printed
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as building:
        assert building.stdout is not None
        for line in building.stdout:  # the parts' progress and times as they come
            shown.append(line)
            if line.startswith("city"):
                print("  " + line, end="", flush=True)
    if building.returncode:
        raise RuntimeError("gongzhi demo --scale city failed:\n" + "".join(shown[-40:]))
    print(f"  the city's build took {time.perf_counter() - started:.1f} s with the demo", flush=True)
    # the jobs a fresh city has due (each merge's refresh its statements scheduled, the overdue sweep
    # over thousands of late cases, tomorrow's reminders) run now, not in the first served minutes,
    # where they held the write lock while a bench logged in
    started = time.perf_counter()
    subprocess.run(
        [BIN / "gongzhi", "worker", "--burst"], env=os.environ | env, check=True, capture_output=True
    )
    print(f"  its due jobs ran in {time.perf_counter() - started:.1f} s (gongzhi worker --burst)", flush=True)
    stamp_file.write_text(json.dumps(wanted))
    return env


if __name__ == "__main__":  # build (or find) one: python bench/_city.py sqlite 0.01
    found = city_database(
        sys.argv[1] if len(sys.argv) > 1 else "sqlite", float(sys.argv[2] if len(sys.argv) > 2 else 1)
    )
    print(found["GONGZHI_DATABASE_URL"])
