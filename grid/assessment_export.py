"""A month's assessment as an Excel workbook (导出考核表): the cells' ranking, and the departments'."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from core.errors import N_
from grid import assessment

Translate = Callable[[str], str]

CELL_HEADINGS = (
    N_("Rank"),
    N_("Cell code"),
    N_("Grid cell"),
    N_("Cases due"),
    N_("Closed"),
    N_("Closed on time"),
    N_("Closure rate (结案率)"),
    N_("On-time closure rate (按期结案率)"),
    N_("Checks"),
    N_("Sent back"),
    N_("Rework rate (返工率)"),
    N_("Extended"),
    N_("Extension rate (延期率)"),
    N_("Handled"),
    N_("Fed back"),
    N_("Feedback rate (反馈率)"),
    N_("Committee score"),
    N_("Committee members scoring"),
    N_("Total"),
)
DEPARTMENT_HEADINGS = (N_("Department"), *CELL_HEADINGS[3:16])


def _percent(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


def _rates(r: assessment.Rates) -> list[Any]:
    return [
        r.due,
        r.closed,
        r.closed_on_time,
        _percent(r.closure),
        _percent(r.on_time),
        r.verifications,
        r.failed_verifications,
        _percent(r.rework),
        r.extended,
        _percent(r.extension),
        r.handled,
        r.fed_back,
        _percent(r.feedback),
    ]


def _safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (a cell named "=HYPERLINK(...)") is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def ranking_xlsx(session: Session, month: str, *, translate: Translate = str) -> bytes:
    """The month's cells in ranking order and its departments, rates in percent."""
    # imported here: openpyxl takes most of a second to import, which every web process would pay
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    cells = book.create_sheet(title=f"{month} cells")
    cells.append([translate(h) for h in CELL_HEADINGS])
    for r in assessment.ranking(session, month, assessment.resolution_basis(session)):
        committee = round(r.committee, 1) if r.committee is not None else None
        row = [r.rank, r.code, r.name, *_rates(r.rates), committee, r.scores, r.total]
        cells.append([_safe(v) for v in row])
    departments = book.create_sheet(title=f"{month} departments")
    departments.append([translate(h) for h in DEPARTMENT_HEADINGS])
    for d in assessment.department_results(session, month):
        departments.append([_safe(v) for v in [d.name, *_rates(d.rates)]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
