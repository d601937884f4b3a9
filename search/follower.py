"""The follower: bring this host's index up to the change feed, under the index folder's lock.

Every ``serve`` and ``worker`` process runs ``start_thread``; each pass tries the lock without waiting,
so one process per host writes at a time and the others only read. A pass:

1. rebuilds instead (``search.rebuild``) when there is no cursor, the index cannot be read, the
   cursor is from an older schema, or the index has not followed for longer than the feed keeps rows
   (a week);
2. otherwise reads the feed rows after the cursor's ``high`` *and* every row of the trailing window
   (the last few minutes), skipping the window rows it already applied: PostgreSQL assigns ids when a
   row is inserted, not when it commits, so a row with a lower id can appear after a higher one;
3. re-reads the current state of each touched document and writes it (or removes it), then moves the
   cursor. Applying a row twice changes nothing, so a crash between index commit and cursor write
   only repeats work.

A write that stays uncommitted for longer than the window is missed until the next rebuild: the
window is kept well above any transaction this site runs (requests are short; jobs commit per step).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from core import clock
from core.db import Sessions
from search import documents, rebuild, schema
from search.feed import KEEP, WINDOW, FeedRow, wake_event

__all__ = ["follow", "run_forever", "start_thread", "wake_event"]
from search.index import SCHEMA_VERSION, Cursor, IndexFolderLost, SearchIndex

log = logging.getLogger(__name__)

# A day before the feed is pruned, an index that has not followed rebuilds: rows may be about to go.
REBUILD_AFTER = KEEP - timedelta(days=1)
CURSOR_REFRESH = timedelta(minutes=10)  # an idle pass rewrites the cursor this often, to show it is alive


@dataclass(frozen=True)
class Pass:
    """What one pass did: ``held`` False when another process had the lock."""

    held: bool
    applied: int = 0
    rebuilt: bool = False


def follow(sessions: Sessions, index: SearchIndex, *, now: datetime | None = None) -> Pass:
    """One pass of the follower (see the module docstring); never waits for the lock."""
    with index.lock(wait=False) as held:
        if not held:
            return Pass(held=False)
        now = now or clock.now()
        cursor = index.read_cursor()
        ix = None if cursor is None else index.existing()
        if ix is None or needs_rebuild(cursor, now):
            rebuild.rebuild_locked(sessions, index, now=now)
            return Pass(held=True, rebuilt=True)
        assert cursor is not None
        return Pass(held=True, applied=apply_feed(sessions, index, ix, cursor, now))


def needs_rebuild(cursor: Cursor | None, now: datetime) -> bool:
    if cursor is None or cursor.version != SCHEMA_VERSION:
        return True
    followed = cursor.followed()
    return followed is None or now - followed > REBUILD_AFTER


def apply_feed(sessions: Sessions, index: SearchIndex, ix: Any, cursor: Cursor, now: datetime) -> int:
    """Apply the rows not yet applied; move the cursor. Returns how many rows were applied."""
    cutoff = now - WINDOW
    with sessions.read() as session:
        rows = session.execute(
            select(FeedRow.id, FeedRow.kind, FeedRow.object_id, FeedRow.created_at)
            .where(or_(FeedRow.id > cursor.high, FeedRow.created_at >= cutoff))
            .order_by(FeedRow.id)
        ).all()
        seen = set(cursor.seen)
        fresh = [row for row in rows if row.id not in seen]
        found = _read(session, fresh)
    if found:
        index.check_still_locked()  # the folder deleted meanwhile: leave the new one to its rebuild
        _write(ix, found)
    moved = Cursor(
        high=max([cursor.high, *(row.id for row in rows)]),
        seen=sorted(row.id for row in rows if row.created_at >= cutoff),
        built_at=cursor.built_at,
        followed_at=now.isoformat(),
    )
    if fresh or _due(cursor, now) or moved.seen != cursor.seen:
        index.write_cursor(moved)
    return len(fresh)


def _read(session: Any, rows: list[Any]) -> dict[str, dict[int, dict[str, Any] | None]]:
    ids_by_kind: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        ids_by_kind[row.kind].append(row.object_id)
    return {kind: documents.read(session, kind, ids) for kind, ids in ids_by_kind.items()}


def _write(ix: Any, found: dict[str, dict[int, dict[str, Any] | None]]) -> None:
    writer = ix.writer(timeout=30.0)
    try:
        for kind, by_id in found.items():
            documents.write(writer, kind, by_id)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()  # merges small segments here, in the follower: never on the request path


def _due(cursor: Cursor, now: datetime) -> bool:
    followed = cursor.followed()
    return followed is None or now - followed >= CURSOR_REFRESH


# --- the thread every serve and worker process runs -----------------------------------------------


def run_forever(sessions: Sessions, index: SearchIndex, stop: threading.Event, poll_seconds: float) -> None:
    """Follow until ``stop`` is set; a commit in this process that wrote feed rows wakes it at once."""
    wake, failures = wake_event(), 0
    schema.preload()  # this process's first search need not load the dictionaries
    while not stop.is_set():
        try:
            follow(sessions, index)
            failures = 0
        except IndexFolderLost as lost:  # deleted under this pass: the next one rebuilds, at once
            log.warning("search follower: %s; rebuilding", lost)
            continue
        except Exception:  # the database is down, the disk is full: log, back off, go on
            failures += 1
            log.exception("search follower: pass failed; retrying")
        if wake.wait(poll_seconds if not failures else min(60.0, poll_seconds * 2**failures)):
            wake.clear()


def start_thread(
    sessions: Sessions, index: SearchIndex, poll_seconds: float = 2.0
) -> tuple[threading.Thread, threading.Event]:
    """Run the follower in a daemon thread of this process; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(sessions, index, stop, poll_seconds), name="gongzhi-search", daemon=True
    )
    thread.start()
    return thread, stop
