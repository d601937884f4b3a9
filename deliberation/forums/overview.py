"""The forums' area on the home page: the newest activity in the viewer's grid cell and city-wide."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accounts.models import User
from deliberation.forums.threads import recent_threads
from grid.residents import home_cell


def home_summary(session: Session, viewer: User | None) -> dict[str, Any]:
    """Five threads with the newest activity city-wide, and five on the viewer's own cell's board."""
    cell = home_cell(session, viewer.id) if viewer is not None else None
    return {
        "city": recent_threads(session, limit=5),
        "cell": cell,
        "cell_slug": cell.code if cell else None,  # a cell's board is addressed by the cell's code
        "cell_threads": recent_threads(session, cell_code=cell.code, limit=5) if cell else [],
    }
