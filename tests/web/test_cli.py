"""The `gongzhi` commands against a database of their own (they commit)."""

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from accounts.models import User
from core.db import Sessions, make_engine
from grid.models import GridCell, RosterEntry
from tests.conftest import PG_URL
from web.cli import main


@pytest.fixture
def env(tmp_path):
    if PG_URL:
        pytest.skip("the CLI tests use their own SQLite file; PostgreSQL is covered by the service tests")
    return {
        "GONGZHI_VAR_DIR": str(tmp_path),
        "GONGZHI_ARGON2_TIME_COST": "1",
        "GONGZHI_ARGON2_MEMORY_KIB": "8",
        "GONGZHI_ARGON2_PARALLELISM": "1",
    }


def counts(tmp_path):
    from core.settings import Settings

    engine = make_engine(Settings.from_env({"GONGZHI_VAR_DIR": str(tmp_path)}))
    with Sessions(engine).read() as session:
        result = tuple(
            session.scalar(select(func.count()).select_from(model)) for model in (GridCell, User, RosterEntry)
        )
    engine.dispose()
    return result


def test_demo_builds_the_city_once(env, tmp_path):
    runner = CliRunner()
    first = runner.invoke(main, ["demo"], env=env)
    assert first.exit_code == 0, first.output
    assert "53 grid cells" in first.output and "265 roster posts" in first.output
    assert "1 documents" in first.output
    assert "password: demo-" in first.output
    after_first = counts(tmp_path)
    assert after_first[0] == 53 and after_first[2] == 53 * 5
    second = runner.invoke(main, ["demo"], env=env)
    assert "added 0 people, 0 grid cells, 0 roster posts, 0 documents" in second.output
    assert counts(tmp_path) == after_first
    # the same password both times: derived from the site secret, never stored
    assert first.output.split("password: ")[1].split()[0] == second.output.split("password: ")[1].split()[0]


def test_demo_refuses_production(env):
    result = CliRunner().invoke(
        main, ["demo"], env=env | {"GONGZHI_PRODUCTION": "1", "GONGZHI_SECRET_KEY": "k" * 40}
    )
    assert result.exit_code != 0 and "production" in result.output


def test_create_admin_checks_the_password_and_makes_an_admin(env, tmp_path):
    runner = CliRunner()
    weak = runner.invoke(main, ["create-admin", "boss", "--password-stdin"], input="12345678\n", env=env)
    assert weak.exit_code != 0 and "too easy" in weak.output
    good = runner.invoke(
        main, ["create-admin", "boss", "--password-stdin"], input="a long admin secret\n", env=env
    )
    assert good.exit_code == 0, good.output
    assert "boss is an administrator" in good.output


def test_migrate_reports_the_revision(env):
    result = CliRunner().invoke(main, ["migrate"], env=env)
    assert result.exit_code == 0 and "database at revision" in result.output


def test_serve_refuses_an_old_postgresql_schema(tmp_path):
    from sqlalchemy import make_url

    from tests.conftest import pg_schema

    if not PG_URL:
        pytest.skip("needs GONGZHI_TEST_DATABASE_URL")
    with pg_schema(PG_URL) as schema:  # an empty schema: no migration has run
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        result = CliRunner().invoke(
            main,
            ["serve"],
            env={
                "GONGZHI_VAR_DIR": str(tmp_path),
                "GONGZHI_DATABASE_URL": url.render_as_string(hide_password=False),
            },
        )
    assert result.exit_code != 0 and "run `gongzhi migrate` first" in result.output
