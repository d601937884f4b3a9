"""The grid's blocks on the home page: the cells, and the cases."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accounts.models import User
from grid import cases
from grid.cells import count_cells
from grid.residents import home_cell


def home_summary(session: Session, viewer: User | None) -> dict[str, Any]:
    """How many cells the city has, and the viewer's own cell if they chose one."""
    return {
        "cell_count": count_cells(session),
        "home": home_cell(session, viewer.id) if viewer is not None else None,
    }


def cases_summary(session: Session, viewer: User | None) -> dict[str, Any]:
    """Recently closed cases that residents raised or agreed on, and the viewer's own open ones."""
    mine = cases.followed_by(session, viewer.id, limit=3) if viewer is not None else []
    return {"closed": cases.recently_closed(session), "mine": [c for c in mine if c.state.is_open]}
