"""`gongzhi backup` and `gongzhi restore` on SQLite: a round trip brings every row and file back exactly.

The demo city is built, backed up, then damaged (rows changed and deleted, files rewritten, removed
and added); restore refuses to overwrite it without --force, and with it every table, row and file
byte is back as it was and the search index is rebuilt to match.
"""

import json
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from core import backup as backups
from core.db import Sessions, make_engine, run_write
from core.settings import Settings
from tests.web.test_cli import env as env  # the fixture: a var dir of its own, SQLite
from web.cli import main


def database(tmp_path: Path) -> Path:
    return tmp_path / "gongzhi.sqlite3"


def everything(tmp_path: Path) -> tuple[dict[str, list[tuple]], dict[str, bytes]]:
    """Every row of every table, and every uploaded file's bytes by its path."""
    with sqlite3.connect(database(tmp_path)) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = {t: sorted(connection.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}  # noqa: S608 (names from sqlite_master)
    uploads = tmp_path / "uploads"
    files = {str(p.relative_to(uploads)): p.read_bytes() for p in uploads.rglob("*") if p.is_file()}
    return rows, files


def run(env, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env=env)


def test_backup_and_restore_bring_every_row_and_file_back(env, tmp_path):
    assert run(env, "demo").exit_code == 0
    rows, files = everything(tmp_path)
    assert files and rows["users"] and rows["forum_posts"]  # there is something to lose
    saved = run(env, "backup", str(tmp_path / "saved"))
    assert saved.exit_code == 0, saved.output
    assert f"{len(files)} files" in saved.output
    manifest = json.loads((tmp_path / "saved" / "manifest.json").read_text())
    assert manifest["tables"] == {t: len(r) for t, r in rows.items()}

    with sqlite3.connect(database(tmp_path)) as connection:  # the damage
        connection.execute("UPDATE users SET display_name = '被改掉了'")
        connection.execute("DELETE FROM notifications")
        connection.execute("DELETE FROM search_feed")
    some = next(iter(files))
    (tmp_path / "uploads" / some).write_bytes(b"overwritten")
    (tmp_path / "uploads" / "stray.txt").write_bytes(b"not in the backup")
    damaged = everything(tmp_path)

    refused = run(env, "restore", str(tmp_path / "saved"))
    assert refused.exit_code != 0 and "already holds data" in refused.output and "--force" in refused.output
    assert everything(tmp_path) == damaged  # refused: nothing touched

    restored = run(env, "restore", str(tmp_path / "saved"), "--force")
    assert restored.exit_code == 0, restored.output
    assert "search index: rebuilt" in restored.output
    assert everything(tmp_path) == (rows, files)
    check = run(env, "reindex", "--check")
    assert check.exit_code == 0 and "matches the database" in check.output, check.output


def test_restore_into_a_new_site_needs_no_force(env, tmp_path):
    assert run(env, "demo").exit_code == 0
    assert run(env, "backup", str(tmp_path / "saved")).exit_code == 0
    before = everything(tmp_path)
    elsewhere = tmp_path / "new-host"
    elsewhere.mkdir()
    other = env | {"GONGZHI_VAR_DIR": str(elsewhere)}
    assert run(other, "migrate").exit_code == 0  # migrated but empty (only the seeded taxonomy)
    restored = run(other, "restore", str(tmp_path / "saved"))
    assert restored.exit_code == 0, restored.output
    assert everything(elsewhere) == before


def test_restore_refuses_a_backup_from_an_unknown_schema_revision(env, tmp_path):
    assert run(env, "migrate").exit_code == 0
    assert run(env, "backup", str(tmp_path / "saved")).exit_code == 0
    with sqlite3.connect(tmp_path / "saved" / "gongzhi.sqlite3") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    manifest = tmp_path / "saved" / "manifest.json"
    manifest.write_text(json.dumps(json.loads(manifest.read_text()) | {"revision": "9999_from_the_future"}))
    refused = run(env, "restore", str(tmp_path / "saved"), "--force")
    assert (
        refused.exit_code != 0
        and "9999_from_the_future" in refused.output
        and "newer version" in refused.output
    )


def test_restore_refuses_a_manifest_that_does_not_match_its_database(env, tmp_path):
    assert run(env, "migrate").exit_code == 0
    assert run(env, "backup", str(tmp_path / "saved")).exit_code == 0
    with sqlite3.connect(tmp_path / "saved" / "gongzhi.sqlite3") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
    refused = run(env, "restore", str(tmp_path / "saved"), "--force")
    assert refused.exit_code != 0 and "its manifest says" in refused.output
    assert run(env, "restore", str(tmp_path / "nowhere")).exit_code != 0


def test_backup_refuses_an_existing_folder_and_leaves_no_partial_one(env, tmp_path):
    assert run(env, "migrate").exit_code == 0
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "a.txt").write_text("keep me")
    refused = run(env, "backup", str(tmp_path / "taken"))
    assert refused.exit_code != 0 and "not empty" in refused.output
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["a.txt"]
    assert not list(tmp_path.glob(".*partial"))


def test_backup_on_postgresql_names_pg_dump(env, tmp_path):
    pg = env | {"GONGZHI_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/nothing"}
    for command in (["backup", str(tmp_path / "b")], ["restore", str(tmp_path)]):
        answer = run(pg, *command)
        assert answer.exit_code != 0 and "pg_dump -Fc" in answer.output and "pg_restore" in answer.output


def test_an_online_backup_while_writes_commit_is_a_consistent_copy(env, tmp_path):
    assert run(env, "migrate").exit_code == 0
    engine = make_engine(Settings.from_env(env))
    sessions, stop, committed = Sessions(engine), threading.Event(), []

    def write() -> None:  # the site serving meanwhile: a row a commit, as fast as it goes
        while not stop.is_set():
            n = len(committed)
            run_write(
                sessions,
                lambda s, n=n: s.execute(
                    text(
                        "INSERT INTO search_feed (kind, object_id, created_at) VALUES ('forum_post', :n, :t)"
                    ),
                    {"n": n, "t": "2026-01-01 00:00:00"},
                ),
            )
            committed.append(n)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(committed) < 50:
            stop.wait(0.01)
        manifest = backups.backup(
            Settings.from_env(env).database_url, tmp_path / "uploads", tmp_path / "saved"
        )
        during = len(committed)
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    with sqlite3.connect(tmp_path / "saved" / "gongzhi.sqlite3") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        ids = sorted(r[0] for r in copy.execute("SELECT object_id FROM search_feed"))
    assert ids == list(range(len(ids)))  # a prefix of the commits, none half there
    assert 50 <= len(ids) <= during + 1 and manifest.tables["search_feed"] == len(ids)
    shutil.rmtree(tmp_path / "saved")


@pytest.mark.parametrize("name", ["gongzhi.sqlite3", "manifest.json"])
def test_restore_refuses_a_folder_missing_part_of_a_backup(env, tmp_path, name):
    assert run(env, "migrate").exit_code == 0
    assert run(env, "backup", str(tmp_path / "saved")).exit_code == 0
    (tmp_path / "saved" / name).unlink()
    refused = run(env, "restore", str(tmp_path / "saved"), "--force")
    assert refused.exit_code != 0 and "Traceback" not in refused.output
