"""The monthly grid assessment (月度网格考核): per grid cell and per department, for each Asia/Shanghai
month, the indicators cities publish, and the total out of 100 that the seeds describe.

Definitions (month M runs from local midnight on its first day to local midnight on the next month's):

- A case is **due in M** when it has a cell (it was registered, 立案) and its due date *as it stood at
  M's end* falls in M: the due date of its latest step before M's end that set one (立案, 派遣 with a
  date, an approved 延期). So each case is assessed in one month, an extension moves it to the month
  it was moved into, and recomputing a month later gives the same figures. Rejected cases (不予立案)
  never have a due date.
- **结案率** = closed / due: of the cases due in M, those closed (结案) before M's end.
- **按期结案率** = closed on time / due: of those, the ones closed by their due date.
- **返工率** = failed verifications / verifications: the 核查 decisions made in M (passed or sent back),
  and of those the ones sent back (返工); counted by the month they were made in.
- **延期率** = extended / due: cases due in M with an extension approved before M's end.
- **反馈率** = fed back / handled: cases reported handled (处置反馈) in M, and of those the ones whose
  result was told to their reporter or a follower in M (the in-app notice asking them to confirm).
  A case with nobody to tell (a patrol's own find) counts as handled and not fed back.
- **committee score**: the average of the scores committee members gave the cell for M (0 to 100).
- **total** = 70% × 问题解决率 × 100 + 30% × committee score, where 问题解决率 is 结案率, or 按期结案率
  when the site setting ``assessment.resolution_rate`` is ``on_time``. A cell with nothing due, or
  not yet scored by the committee, has no total and is ranked after those that have one.

A department gets the same indicators over the cases dispatched to it (its current dispatch), without
the committee's score or a total. The monthly job computes every complete month it lacks, once each
(after downtime it catches up); committee scores are averaged when read, so a late score counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import Notification
from core import clock
from core.db import Sessions, rows_as, run_write
from core.errors import N_
from core.jobs import JobContext, handler
from core.schedules import MonthlyOn, every
from core.site_settings import Definition, define
from core.site_settings import get as setting
from grid.models import (
    AssessedMonth,
    Case,
    CaseStep,
    CellAssessment,
    CommitteeScore,
    Department,
    DepartmentAssessment,
    Extension,
    GridCell,
    Indicators,
)

ASSESS_JOB = "grid.assess_months"
RESOLUTION_SETTING = "assessment.resolution_rate"
RESOLUTION_BASES = ("closed", "on_time")
RESOLUTION_WEIGHT, COMMITTEE_WEIGHT = 0.7, 0.3
TREND_MONTHS = 12
COUNTS = (
    "due",
    "closed",
    "closed_on_time",
    "extended",
    "verifications",
    "failed_verifications",
    "handled",
    "fed_back",
)


def _basis(text: str) -> str:
    if text not in RESOLUTION_BASES:
        raise ValueError(text)
    return text


define(
    Definition(
        RESOLUTION_SETTING,
        "closed",
        _basis,
        N_("Problem-resolution rate in the grid assessment: closed (结案率) or on_time (按期结案率)"),
        N_("closed counts every case closed by the month's end; on_time only those closed by their due date"),
    )
)


# --- months ----------------------------------------------------------------------------------------


def parse_month(text: str) -> str | None:
    """``YYYY-MM`` as given, when it names a real month from 2000 on; else None."""
    if len(text) != 7 or text[4] != "-" or not (text[:4].isdecimal() and text[5:].isdecimal()):
        return None
    return text if int(text[:4]) >= 2000 and 1 <= int(text[5:]) <= 12 else None


def month_of(moment: datetime) -> str:
    """The Asia/Shanghai month ``moment`` falls in."""
    return clock.local(moment).strftime("%Y-%m")


def shift(month: str, months: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def bounds(month: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in UTC."""

    def start(m: str) -> datetime:
        return clock.from_local(datetime(int(m[:4]), int(m[5:]), 1)).astimezone(UTC)

    return start(month), start(shift(month, 1))


