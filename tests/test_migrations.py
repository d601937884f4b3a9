"""Migrations are tested every run: up from empty, `alembic check`, down to nothing, and up again."""

import pytest
from sqlalchemy import inspect

from migrations import runner
from tests.conftest import PG_URL, fresh_engine, make_settings


@pytest.fixture
def migrated(tmp_path):
    with fresh_engine(make_settings(tmp_path, PG_URL or None)) as engine:
        yield engine


def test_models_and_migrations_agree(migrated):
    runner.check(migrated)  # raises if autogenerate would find a difference
    assert runner.is_current(migrated)


def test_down_to_nothing_and_up_again(migrated):
    runner.downgrade(migrated, "base")
    assert set(inspect(migrated).get_table_names()) <= {"alembic_version"}
    runner.upgrade(migrated)
    assert {"users", "grid_cells", "audit_log"} <= set(inspect(migrated).get_table_names())


def test_every_constraint_and_index_name_fits_postgresql():
    """PostgreSQL cuts names at 63 bytes; a cut name would differ from the model's and from SQLite's."""
    from migrations.runner import target_metadata

    names = []
    for table in target_metadata().tables.values():
        names += [c.name for c in table.constraints if isinstance(c.name, str)]
        names += [i.name for i in table.indexes if isinstance(i.name, str)]
    assert names and [n for n in names if len(n.encode()) > 63] == []
