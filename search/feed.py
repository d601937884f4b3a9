"""The change feed: (kind, id) rows written in the writer's own transaction, followed by every index.

Warehouse reindexes from ``after_commit``; a crash between commit and reindex loses the change, and
only one index hears it. Here an ``after_flush`` listener appends a row per touched document with a
Core insert, inside the transaction, so the change and its feed row commit (or vanish) together and
every host's index can follow the same rows. Bulk ``update()``/``delete()`` statements on a watched
table never reach ``after_flush``; ``do_orm_execute`` selects the rows they touch and records those.

A row only says "look again": applying it re-reads the object's current state (``search.follower``),
so rows are idempotent and their order does not matter.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import chain
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Index, String, delete, event, insert, inspect, select
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from core import clock, events
from core.db import Base, rowcount
from core.types import intpk
from search.registry import KINDS, Searchable, Watch, watches_of

KEEP = timedelta(days=7)  # feed rows older than this are pruned; an index behind by more is rebuilt
# how far back the follower re-reads: a row may commit this long after a higher id was applied
WINDOW = timedelta(minutes=5)


class FeedRow(Base):
    """One "document (kind, id) may have changed" note, in the transaction that changed it."""

    __tablename__ = "search_feed"
    __table_args__ = (Index("ix_search_feed_created_at", "created_at"),)

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    created_at: Mapped[datetime]


_wake = threading.Event()


def wake_event() -> threading.Event:
    """Set after a commit that wrote feed rows in this process: the follower looks at once."""
    return _wake


def record(session: Session, keys: Iterable[tuple[str, int]]) -> int:
    """Append feed rows for ``keys`` in the session's transaction (a Core insert: no flush needed)."""
    now = clock.now()
    rows = [{"kind": kind, "object_id": int(object_id), "created_at": now} for kind, object_id in set(keys)]
    if rows:
        session.connection().execute(insert(FeedRow), rows)
        events.on_commit(session, _wake.set)
    return len(rows)


def prune(session: Session, now: datetime | None = None) -> int:
    """Delete feed rows older than a week (an index that far behind rebuilds instead of following)."""
    cutoff = (now or clock.now()) - KEEP
    return rowcount(session.execute(delete(FeedRow).where(FeedRow.created_at < cutoff)))


# --- ORM changes ----------------------------------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context: Any) -> None:
    if not KINDS:
        return
    keys: set[tuple[str, int]] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        for searchable, watch in watches_of(type(obj)):
            if obj in session.dirty and not _changed(session, obj, watch):
                continue
            keys.update(_keys(searchable, watch, _loaded(obj, watch)))
    record(session, keys)


def _changed(session: Session, obj: Any, watch: Watch) -> bool:
    if not watch.tracked:
        return session.is_modified(obj, include_collections=False)
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in watch.tracked)


def _loaded(obj: Any, watch: Watch) -> SimpleNamespace:
    """The columns ``watch.keys`` reads, from what is loaded: a deleted row cannot be loaded again."""
    state = inspect(obj)
    names = _names(watch)
    values = {name: state.dict[name] for name in names if name in state.dict}
    missing = [name for name in names if name not in values]
    if missing and not state.deleted:
        values |= {name: getattr(obj, name) for name in missing}
    return SimpleNamespace(**values)


def _keys(searchable: Searchable, watch: Watch, row: Any) -> set[tuple[str, int]]:
    try:
        return {(searchable.kind, key) for key in watch.keys(row) if key is not None}
    except AttributeError:  # a deleted object whose columns were never loaded: a rebuild catches it
        return set()


# --- bulk statements ------------------------------------------------------------------------------


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> Any:
    if not (state.is_update or state.is_delete) or not KINDS:
        return None
    table = getattr(state.statement, "table", None)
    watched = [(s, w) for s, w in _watches_of_table(getattr(table, "name", None)) if _touches(state, w)]
    if not watched:
        return None
    before = _touched_rows(state, watched)
    result = state.invoke_statement()
    after = _rows_by_id(state, watched, before) if state.is_update else {}
    keys: set[tuple[str, int]] = set()
    for searchable, watch in watched:
        for row in chain(before.get(watch, []), after.get(watch, [])):
            keys |= _keys(searchable, watch, row)
    record(state.session, keys)
    return result


def _watches_of_table(name: str | None) -> list[tuple[Searchable, Watch]]:
    return [(s, w) for s in KINDS.values() for w in s.watches if w.model.__table__.name == name]


def _touches(state: ORMExecuteState, watch: Watch) -> bool:
    """A delete always; an update when it sets a tracked column (``_values`` is the statement's SET:
    SQLAlchemy has no public accessor; an unreadable one counts as touching)."""
    if state.is_delete or not watch.tracked:
        return True
    values = getattr(state.statement, "_values", None)
    if not values:
        return True
    return any(getattr(column, "key", column) in watch.tracked for column in values)


def _names(watch: Watch) -> list[str]:
    """The columns a watch reads: its own, and the primary key ``id`` where the table has one."""
    table = watch.model.__table__
    return [name for name in dict.fromkeys(("id", *watch.columns)) if name in table.c]


def _columns(watch: Watch) -> list[Any]:
    table = watch.model.__table__
    return [table.c[name] for name in _names(watch)]


def _touched_rows(state: ORMExecuteState, watched: list[tuple[Searchable, Watch]]) -> dict[Watch, list[Any]]:
    where = state.statement.whereclause  # type: ignore[attr-defined]
    found = {}
    for _searchable, watch in watched:
        query = select(*_columns(watch))
        if where is not None:
            query = query.where(where)
        found[watch] = list(state.session.connection().execute(query))
    return found


def _rows_by_id(
    state: ORMExecuteState, watched: list[tuple[Searchable, Watch]], before: dict[Watch, list[Any]]
) -> dict[Watch, list[Any]]:
    """The same rows after an update (it may have moved them: a post to another thread)."""
    found = {}
    for _searchable, watch in watched:
        ids = [row.id for row in before.get(watch, []) if hasattr(row, "id")]
        if ids:
            query = select(*_columns(watch)).where(watch.model.__table__.c.id.in_(ids))
            found[watch] = list(state.session.connection().execute(query))
    return found
