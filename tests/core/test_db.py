"""The SQLite BEGIN hooks and the whole-write retry."""

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from core.db import Sessions, make_engine, run_write
from core.errors import Conflict
from tests.conftest import make_settings


@pytest.fixture
def counter_db(tmp_path):
    engine = make_engine(make_settings(tmp_path))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    yield Sessions(engine)
    engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(counter_db):
    with counter_db.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_concurrent_read_then_write_loses_no_update(counter_db):
    """Two threads each read the counter and write it back 100 times: BEGIN IMMEDIATE serialises them."""

    def bump(session):
        n = session.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()
        session.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})

    def worker():
        for _ in range(100):
            run_write(counter_db, bump)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with counter_db.read() as session:
        assert session.execute(text("SELECT n FROM counter")).scalar_one() == 200


def _locked() -> OperationalError:
    return OperationalError("UPDATE", {}, Exception("database is locked"))


def test_a_locked_write_is_rerun_whole(counter_db):
    calls = []

    def flaky(session):
        calls.append(1)
        session.execute(text("UPDATE counter SET n = n + 1"))
        if len(calls) == 1:
            raise _locked()
        return len(calls)

    assert run_write(counter_db, flaky) == 2
    with counter_db.read() as session:
        # the first attempt's update was rolled back with it: one increment only
        assert session.execute(text("SELECT n FROM counter")).scalar_one() == 1


def test_still_locked_after_three_tries_is_a_conflict(counter_db):
    calls = []

    def always_locked(session):
        calls.append(1)
        raise _locked()

    with pytest.raises(Conflict):
        run_write(counter_db, always_locked)
    assert len(calls) == 3


def test_other_errors_are_not_retried(counter_db):
    calls = []

    def broken(session):
        calls.append(1)
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        run_write(counter_db, broken)
    assert len(calls) == 1
