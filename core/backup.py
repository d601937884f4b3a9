"""`gongzhi backup` and `gongzhi restore` on SQLite: the database and the uploaded files, in one folder.

A backup folder holds ``gongzhi.sqlite3`` (SQLite's online backup API: a consistent copy taken while
the site serves, since WAL readers never wait for writers), ``uploads/`` (the upload folder as it was
just after the copy: files are stored once under their content hash and never rewritten, so every
file the copy names is there; a later one is merely unreferenced) and ``manifest.json`` (the schema
revision and each table's row count). It is written under a temporary name and renamed when
complete, so a folder with that name is never half a backup. The search index is not kept: it is
rebuilt from the database after a restore.

PostgreSQL is backed up with its own tools (``pg_dump -Fc``, ``pg_restore``); both commands say so.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

FORMAT = 1
DATABASE = "gongzhi.sqlite3"
FILES = "uploads"
MANIFEST = "manifest.json"
# rows a freshly migrated database already holds (0011 seeds the case taxonomy): not "data"
SEEDED = frozenset({"alembic_version", "grid_case_classes"})

POSTGRES_HINT = (
    "this database is PostgreSQL: back it up with its own tools, e.g. "
    "`pg_dump -Fc -d DATABASE_URL -f gongzhi.dump` and `pg_restore --clean --if-exists -d DATABASE_URL "
    "gongzhi.dump`, and copy the upload folder ({uploads}) beside the dump; then run `gongzhi reindex`"
)


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    revision: str
    tables: dict[str, int]
    files: int
    file_bytes: int
    created_at: str
    format: int = FORMAT


def sqlite_file(database_url: str, uploads: Path) -> Path:
    """The database file of a SQLite URL; ``BackupError`` naming pg_dump for anything else."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(POSTGRES_HINT.format(uploads=uploads))
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return Path(url.database)


def backup(database_url: str, uploads: Path, target: Path) -> Manifest:
    """Copy the live database and the upload folder into the new folder ``target``."""
    source = sqlite_file(database_url, uploads)
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not empty: choose a new folder")
    partial = target.with_name(f".{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        with _connect(source) as live, _connect(partial / DATABASE) as copy:
            live.backup(copy)  # one step: a consistent snapshot, writers go on meanwhile (WAL)
        if uploads.is_dir():
            shutil.copytree(uploads, partial / FILES)
        else:
            (partial / FILES).mkdir()
        manifest = _describe(partial)
        (partial / MANIFEST).write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=1))
        if target.exists():
            target.rmdir()  # empty, checked above
        os.rename(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def read_manifest(folder: Path) -> Manifest:
    """The backup's manifest, checked against the database it describes."""
    try:
        data = json.loads((folder / MANIFEST).read_text())
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError) as error:
        raise BackupError(f"{folder} is not a gongzhi backup (no readable {MANIFEST}: {error})") from None
    if manifest.format != FORMAT:
        raise BackupError(f"backup format {manifest.format} is not one this version reads ({FORMAT})")
    if not (folder / DATABASE).is_file():
        raise BackupError(f"{folder} has no {DATABASE}")
    found = _revision(folder / DATABASE)
    if found != manifest.revision:
        raise BackupError(f"the backup's database is at {found}, its manifest says {manifest.revision}")
    return manifest


def holds_data(database: Path) -> bool:
    """True when the database has rows beyond what migrating an empty one puts there."""
    if not database.exists():
        return False
    with _connect(database) as connection:
        return any(count for table, count in _counts(connection).items() if table not in SEEDED)


def restore(
    database_url: str, uploads: Path, folder: Path, *, known_revisions: set[str], force: bool = False
) -> Manifest:
    """Replace the database and the upload folder with the backup in ``folder``.

    Refuses a backup from a schema this code does not know (a newer version made it) and, without
    ``force``, a database that already holds data. The site must be stopped meanwhile.
    """
    target = sqlite_file(database_url, uploads)
    manifest = read_manifest(folder)
    if manifest.revision not in known_revisions:
        raise BackupError(
            f"the backup is at schema revision {manifest.revision}, which this version of gongzhi does "
            "not know (a newer version made it): restore it with that version"
        )
    if holds_data(target) and not force:
        raise BackupError(
            f"the database at {target} already holds data: restoring replaces all of it; "
            "stop the site and add --force if that is what you want"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with _connect(folder / DATABASE) as saved, _connect(target) as live:
        saved.backup(live)  # page by page into the live file, under its lock: no half-copied state
    with _connect(target) as live:
        restored = _counts(live)
    if restored != manifest.tables:
        raise BackupError(f"the restored database differs from the manifest: {restored} != {manifest.tables}")
    _replace_folder(folder / FILES, uploads)
    return manifest


def _replace_folder(source: Path, target: Path) -> None:
    """Make ``target`` a copy of ``source``: copied beside it first, then swapped in by renames."""
    incoming = target.with_name(f".{target.name}.restoring")
    outgoing = target.with_name(f".{target.name}.replaced")
    for leftover in (incoming, outgoing):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(source, incoming) if source.is_dir() else incoming.mkdir(parents=True)
    if target.exists():
        os.rename(target, outgoing)
    os.rename(incoming, target)
    shutil.rmtree(outgoing, ignore_errors=True)


def _describe(folder: Path) -> Manifest:
    with _connect(folder / DATABASE) as copy:
        tables = _counts(copy)
    files = [p for p in (folder / FILES).rglob("*") if p.is_file()]
    return Manifest(
        revision=_revision(folder / DATABASE),
        tables=tables,
        files=len(files),
        file_bytes=sum(p.stat().st_size for p in files),
        created_at=datetime.now().astimezone().isoformat(timespec="seconds"),
    )


def _revision(database: Path) -> str:
    with _connect(database) as connection:
        try:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.DatabaseError:
            raise BackupError(f"{database} is not a migrated gongzhi database") from None
    if len(rows) != 1:
        raise BackupError(f"{database} has {len(rows)} schema revisions, expected one")
    return str(rows[0][0])


def _counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    # the names come from sqlite_master itself, quoted: nothing from outside reaches the SQL
    return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path, timeout=30)) as connection:
        yield connection
