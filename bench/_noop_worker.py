"""A real worker process for bench/jobs.py: our Worker loop plus one no-op handler.

    python -m bench._noop_worker DATABASE_URL      # cwd: the repository root

The handler ``bench.noop`` does nothing, except that when its payload names a file (``"log"``) it
appends ``job id,time.time(),pid`` to it the moment it starts: the bench reads it to measure the delay
from commit to handler start. No schedules are registered. SIGTERM stops the loop.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Any

from core import jobs
from core.db import Sessions, make_engine
from core.settings import Secret, Settings
from core.worker import Worker

SQLITE_POLL_SECONDS = 0.2  # an idle SQLite worker in another process polls this often
PG_POLL_SECONDS = 1.0  # the default; on PostgreSQL an idle worker is woken by NOTIFY well before this


@jobs.handler("bench.noop", timeout=5)
def noop(context: jobs.JobContext, payload: dict[str, Any]) -> None:
    started = time.time()
    path = payload.get("log")
    if path:
        with open(path, "a") as handle:  # O_APPEND: lines from several processes do not interleave
            handle.write(f"{context.claim.job_id},{started!r},{os.getpid()}\n")


def main() -> None:
    url = sys.argv[1]
    poll = SQLITE_POLL_SECONDS if url.startswith("sqlite") else PG_POLL_SECONDS
    settings = Settings(
        database_url=url,
        secret_key=Secret("x" * 40),
        var_dir=None,  # type: ignore[arg-type]
        index_dir=None,  # type: ignore[arg-type]
        upload_dir=None,  # type: ignore[arg-type]
        threads=2,
        worker_poll_seconds=poll,
    )
    engine = make_engine(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker = Worker(Sessions(engine), name=f"bench-{os.getpid()}", poll_seconds=settings.worker_poll_seconds)
    print("ready", flush=True)
    worker.run_forever(stop)
    engine.dispose()


if __name__ == "__main__":
    main()
