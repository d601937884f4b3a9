"""The public face of mediation: how many cases of each kind ended how, per year, and nothing more.

Counts of one or two are never shown (they are "fewer than 3"), so a rare kind of dispute in a small
community does not point at a family. No totals are shown either: a total beside suppressed cells
would give them away by subtraction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from deliberation.mediation.models import Dispute, DisputeKind, Outcome

MIN_SHOWN = 3
COLUMNS: tuple[Outcome | None, ...] = (None, *Outcome)  # None: still open
COUNTS = (
    select(Dispute.filed_year, Dispute.kind, Dispute.outcome, func.count())
    .group_by(Dispute.filed_year, Dispute.kind, Dispute.outcome)
    .order_by(Dispute.filed_year.desc())
)


def shown(count: int) -> int | None:
    """The count as it may be published: ``None`` stands for one or two."""
    return None if 0 < count < MIN_SHOWN else count


@dataclass(frozen=True)
class YearCounts:
    """One year's table: for each kind, the published count per outcome (``None`` for still open)."""

    year: int
    rows: list[tuple[DisputeKind, list[int | None]]]


def yearly_counts(session: Session) -> list[YearCounts]:
    """Cases by the year they were filed, kind and outcome, newest year first; small counts hidden."""
    raw: dict[int, dict[tuple[DisputeKind, Outcome | None], int]] = {}
    for year, kind, outcome, count in session.execute(COUNTS):
        raw.setdefault(year, {})[(kind, outcome)] = count
    return [
        YearCounts(
            year,
            [(kind, [shown(cells.get((kind, outcome), 0)) for outcome in COLUMNS]) for kind in DisputeKind],
        )
        for year, cells in raw.items()
    ]
