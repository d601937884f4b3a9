"""What an attack test compares before and after: every table's rows, and every file under the var folder."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import Base
from web import features

# a refused request still reads the page's viewer; nothing here is written on the way
CHURN = frozenset({"rate_limit_hits"})


def database_state(session: Session) -> dict[str, list[str]]:
    """Every row of every table (those that count every request aside), as sorted text."""
    features.import_all()
    session.expire_all()
    state = {}
    for table in Base.metadata.sorted_tables:
        if table.name in CHURN:
            continue
        state[table.name] = sorted(repr(tuple(row)) for row in session.execute(select(table)))
    return state


def files_under(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}
