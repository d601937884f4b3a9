"""Boards (版块): one per grid cell, made when the cell is, and city-wide theme boards admins add."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import require_admin
from core import audit, clock, events
from core.db import rows_as
from core.errors import N_, FieldErrors, NotFound
from deliberation.forums.models import Board, BoardKind
from grid.cells import CellAdded, list_cells
from grid.models import GridCell

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}$")


@dataclass(frozen=True)
class BoardSummary:
    """A board as the list of boards and a board's own page show it."""

    id: int
    slug: str
    kind: BoardKind
    title: str
    description: str
    thread_count: int
    last_activity_at: datetime | None
    cell_code: str | None
    street: str | None
    community: str | None


COLUMNS = (
    Board.id,
    Board.slug,
    Board.kind,
    Board.title,
    Board.description,
    Board.thread_count,
    Board.last_activity_at,
    Board.cell_code,
    GridCell.street,
    GridCell.community,
)
ALL = (
    select(*COLUMNS)
    .outerjoin(GridCell, GridCell.code == Board.cell_code)
    .order_by(Board.kind.desc(), Board.position, Board.cell_code)
)  # themes ("theme" > "cell") first, then cells west to east
BY_SLUG = (
    select(*COLUMNS)
    .outerjoin(GridCell, GridCell.code == Board.cell_code)
    .where(Board.slug == bindparam("slug"))
)


def list_boards(session: Session) -> list[BoardSummary]:
    """Every board: the themes first, then one per grid cell in code order."""
    return rows_as(BoardSummary, session.execute(ALL))


def board_by_slug(session: Session, slug: str) -> BoardSummary:
    """One board, or ``NotFound``."""
    found = rows_as(BoardSummary, session.execute(BY_SLUG, {"slug": slug}))
    if not found:
        raise NotFound()
    return found[0]


def open_cell_board(session: Session, cell_code: str, cell_name: str) -> Board:
    """The board of a grid cell, made if it is missing (idempotent: the demo and the event both call it)."""
    board = session.scalar(select(Board).where(Board.cell_code == cell_code))
    if board is None:
        board = Board(
            slug=cell_code,
            kind=BoardKind.cell,
            cell_code=cell_code,
            title=cell_name,
            description="",
            created_at=clock.now(),
        )
        session.add(board)
    return board


def open_theme_board(session: Session, slug: str, title: str, description: str = "") -> Board:
    """A theme board the site itself needs (the consultations' city-wide board), made once."""
    board = session.scalar(select(Board).where(Board.slug == slug))
    if board is None:
        board = Board(
            slug=slug, kind=BoardKind.theme, title=title, description=description, created_at=clock.now()
        )
        session.add(board)
    return board


def open_cell_boards(session: Session) -> int:
    """A board for every grid cell that has none yet; how many were made."""
    existing = set(session.scalars(select(Board.cell_code).where(Board.cell_code.is_not(None))))
    made = [open_cell_board(session, c.code, c.name) for c in list_cells(session) if c.code not in existing]
    return len(made)


def add_theme_board(
    session: Session, actor: User | None, *, slug: str, title: str, description: str = ""
) -> Board:
    """A city-wide theme board (市容环境, 停车 …): admins only; ``Invalid`` names what is wrong."""
    admin = require_admin(actor)
    errors = FieldErrors()
    if not SLUG_RE.match(slug):
        errors.add("slug", N_("Use 2 to 39 lowercase letters, digits and hyphens, starting with a letter."))
    if not 1 <= len(title.strip()) <= 80:
        errors.add("title", N_("A title has 1 to 80 characters."))
    if len(description) > 2000:
        errors.add("description", N_("A description has at most %(max)s characters."), max=2000)
    errors.raise_if_any()
    position = (
        session.scalar(select(func.max(Board.position)).where(Board.kind == BoardKind.theme)) or 0
    ) + 1
    board = Board(
        slug=slug,
        kind=BoardKind.theme,
        title=title.strip(),
        description=description.strip(),
        position=position,
        created_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(board)
    except IntegrityError:
        errors.add("slug", N_("A board with this address exists already."))
        errors.raise_if_any()
    audit.record(session, admin, "forum_board.add", "forum_board", board.id, slug=slug)
    return board


def _board_for_new_cell(session: Session, event: CellAdded) -> None:
    open_cell_board(session, event.code, event.name)


events.subscribe(CellAdded, _board_for_new_cell)
