"""Engine, sessions and the declarative base.

SQLite needs SQLAlchemy's documented "pysqlite serializable" hooks: the driver's own transaction
handling is switched off and we emit ``BEGIN`` ourselves, ``BEGIN IMMEDIATE`` for writing sessions
(chosen by an execution option on the write factory's engine). Without it a read-then-write
transaction can fail with "database is locked" or lose an update, and the rolled-back test fixture
leaks released savepoints into the next test.
"""

from __future__ import annotations

import enum
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from core.errors import Conflict
from core.settings import Settings
from core.types import UTCDateTime

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Typed declarative base: named constraints, UTC timestamps, enums stored by value."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012 - SQLAlchemy reads it as a class attribute


def enum_column(enum_cls: type[enum.Enum], name: str) -> SAEnum:
    """An enum column stored by value as a string with a named CHECK constraint (portable, readable)."""
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


WRITE_OPTION = "gongzhi_write"


def make_engine(settings: Settings, **overrides: Any) -> Engine:
    """One engine per process; its pool is sized to the endpoint thread pool."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            from pathlib import Path

            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            pool_size=settings.threads,
            max_overflow=2,
            connect_args={"timeout": 5, "check_same_thread": False},
            **overrides,
        )
        install_sqlite_hooks(engine)
        return engine
    return create_engine(
        url.set(drivername="postgresql+psycopg") if url.drivername == "postgresql" else url,
        pool_size=settings.threads,
        max_overflow=2,
        pool_pre_ping=True,
        **overrides,
    )


BUSY_SECONDS = 5.0
GATE = "gongzhi_write_gate"  # in a pooled connection's info: this connection holds its engine's gate


def install_sqlite_hooks(engine: Engine) -> None:
    """WAL, foreign keys, a 5 s busy timeout, our own BEGIN / BEGIN IMMEDIATE, and the write gate.

    SQLite's busy handler polls with a growing sleep (1 ms rising to 100 ms), so a writer that has
    waited long polls least often and newcomers keep overtaking it: under a steady stream of writes
    one request could wait out the 5 s timeout three times and get a 409 (seen with 24 clients on
    three processes). The gate, one lock per engine (so per process), lets one thread of the process
    at a time into BEGIN IMMEDIATE; the others wait on the lock, which wakes them as it is released
    instead of making them poll. Only the processes, a handful, race in SQLite's handler.
    """
    gate = threading.Lock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # stop pysqlite from emitting its own BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        if not immediate:
            connection.exec_driver_sql("BEGIN")
            return
        # past the timeout, go on without the gate: SQLite's own timeout then decides, and its
        # "database is locked" is retried like any other
        if gate.acquire(timeout=BUSY_SECONDS):
            connection.info[GATE] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _open_gate(connection.info)
            raise

    def _open_gate(info: dict[str, Any]) -> None:
        if info.pop(GATE, False):
            gate.release()

    @event.listens_for(engine, "commit")
    def _on_commit(connection: Connection) -> None:
        _open_gate(connection.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Connection) -> None:
        _open_gate(connection.info)

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:  # a connection given back without commit or rollback (invalidated)
            _open_gate(record.info)


class Sessions:
    """The two session factories: ``read()`` (plain BEGIN) and ``write()`` (BEGIN IMMEDIATE on SQLite).

    Both are context managers yielding a ``Session``; nothing commits unless the caller does.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = sessionmaker(bind=engine, expire_on_commit=False)
        self._write = sessionmaker(
            bind=engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._write() as session:
            yield session


T = TypeVar("T")


def rows_as(cls: Callable[..., T], rows: Iterable[Any]) -> list[T]:
    """Result rows as frozen dataclasses whose fields are the selected columns, in order."""
    return [cls(*row) for row in rows]


def rowcount(result: Any) -> int:
    """How many rows an UPDATE or DELETE touched (typed: SQLAlchemy's generic ``Result`` hides it)."""
    return int(result.rowcount)


# SQLSTATEs worth re-running a whole unit of work for: serialization failure, deadlock, lock timeout.
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}


def is_retryable(error: BaseException) -> bool:
    """True for a lock, deadlock or serialization failure that a fresh attempt may not meet."""
    if not isinstance(error, DBAPIError):
        return False
    if getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    text = str(error.orig).lower()
    return isinstance(error, OperationalError) and (
        "database is locked" in text or "database is busy" in text
    )


def is_unavailable(error: BaseException) -> bool:
    """True when the database could not be reached at all (answer 503, not 500)."""
    if not isinstance(error, DBAPIError) or is_retryable(error):
        return False
    return bool(error.connection_invalidated) or isinstance(error, OperationalError)


class Attempt:
    """One try of a whole unit of work; swallows a retryable error unless it is the last try."""

    def __init__(self, number: int, last: bool) -> None:
        self.number = number
        self.last = last
        self.succeeded = False

    def __enter__(self) -> Attempt:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, _tb: Any) -> bool:
        if exc is None:
            self.succeeded = True
            return False
        if not is_retryable(exc):
            return False
        if self.last:
            raise Conflict() from exc
        log.info("retrying a write after %s (attempt %d)", type(exc).__name__, self.number + 1)
        # jitter, so that retried writers spread out; nothing secret depends on it
        time.sleep(random.uniform(0.01, 0.05) * (2**self.number))  # noqa: S311
        return True


def retrying(attempts: int = 3) -> Iterator[Attempt]:
    """``for attempt in retrying(): with attempt, sessions.write() as s: ...``: re-run a whole write."""
    for number in range(attempts):
        attempt = Attempt(number, last=number == attempts - 1)
        yield attempt
        if attempt.succeeded:
            return


def run_write(sessions: Sessions, work: Callable[[Session], T], attempts: int = 3) -> T:
    """Run ``work`` in a write session and commit, re-running it whole on a lock or deadlock."""
    for attempt in retrying(attempts):
        with attempt, sessions.write() as session:
            result = work(session)
            session.commit()
            return result
    raise AssertionError("unreachable: retrying() raises on its last attempt")
