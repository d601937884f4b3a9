"""The full rebuild (``gongzhi reindex``) and the check (``gongzhi reindex --check``).

The rebuild notes the feed's highest id *before* reading anything, writes every document of every
kind in one Whoosh commit that replaces the whole index (readers see the old index until then), and
writes the cursor last. A change committed meanwhile has a feed row above that id, or inside the
trailing window, so the follower's next pass applies it: nothing written during a rebuild is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from whoosh import writing

from core import clock
from core.db import Sessions
from search import documents
from search.feed import WINDOW, FeedRow
from search.index import Cursor, SearchIndex
from search.registry import KINDS

Progress = Callable[[str, int, int], None]  # (kind, documents done, of how many)


def rebuild(sessions: Sessions, index: SearchIndex, progress: Progress | None = None) -> int:
    """Rebuild the index from the database, waiting for the folder's lock. Returns documents written."""
    with index.lock(wait=True):
        return rebuild_locked(sessions, index, progress=progress)


def rebuild_locked(
    sessions: Sessions, index: SearchIndex, *, progress: Progress | None = None, now: datetime | None = None
) -> int:
    """The rebuild itself; the caller holds the lock."""
    started = now or clock.now()
    written = 0
    ix = index.writable()
    writer = ix.writer(limitmb=128)
    try:
        with sessions.read() as session:
            high = session.scalar(select(func.max(FeedRow.id))) or 0
            # rows of the window visible now committed before this read: it reflects them already
            seen = session.scalars(
                select(FeedRow.id).where(FeedRow.created_at >= started - WINDOW).order_by(FeedRow.id)
            ).all()
            for kind, searchable in KINDS.items():
                ids, done = list(searchable.all_ids(session)), 0
                for batch in documents.chunks(ids):
                    found = documents.read(session, kind, batch)
                    for document in found.values():
                        if document is not None:
                            writer.add_document(**document)
                            written += 1
                    done += len(batch)
                    if progress:
                        progress(kind, done, len(ids))
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=writing.CLEAR)  # the new documents replace every old segment at once
    stamp = started.isoformat()
    index.write_cursor(Cursor(high=high, seen=list(seen), built_at=stamp, followed_at=stamp))
    return written


@dataclass
class Check:
    """What ``reindex --check`` found: documents missing from the index, stale, or there but unwanted."""

    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    ready: bool = True

    @property
    def ok(self) -> bool:
        return self.ready and not (self.missing or self.stale or self.extra)


def check(sessions: Sessions, index: SearchIndex) -> Check:
    """Compare the index with what the database says it should hold (read only)."""
    if not index.is_ready():
        return Check(ready=False)
    wanted: dict[str, int] = {}
    with sessions.read() as session:
        for kind, searchable in KINDS.items():
            for batch in documents.chunks(list(searchable.all_ids(session))):
                for document in documents.read(session, kind, batch).values():
                    if document is not None:
                        wanted[document["key"]] = document["ts"]
    with index.searcher() as searcher:
        stored = {fields["key"]: fields["ts"] for fields in searcher.all_stored_fields()}
    result = Check()
    result.missing = sorted(k for k in wanted if k not in stored)
    result.stale = sorted(k for k in wanted if k in stored and stored[k] != wanted[k])
    result.extra = sorted(k for k in stored if k not in wanted)
    return result
