"""Running migrations from code: ``gongzhi migrate``, ``serve`` on SQLite, and the test session."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData


class MigrationError(Exception):
    """The schema is not where the code expects it."""


def model_modules() -> list[str]:
    """Every module with tables, as the features declare them (``web.features``)."""
    from web import features

    return features.model_modules()


def target_metadata() -> MetaData:
    """The metadata of every declared table; env.py hands it to autogenerate and ``alembic check``."""
    for module in model_modules():
        importlib.import_module(module)
    from core.db import Base

    return Base.metadata


def alembic_config() -> Config:
    """Alembic's configuration from code: an installed wheel has no alembic.ini (that file is for the
    ``alembic`` command in a checkout)."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parent))
    return config


@contextmanager
def sqlite_foreign_keys(connection: Connection) -> Iterator[None]:
    """On SQLite: foreign keys off while tables are rebuilt, then ``PRAGMA foreign_key_check``.

    The pragma only takes effect outside a transaction, so it goes to the driver connection directly.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None, "a connection that is open has a driver connection"
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        problems = raw.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise MigrationError(f"foreign key check failed after migrating: {problems[:5]}")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest)."""
    config = alembic_config()
    with engine.connect() as connection, sqlite_foreign_keys(connection):
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.connect() as connection, sqlite_foreign_keys(connection):
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        connection.commit()


def check(engine: Engine) -> None:
    """``alembic check``: raise if the models and the newest migration disagree."""
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.check(config)


def pending(engine: Engine) -> tuple[set[str], set[str]]:
    """(revisions the database is at, revisions the code expects)."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current, heads


def is_current(engine: Engine) -> bool:
    current, heads = pending(engine)
    return current == heads


def known_revisions() -> set[str]:
    """Every revision this code's migrations know: a database at another was made by a newer version."""
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