def span(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included."""
    months = []
    while first <= last:
        months.append(first)
        first = shift(first, 1)
    return months


# --- computing a month -----------------------------------------------------------------------------


@dataclass
class Tally:
    due: int = 0
    closed: int = 0
    closed_on_time: int = 0
    extended: int = 0
    verifications: int = 0
    failed_verifications: int = 0
    handled: int = 0
    fed_back: int = 0


@dataclass(frozen=True)
class DueCase:
    case_id: int
    cell_id: int
    department_id: int | None
    due_at: datetime
    closed_at: datetime | None


def due_cases(session: Session, month: str) -> list[DueCase]:
    """The cases due in ``month``, by their due date as it stood at the month's end (module docstring)."""
    start, end = bounds(month)
    latest = (
        select(CaseStep.case_id, func.max(CaseStep.id).label("step_id"))
        .where(CaseStep.due_at.is_not(None), CaseStep.at < end)
        .group_by(CaseStep.case_id)
        .subquery()
    )
    rows = session.execute(
        select(Case.id, Case.cell_id, Case.department_id, CaseStep.due_at, Case.closed_at)
        .join(latest, latest.c.case_id == Case.id)
        .join(CaseStep, CaseStep.id == latest.c.step_id)
        .where(Case.cell_id.is_not(None), CaseStep.due_at >= start, CaseStep.due_at < end)
    )
    return rows_as(DueCase, rows)


def _extended(session: Session, case_ids: list[int], end: datetime) -> set[int]:
    if not case_ids:
        return set()
    return set(
        session.scalars(
            select(Extension.case_id).where(
                Extension.case_id.in_(case_ids), Extension.approved.is_(True), Extension.decided_at < end
            )
        )
    )


def _steps(session: Session, month: str, actions: tuple[str, ...]) -> list[Any]:
    start, end = bounds(month)
    return list(
        session.execute(
            select(CaseStep.case_id, CaseStep.action, Case.cell_id, Case.department_id)
            .join(Case, Case.id == CaseStep.case_id)
            .where(CaseStep.action.in_(actions), CaseStep.at >= start, CaseStep.at < end)
            .where(Case.cell_id.is_not(None))
        )
    )


def _told(session: Session, case_ids: set[int], month: str) -> set[int]:
    """Cases whose handling a follower was told of in the month (the 核查 question, case_confirm)."""
    if not case_ids:
        return set()
    start, end = bounds(month)
    told = session.scalars(
        select(Notification.target_id).where(
            Notification.kind == "case_confirm",
            Notification.target_kind == "grid_case",
            Notification.target_id.in_([str(i) for i in case_ids]),
            Notification.created_at >= start,
            Notification.created_at < end,
        )
    )
    return {int(target) for target in told}


def tally(session: Session, month: str) -> tuple[dict[int, Tally], dict[int, Tally]]:
    """Every cell's and department's counts for ``month``, by cell id and department id."""
    _, end = bounds(month)
    cells: dict[int, Tally] = defaultdict(Tally)
    departments: dict[int, Tally] = defaultdict(Tally)

    def each(cell_id: int, department_id: int | None) -> Iterable[Tally]:
        yield cells[cell_id]
        if department_id is not None:
            yield departments[department_id]

    due = due_cases(session, month)
    extended = _extended(session, [c.case_id for c in due], end)
    for case in due:
        closed = case.closed_at is not None and case.closed_at < end
        for t in each(case.cell_id, case.department_id):
            t.due += 1
            t.closed += closed
            t.closed_on_time += closed and case.closed_at <= case.due_at  # type: ignore[operator]
            t.extended += case.case_id in extended
    for step in _steps(session, month, ("pass", "rework")):
        for t in each(step.cell_id, step.department_id):
            t.verifications += 1
            t.failed_verifications += step.action == "rework"
    handled = {step.case_id: step for step in _steps(session, month, ("handle",))}
    told = _told(session, set(handled), month)
    for case_id, step in handled.items():
        for t in each(step.cell_id, step.department_id):
            t.handled += 1
            t.fed_back += case_id in told
    return cells, departments


def assess_month(session: Session, month: str) -> bool:
    """Compute and keep ``month``'s assessment for every cell and department, once; False if it was."""
    if session.get(AssessedMonth, month) is not None:
        return False
    try:
        with session.begin_nested():  # another worker computing the same month meanwhile: one wins
            session.add(AssessedMonth(month=month, computed_at=clock.now()))
    except IntegrityError:
        return False
    cells, departments = tally(session, month)
    for cell_id in session.scalars(select(GridCell.id)):
        session.add(CellAssessment(month=month, cell_id=cell_id, **vars(cells.get(cell_id, Tally()))))
    for department_id in session.scalars(select(Department.id)):
        counts = vars(departments.get(department_id, Tally()))
        session.add(DepartmentAssessment(month=month, department_id=department_id, **counts))
    return True


def months_lacking(session: Session, now: datetime) -> list[str]:
    """Complete months since the first case that have no assessment yet, oldest first."""
    first_case = session.scalar(select(func.min(Case.created_at)))
    if first_case is None:
        return []
    done = set(session.scalars(select(AssessedMonth.month)))
    return [m for m in span(month_of(first_case), shift(month_of(now), -1)) if m not in done]


def catch_up(
    sessions: Sessions, now: datetime | None = None, *, progress: Callable[[], object] | None = None
) -> list[str]:
    """Compute every complete month that lacks its assessment, each in its own transaction (a catch-up
    cut short keeps the months it finished); returns the months computed."""
    with sessions.read() as session:
        lacking = months_lacking(session, now or clock.now())
    computed = []
    for month in lacking:
        if run_write(sessions, partial(assess_month, month=month)):
            computed.append(month)
        if progress is not None:
            progress()
    return computed


@handler(ASSESS_JOB, timeout=300)
def run_assessment(context: JobContext, payload: dict[str, Any]) -> None:
    """The monthly job (the 1st, 01:00 Beijing time): every month it lacks, however long it was down."""
    catch_up(context.sessions, progress=context.extend_lease)


every(ASSESS_JOB, ASSESS_JOB, MonthlyOn(1, 1, 0))


# --- reading ---------------------------------------------------------------------------------------


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Rates:
    """A month's counts with the rates made of them (None where the denominator is zero)."""

    due: int
    closed: int
    closed_on_time: int
    extended: int
    verifications: int
    failed_verifications: int
    handled: int
    fed_back: int

    @property
    def closure(self) -> float | None:  # 结案率
        return rate(self.closed, self.due)

    @property
    def on_time(self) -> float | None:  # 按期结案率
        return rate(self.closed_on_time, self.due)

    @property
    def rework(self) -> float | None:  # 返工率
        return rate(self.failed_verifications, self.verifications)

    @property
    def extension(self) -> float | None:  # 延期率
        return rate(self.extended, self.due)

    @property
    def feedback(self) -> float | None:  # 反馈率
        return rate(self.fed_back, self.handled)

    def resolution(self, basis: str) -> float | None:
        """问题解决率 on the site's basis."""
        return self.on_time if basis == "on_time" else self.closure


def total(resolution: float | None, committee: float | None) -> float | None:
    """70% × 问题解决率 × 100 + 30% × the committee's score, out of 100; None without both parts."""
    if resolution is None or committee is None:
        return None
    return round(RESOLUTION_WEIGHT * resolution * 100 + COMMITTEE_WEIGHT * committee, 1)


@dataclass(frozen=True)
class CellResult:
    rank: int | None
    cell_id: int
    code: str
    name: str
    rates: Rates
    committee: float | None  # the average score
    scores: int  # how many members scored
    resolution: float | None
    total: float | None


def _rates(row: Any) -> Rates:
    return Rates(*(getattr(row, name) for name in COUNTS))


def _committee(session: Session, months: list[str]) -> dict[tuple[str, int], tuple[float, int]]:
    rows = session.execute(
        select(CommitteeScore.month, CommitteeScore.cell_id, func.avg(CommitteeScore.score), func.count())
        .where(CommitteeScore.month.in_(months))
        .group_by(CommitteeScore.month, CommitteeScore.cell_id)
    )
    return {(month, cell_id): (float(avg), int(n)) for month, cell_id, avg, n in rows}


def _counts(model: type[Indicators]) -> list[Any]:
    return [getattr(model, name) for name in COUNTS]


def is_assessed(session: Session, month: str) -> bool:
    return session.get(AssessedMonth, month) is not None


def assessed_months(session: Session) -> list[str]:
    """The months with an assessment, newest first."""
    return list(session.scalars(select(AssessedMonth.month).order_by(AssessedMonth.month.desc())))


def ranking(session: Session, month: str, basis: str | None = None) -> list[CellResult]:
    """Every cell's result for ``month``, best total first (cells without a total last, by code);
    ``basis`` is the resolution rate's (the site setting when not given)."""
    basis = basis or resolution_basis(session)
    rows = session.execute(
        select(CellAssessment.cell_id, GridCell.code, GridCell.name, *_counts(CellAssessment))
        .join(GridCell, GridCell.id == CellAssessment.cell_id)
        .where(CellAssessment.month == month)
    ).all()
    committee = _committee(session, [month])
    unranked = []
    for row in rows:
        rates = _rates(row)
        average, count = committee.get((month, row.cell_id), (None, 0))
        resolution = rates.resolution(basis)
        unranked.append((row, rates, average, count, resolution, total(resolution, average)))
    unranked.sort(key=lambda r: (r[5] is None, -(r[5] or 0), r[0].code))
    return [
        CellResult(i + 1 if t is not None else None, row.cell_id, row.code, row.name, rates, avg, n, res, t)
        for i, (row, rates, avg, n, res, t) in enumerate(unranked)
    ]


def trends(
    session: Session, month: str, basis: str | None = None
) -> dict[int, list[tuple[str, float | None]]]:
    """Each cell's total for the twelve months up to ``month``, oldest first (None where it has none)."""
    months = span(shift(month, 1 - TREND_MONTHS), month)
    basis = basis or resolution_basis(session)
    rows = session.execute(
        select(CellAssessment.month, CellAssessment.cell_id, *_counts(CellAssessment)).where(
            CellAssessment.month.in_(months)
        )
    ).all()
    committee = _committee(session, months)
    found: dict[int, dict[str, float | None]] = defaultdict(dict)
    for row in rows:
        average = committee.get((row.month, row.cell_id), (None, 0))[0]
        found[row.cell_id][row.month] = total(_rates(row).resolution(basis), average)
    return {cell_id: [(m, totals.get(m)) for m in months] for cell_id, totals in found.items()}


@dataclass(frozen=True)
class DepartmentResult:
    department_id: int
    name: str
    rates: Rates


def department_results(session: Session, month: str) -> list[DepartmentResult]:
    """Each department's indicators for ``month``, those with cases first, by name."""
    rows = session.execute(
        select(DepartmentAssessment.department_id, Department.name, *_counts(DepartmentAssessment))
        .join(Department, Department.id == DepartmentAssessment.department_id)
        .where(DepartmentAssessment.month == month)
        .order_by(Department.name)
    ).all()
    results = [DepartmentResult(row.department_id, row.name, _rates(row)) for row in rows]
    return sorted(results, key=lambda d: d.rates.due + d.rates.verifications + d.rates.handled == 0)


def resolution_basis(session: Session) -> str:
    return str(setting(session, RESOLUTION_SETTING))
