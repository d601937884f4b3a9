"""The deliberation committee's monthly mock assessment of each grid cell (群议委每月模拟考核): every
member gives a cell a score from 0 to 100 for a month, with a comment; the cell's score is the average.

A member may score the current month and the twelve before it; scoring a cell again for the same
month replaces that member's earlier score (the total follows at once: the average is taken on read).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import is_committee_member
from core import audit, clock
from core.db import rows_as
from core.errors import N_, Conflict, FieldErrors, PermissionDenied
from core.numbers import whole_number
from grid.assessment import month_of, parse_month, shift
from grid.cells import find_cell
from grid.models import CommitteeScore, GridCell

COMMENT_MAX = 1000
OPEN_MONTHS = 13  # the current month and the twelve before it


def can_score(actor: User | None) -> bool:
    """Committee members (群议委委员, the chair among them) score the cells."""
    return is_committee_member(actor)


def open_months(now: datetime) -> list[str]:
    """The months a member may score now, newest first."""
    current = month_of(now)
    return [shift(current, -i) for i in range(OPEN_MONTHS)]


def _score(errors: FieldErrors, text: str) -> int | None:
    score = whole_number(text)
    if score is None or not 0 <= score <= 100:
        errors.add("score", N_("Give a whole number from 0 to 100."))
        return None
    return score


def score_cell(
    session: Session, actor: User | None, *, month: str, cell_code: str, score: str, comment: str
) -> CommitteeScore:
    """Record the actor's score of a cell for a month (模拟考核评分), replacing their earlier one.

    ``Invalid`` names every wrong field before anything is written.
    """
    if not can_score(actor):
        raise PermissionDenied()
    assert actor is not None
    errors = FieldErrors()
    if parse_month(month) is None or month not in open_months(clock.now()):
        errors.add("month", N_("Choose the current month or one of the twelve before it."))
    cell = find_cell(session, cell_code.strip())
    if cell is None:
        errors.add("cell_code", N_("Choose a grid cell from the list."))
    value = _score(errors, score)
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        errors.add("comment", N_("At most %(max)s characters."), max=COMMENT_MAX)
    errors.raise_if_any()
    assert cell is not None and value is not None
    return _keep(session, actor, month, cell, value, comment)


def _keep(
    session: Session, actor: User, month: str, cell: GridCell, value: int, comment: str
) -> CommitteeScore:
    now = clock.now()
    mine = select(CommitteeScore).where(
        CommitteeScore.month == month, CommitteeScore.cell_id == cell.id, CommitteeScore.member_id == actor.id
    )
    found = session.scalar(mine.with_for_update())
    if found is None:
        found = CommitteeScore(month=month, cell_id=cell.id, member_id=actor.id, created_at=now)
        try:
            with session.begin_nested():  # the same member's second tab saving at once
                found.score, found.comment, found.updated_at = value, comment, now
                session.add(found)
        except IntegrityError:
            raise Conflict(N_("Your score was saved from elsewhere meanwhile. Reload the page.")) from None
    else:
        found.score, found.comment, found.updated_at = value, comment, now
    audit.record(session, actor, "assessment.score", "grid_cell", cell.id, month=month, score=value)
    return found


@dataclass(frozen=True)
class ScoreRow:
    """A score as the score page lists it."""

    cell_code: str
    cell_name: str
    member_name: str
    score: int
    comment: str
    updated_at: datetime


def scores_for_month(session: Session, month: str) -> list[ScoreRow]:
    """Every member's scores for ``month``, by cell then member."""
    statement = (
        select(
            GridCell.code,
            GridCell.name,
            func.coalesce(func.nullif(User.display_name, ""), User.username),
            CommitteeScore.score,
            CommitteeScore.comment,
            CommitteeScore.updated_at,
        )
        .join(GridCell, GridCell.id == CommitteeScore.cell_id)
        .join(User, User.id == CommitteeScore.member_id)
        .where(CommitteeScore.month == month)
        .order_by(GridCell.code, User.username)
    )
    return rows_as(ScoreRow, session.execute(statement))
