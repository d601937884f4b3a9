"""Migrations are tested every run: up from empty, `alembic check`, down to nothing, and up again."""

import pytest
from sqlalchemy import inspect

from migrations import runner
from tests.conftest import PG_URL, make_settings, migrated_engine, pg_schema


@pytest.fixture
def fresh_engine(tmp_path):
    settings = make_settings(tmp_path, PG_URL or None)
    if PG_URL:
        with pg_schema(PG_URL) as schema:
            engine = migrated_engine(settings, schema)
            yield engine
            engine.dispose()
    else:
        engine = migrated_engine(settings)
        yield engine
        engine.dispose()


def test_models_and_migrations_agree(fresh_engine):
    runner.check(fresh_engine)  # raises if autogenerate would find a difference
    assert runner.is_current(fresh_engine)


def test_down_to_nothing_and_up_again(fresh_engine):
    runner.downgrade(fresh_engine, "base")
    assert set(inspect(fresh_engine).get_table_names()) <= {"alembic_version"}
    runner.upgrade(fresh_engine)
    assert {"users", "grid_cells", "audit_log"} <= set(inspect(fresh_engine).get_table_names())
