"""The grid's block on the home page."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accounts.models import User
from grid.cells import count_cells
from grid.residents import home_cell


def home_summary(session: Session, viewer: User | None) -> dict[str, Any]:
    """How many cells the city has, and the viewer's own cell if they chose one."""
    return {
        "cell_count": count_cells(session),
        "home": home_cell(session, viewer.id) if viewer is not None else None,
    }
