"""One host's index folder: the Whoosh index, the cursor saying how far it has followed the feed, and
the lock that lets one process at a time write it.

Layout of ``GONGZHI_INDEX_DIR``: ``whoosh/`` (the index), ``cursor.json`` (written last: an index
without a cursor is being built, or was never built, and queries say so) and ``follower.lock``
(``flock``: every ``serve`` and ``worker`` process of the host tries it; the holder writes).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from whoosh import index as whoosh_index

from core.errors import N_, Unavailable
from search.schema import make_schema

log = logging.getLogger(__name__)

# Bump when the schema or the analysis changes: every index older than the code rebuilds itself.
SCHEMA_VERSION = 3  # 2: n-gram terms replace bigram phrases; 3: public cases and merge statements


class SearchUnavailable(Unavailable):
    """The index is missing, broken or being rebuilt: search says so; the rest of the site works on."""

    default_key = N_("Search is being rebuilt. Everything else works; try searching again in a few minutes.")

    def __init__(self) -> None:
        super().__init__(retry_after=60)


class IndexFolderLost(RuntimeError):
    """The index folder was deleted while this process held its lock; the next pass rebuilds."""


def _is_at(handle: IO[str], path: Path) -> bool:
    """True when the open file ``handle`` is still the file at ``path``."""
    try:
        here = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(handle.fileno())
    return (mine.st_dev, mine.st_ino) == (here.st_dev, here.st_ino)


@dataclass
class Cursor:
    """How far this index has followed the feed: the highest row id applied, the ids applied inside
    the trailing window (PostgreSQL hands out ids before commit, so a lower id can still appear)."""

    high: int
    seen: list[int] = field(default_factory=list)
    built_at: str = ""
    followed_at: str = ""
    version: int = SCHEMA_VERSION

    def followed(self) -> datetime | None:
        return datetime.fromisoformat(self.followed_at) if self.followed_at else None


class SearchIndex:
    """The index folder of this host. Cheap to make; opens the Whoosh index on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._index: Any = None
        self._held: IO[str] | None = None  # the lock file while this process holds it

    @property
    def whoosh_dir(self) -> Path:
        return self.folder / "whoosh"

    @property
    def cursor_path(self) -> Path:
        return self.folder / "cursor.json"

    # -- reading ------------------------------------------------------------------------------------

    def read_cursor(self) -> Cursor | None:
        """The cursor, or None when the index was never finished (or the file is damaged)."""
        try:
            data = json.loads(self.cursor_path.read_text())
            return Cursor(**data)
        except (OSError, ValueError, TypeError):
            return None

    def is_ready(self) -> bool:
        cursor = self.read_cursor()
        return cursor is not None and cursor.version == SCHEMA_VERSION

    def searcher(self, **options: Any) -> Any:
        """A Whoosh searcher over the latest committed state; ``SearchUnavailable`` if there is none."""
        if not self.is_ready():
            raise SearchUnavailable()
        try:
            if self._index is None:
                self._index = whoosh_index.open_dir(str(self.whoosh_dir))
            return self._index.searcher(**options)
        except Exception as error:  # missing files, a damaged table of contents: rebuilt by the follower
            log.warning("search index at %s cannot be read: %s", self.whoosh_dir, error)
            self._index = None
            raise SearchUnavailable() from error

    # -- writing (with the lock held) ---------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, *, wait: bool) -> Iterator[bool]:
        """Hold the folder's lock for the block; yields False at once if another process has it and
        ``wait`` is false. ``flock`` is per open file, so threads of one process exclude each other too.

        A lock on a file that is no longer at its path guards nothing (the folder was deleted, and
        another process locks the new file): such a lock is dropped and taken again on the new file.
        """
        while True:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = open(self.lock_path, "a")  # noqa: SIM115 - closed below, or when the block ends
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                handle.close()
                yield False
                return
            if _is_at(handle, self.lock_path):
                break
            handle.close()  # closing releases it
            if not wait:
                yield False
                return
        self._held = handle
        try:
            yield True
        finally:
            self._held = None
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    @property
    def lock_path(self) -> Path:
        return self.folder / "follower.lock"

    def check_still_locked(self) -> None:
        """Raise ``IndexFolderLost`` when the lock this process holds no longer guards the folder: it
        was deleted meanwhile, and whatever this pass would write could overwrite a rebuild's work."""
        if self._held is not None and not _is_at(self._held, self.lock_path):
            raise IndexFolderLost(f"the index folder {self.folder} was deleted while this process wrote it")

    def existing(self) -> Any:
        """The Whoosh index as it is, or None where it is missing or cannot be read."""
        try:
            if whoosh_index.exists_in(str(self.whoosh_dir)):
                found = whoosh_index.open_dir(str(self.whoosh_dir))
                found.doc_count()  # reads the segments: a damaged index fails here, not mid-write
                return found
        except Exception as error:
            log.warning("search index at %s is damaged (%s)", self.whoosh_dir, error)
        return None

    def writable(self) -> Any:
        """The Whoosh index for a rebuild: the existing one, or a new empty one where it is missing or
        broken (the database holds everything; a rebuild loses nothing)."""
        return self.existing() or self.create()

    def create(self) -> Any:
        """A new, empty index (the cursor goes first: until a rebuild finishes, queries say so)."""
        self.cursor_path.unlink(missing_ok=True)
        shutil.rmtree(self.whoosh_dir, ignore_errors=True)
        self.whoosh_dir.mkdir(parents=True)
        self._index = None
        return whoosh_index.create_in(str(self.whoosh_dir), make_schema())

    def write_cursor(self, cursor: Cursor) -> None:
        """Replace the cursor atomically (write a temporary file, then rename), unless the folder was
        deleted under this process's lock: a stale cursor would mark a rebuild's half index ready."""
        self.check_still_locked()
        temporary = self.cursor_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(cursor)))
        os.replace(temporary, self.cursor_path)
