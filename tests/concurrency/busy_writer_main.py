"""A process that keeps taking SQLite's write lock, as a job worker or an admin script would.

python -m tests.concurrency.busy_writer_main DATABASE_URL HOLD_SECONDS

Until SIGTERM: a write transaction (BEGIN IMMEDIATE, through ``run_write`` like every product write)
changes a board's description and holds the lock for HOLD_SECONDS; when stopped it prints how many it
committed and the longest it waited for the lock.
"""

from __future__ import annotations

import signal
import sys
import threading
import time

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.db import Sessions, make_engine, run_write
from core.settings import Secret, Settings


def main() -> None:
    url, hold = sys.argv[1], float(sys.argv[2])
    settings = Settings(
        database_url=url,
        secret_key=Secret("x" * 40),
        var_dir=None,  # type: ignore[arg-type]
        index_dir=None,  # type: ignore[arg-type]
        upload_dir=None,  # type: ignore[arg-type]
        threads=2,
    )
    engine = make_engine(settings)
    sessions = Sessions(engine)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    committed, waits = 0, []
    while not stop.is_set():
        started = time.monotonic()

        def work(session: Session, n: int = committed) -> None:
            session.execute(text("UPDATE forum_boards SET description = :d"), {"d": f"第{n}次"})
            time.sleep(hold)

        # as every write in the product does: a lock still held after the busy timeout re-runs it
        run_write(sessions, work)
        waits.append(time.monotonic() - started - hold)
        committed += 1
        time.sleep(0.02)
    print(committed, f"{max(waits, default=0):.2f}", flush=True)
    engine.dispose()


if __name__ == "__main__":
    main()
