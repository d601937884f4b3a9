"""A real worker process that forwards cases to a stand-in city system (tests/grid/city_server.py).

python -m tests.concurrency.connector_worker_main DATABASE_URL CITY_URL

The handler is the connector's own; only its time scale is shortened for the test (a 1 s request
timeout, a 4 s lease, retries after 0.2 s, 0.4 s, 0.8 s ... instead of 10 s, 20 s, 40 s ...).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from datetime import timedelta

from core import jobs
from core.db import Sessions, make_engine
from core.settings import Secret, Settings
from core.worker import Worker
from grid import connector
from web import wiring


def fast_backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(0.2 * 2 ** (attempt - 1), 3.0))


def main() -> None:
    url, city_url = sys.argv[1], sys.argv[2]
    wiring.setup()  # every feature's handlers, as `gongzhi worker` has them
    connector.configure(connector.Endpoint(city_url, "city-key", timeout=1.0))
    jobs.backoff = fast_backoff  # type: ignore[assignment]
    jobs.handler(connector.FORWARD_JOB, timeout=3, lease_margin=1, max_attempts=30)(connector.run_forward)
    settings = Settings(
        database_url=url,
        secret_key=Secret("x" * 40),
        var_dir=None,  # type: ignore[arg-type]
        index_dir=None,  # type: ignore[arg-type]
        upload_dir=None,  # type: ignore[arg-type]
        threads=2,
    )
    engine = make_engine(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker = Worker(Sessions(engine), name=f"city-{os.getpid()}", poll_seconds=0.1)
    print("ready", flush=True)
    worker.run_forever(stop)
    engine.dispose()


if __name__ == "__main__":
    main()
