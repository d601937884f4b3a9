"""The `gongzhi` commands against a database of their own (they commit), and the merge report."""

import json

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


def test_demo_scale_city_builds_a_fraction_once_and_the_index_matches(env, tmp_path):
    runner = CliRunner()
    built = runner.invoke(main, ["demo", "--scale", "city", "--fraction", "0.002"], env=env)
    assert built.exit_code == 0, built.output
    assert (
        "city: residents: 100 residents" in built.output
        and "city: forums: 4 threads, 200 posts" in built.output
    )
    assert "city data (0.002 of the city): built in" in built.output
    assert counts(tmp_path)[1] > 100
    check = runner.invoke(main, ["reindex", "--check"], env=env)
    assert check.exit_code == 0 and "the search index matches the database" in check.output, check.output
    again = runner.invoke(main, ["demo", "--scale", "city", "--fraction", "0.002"], env=env)
    assert "city data: already built, nothing added" in again.output, again.output
    bad = runner.invoke(main, ["demo", "--scale", "city", "--fraction", "2"], env=env)
    assert bad.exit_code == 2 and "--fraction" in bad.output


def test_demo_is_indexed_and_reindex_rebuilds_and_checks(env, tmp_path):
    runner = CliRunner()
    demo = runner.invoke(main, ["demo"], env=env)
    assert "search index: rebuilt" in demo.output, demo.output  # no index yet: built from the database
    again = runner.invoke(main, ["demo"], env=env)
    assert "search index: 0 change(s) applied" in again.output, again.output  # nothing new to follow
    check = runner.invoke(main, ["reindex", "--check"], env=env)
    assert check.exit_code == 0 and "the search index matches the database" in check.output, check.output
    rebuilt = runner.invoke(main, ["reindex"], env=env)
    assert rebuilt.exit_code == 0 and "search index rebuilt" in rebuilt.output, rebuilt.output
    (tmp_path / "index" / "cursor.json").unlink()
    missing = runner.invoke(main, ["reindex", "--check"], env=env)
    assert missing.exit_code == 1 and "missing or unfinished" in missing.output


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


def test_merge_report_prints_the_text_report_or_the_json():
    from tests.deliberation.merging.polis_data import POLIS

    folder = POLIS / "scoop-hivemind.ubi"
    votes, groups = str(folder / "votes.csv"), str(folder / "participants-votes.csv")
    text = CliRunner().invoke(main, ["merge-report", votes, "--groups", groups])
    assert text.exit_code == 0, text.output
    assert "Participants per group" in text.output and "polis-0:" in text.output
    assert "Emergent opinion groups" in text.output
    exported = CliRunner().invoke(main, ["merge-report", votes, "--groups", groups, "--json"])
    assert exported.exit_code == 0, exported.output
    export = json.loads(exported.output)
    assert {"statements", "missing_groups", "emergent"} <= set(export)
    assert export["missing_groups"] == ["government", "community", "served", "resident"]  # Pol.is groups only


def test_merge_report_refuses_a_bad_file_without_a_traceback(tmp_path):
    from tests.deliberation.merging.polis_data import POLIS

    bad = tmp_path / "votes.csv"
    bad.write_text("timestamp,comment-id,voter-id,vote\n1,7,1,yes\n")
    result = CliRunner().invoke(main, ["merge-report", str(bad)])
    assert result.exit_code == 1 and result.exception is not None
    assert "Error: votes.csv, line 2: a vote is 1, -1 or 0, not “yes”." in result.output
    assert "Traceback" not in result.output
    good = POLIS / "london.youth.policing" / "votes.csv"
    missing = CliRunner().invoke(main, ["merge-report", str(good), "--groups", str(tmp_path / "none.csv")])
    assert missing.exit_code == 1 and "none.csv cannot be opened" in missing.output
