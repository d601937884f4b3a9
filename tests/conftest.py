"""Test database and app.

The schema is built once per test session through ``alembic upgrade head`` (never ``create_all``);
each test runs inside a transaction that is rolled back, and every session the code opens, including
login's own short transactions, joins it as a SAVEPOINT. With ``GONGZHI_TEST_DATABASE_URL`` set, the
same suite runs on PostgreSQL in a schema of its own.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from accounts.passwords import Hasher
from core.db import Sessions, make_engine
from core.settings import Secret, Settings
from migrations import runner
from web.app import create_app

PG_URL = os.environ.get("GONGZHI_TEST_DATABASE_URL", "")


def cheap_hasher() -> Hasher:
    """argon2id at its lowest cost: the tests exercise the logic, the bench measures the cost."""
    return Hasher(time_cost=1, memory_kib=8, parallelism=1, concurrency=4, wait_seconds=1)


def make_settings(var_dir, database_url: str | None = None, **changes) -> Settings:  # type: ignore[no-untyped-def]
    settings = Settings(
        database_url=database_url or f"sqlite:///{var_dir / 'test.sqlite3'}",
        secret_key=Secret("test-secret-" + "x" * 40),
        var_dir=var_dir,
        index_dir=var_dir / "index",
        upload_dir=var_dir / "uploads",
        threads=4,
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
    )
    return settings.with_changes(**changes) if changes else settings


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:  # type: ignore[no-untyped-def]
    return make_settings(tmp_path_factory.mktemp("var"), PG_URL or None)


@contextmanager
def pg_schema(url: str) -> Iterator[str]:
    """A schema of our own on the shared PostgreSQL server, dropped afterwards."""
    schema = f"test_{secrets.token_hex(4)}"
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def migrated_engine(settings: Settings, schema: str | None = None) -> Engine:
    if schema:  # in the URL, so that other processes given engine.url land in the same schema
        url = make_url(settings.database_url).update_query_dict({"options": f"-csearch_path={schema}"})
        settings = settings.with_changes(database_url=url.render_as_string(hide_password=False))
    engine = make_engine(settings)
    runner.upgrade(engine)
    return engine


@contextmanager
def fresh_engine(settings: Settings) -> Iterator[Engine]:
    """An engine on a newly migrated database: a SQLite file, or a PostgreSQL schema of its own."""
    if PG_URL:
        with pg_schema(PG_URL) as schema:
            engine = migrated_engine(settings, schema)
            try:
                yield engine
            finally:
                engine.dispose()
    else:
        engine = migrated_engine(settings)
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    with fresh_engine(settings) as engine:
        yield engine


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


class BoundSessions(Sessions):
    """``Sessions`` whose sessions join the test's outer transaction as savepoints."""

    def __init__(self, connection: Connection) -> None:
        self.engine = connection.engine
        self.connection = connection

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(
            bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ) as session:
            yield session

    write = read


@pytest.fixture
def sessions(connection: Connection) -> BoundSessions:
    return BoundSessions(connection)


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as s:
        yield s


@pytest.fixture
def hasher() -> Hasher:
    return cheap_hasher()


@pytest.fixture
def index_dir(tmp_path):  # type: ignore[no-untyped-def]
    """Each test's own search index folder: no test sees another's index (tests/search builds them)."""
    return tmp_path / "index"


@pytest.fixture
def app(settings: Settings, sessions: BoundSessions, hasher: Hasher, index_dir):  # type: ignore[no-untyped-def]
    return create_app(settings.with_changes(index_dir=index_dir), sessions=sessions, hasher=hasher)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def other_client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A second browser."""
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: TestClient, page: str = "/accounts/login") -> str:
    """The token a real form on ``page`` carries (fetching the page sets the CSRF cookie)."""
    html = client.get(page).text
    found = CSRF_RE.search(html)
    assert found, f"no CSRF token on {page}"
    return found.group(1)


def post_form(client: TestClient, path: str, data: dict, page: str = "/accounts/login", **kwargs):  # type: ignore[no-untyped-def]
    """POST ``data`` as a browser would after loading ``page``."""
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data}, **kwargs)


def log_in(client: TestClient, username: str, password: str):  # type: ignore[no-untyped-def]
    response = post_form(client, "/accounts/login", {"username": username, "password": password})
    assert response.status_code == 303, response.text
    return response


from tests.people import cast  # noqa: E402, F401 - the named cast is a fixture for every test module
