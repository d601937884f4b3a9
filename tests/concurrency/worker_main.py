"""A real worker process for the concurrency tests: our Worker loop plus a few test handlers.

python -m tests.concurrency.worker_main DATABASE_URL
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Any

from core import jobs, schedules
from core.db import Sessions, make_engine
from core.settings import Secret, Settings
from core.worker import Worker


def log_line(path: str, *fields: object) -> None:
    with open(path, "a") as handle:  # O_APPEND: lines from several processes do not interleave
        handle.write(",".join(str(f) for f in fields) + "\n")


@jobs.handler("proc.record", timeout=2, lease_margin=0.5, max_attempts=5)
def record(context: jobs.JobContext, payload: dict[str, Any]) -> None:
    log_line(payload["log"], "start", context.claim.job_id, os.getpid(), context.claim.attempt, time.time())
    if payload.get("hang_first") and context.claim.attempt == 1:
        time.sleep(60)  # killed with SIGKILL long before this ends
    time.sleep(payload.get("sleep", 0))
    log_line(payload["log"], "end", context.claim.job_id, os.getpid(), context.claim.attempt, time.time())


def main() -> None:
    url, log_path = sys.argv[1], sys.argv[2]
    schedules.every("proc.daily", "proc.record", schedules.DailyAt(0, 0), {"log": log_path})
    settings = Settings(
        database_url=url,
        secret_key=Secret("x" * 40),
        var_dir=None,  # type: ignore[arg-type]
        index_dir=None,
        upload_dir=None,
        threads=2,
    )  # type: ignore[arg-type]
    engine = make_engine(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker = Worker(Sessions(engine), name=f"test-{os.getpid()}", poll_seconds=0.1)
    print("ready", flush=True)
    worker.run_forever(stop)
    engine.dispose()


if __name__ == "__main__":
    main()
