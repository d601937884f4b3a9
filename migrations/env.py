"""Alembic environment. ``migrations.runner`` passes a connection in; the ``alembic`` CLI builds one."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from core.db import make_engine
from core.settings import Settings
from migrations.runner import sqlite_foreign_keys, target_metadata

config = context.config


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        render_as_batch=True,  # SQLite alters tables by rebuilding them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = make_engine(Settings.from_env())
    with engine.connect() as connection, sqlite_foreign_keys(connection):
        run_on(connection)
        connection.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `gongzhi migrate`")
run_online()
