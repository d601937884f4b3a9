"""Inserts that meet a unique key without failing, on SQLite and PostgreSQL alike: the first vote
and the first participant row of a person can race with themselves (two taps, two tabs)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.db import Base


def _insert(session: Session, model: type[Base]) -> Any:
    """The dialect's INSERT into the model's table: Core, so rows are keyed by column name."""
    dialect = session.get_bind().dialect.name
    table = cast(Table, model.__table__)
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def insert_ignoring(session: Session, model: type[Base], rows: list[dict[str, Any]], keys: list[str]) -> None:
    """INSERT … ON CONFLICT (keys) DO NOTHING for each row (by column name), in one executemany."""
    if rows:
        session.execute(_insert(session, model).on_conflict_do_nothing(index_elements=keys), rows)


def upsert(
    session: Session, model: type[Base], rows: list[dict[str, Any]], keys: list[str], update: list[str]
) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE the ``update`` columns from the row sent (the later wins)."""
    if not rows:
        return
    statement = _insert(session, model)
    changes = {name: statement.excluded[name] for name in update}
    session.execute(statement.on_conflict_do_update(index_elements=keys, set_=changes), rows)
