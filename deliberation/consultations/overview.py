"""The consultations' area on the home page: the ones open now near the visitor, their cell first."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accounts.models import User
from deliberation.consultations.listing import open_near
from grid.residents import home_cell


def home_summary(session: Session, viewer: User | None) -> dict[str, Any]:
    """Up to five open consultations, the viewer's own cell first, then their community, then the city."""
    cell = home_cell(session, viewer.id) if viewer is not None else None
    near = open_near(session, cell.code if cell else None, (cell.street, cell.community) if cell else None)
    return {"consultations": near, "cell": cell}
