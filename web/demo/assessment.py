"""Demo step of the grid assessment: a year of patrol cases in 清河街道's fourteen cells, worked through
the case workflow at the times they happened, the committee's monthly scores, and each month's
assessment. (A year for all 53 cells, some 640 cases through every step, would make the demo take
minutes; the other streets' cells show in the ranking as not yet assessed.)

The year's cases are opened and moved by the same services as today's, with the clock set to the
moment each step happened (``core.clock`` is the one clock every service reads), so their due dates,
extensions and notices fall where a real year's would. Outcomes come from a fixed hash of the cell
and month, so every run builds the same year, and a year already there is left alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import select

from core import clock
from grid import assessment, cases, deadlines, scores, workflow
from grid.models import Case, CaseClass, CaseSource, ClassKind, CommitteeScore, Department, GridCell
from web.demo import DemoContext

MONTHS = 12
STREET = "清河街道"  # the street whose cells have a year behind them
MEMBERS = ("chen_weiyuan", "zhou_jiaoshou", "wu_laoshi", "zheng_lao")
FOLLOWERS = ("wang_ayi", "liu_daye", "xiao_zhang", "li_shifu", "chenji_shop")
# (class kind, code, what the patrol found); the department is the one that takes the class
FINDINGS = (
    ("component", "0103", "{road}人行道雨水井盖破损"),
    ("component", "0118", "{road}路灯夜间不亮"),
    ("event", "0102", "{road}垃圾箱满溢未清运"),
    ("event", "0201", "{road}电线杆上有小广告"),
    ("event", "0502", "{road}店外占道经营"),
    ("event", "0302", "{road}施工围挡占道"),
)
ROADS = ("人民路", "淮河路", "胜利路", "银河路", "建设路", "光明街", "中和路", "学苑街", "和平路", "花园街")
COMMENTS = (
    "街面整洁，井盖和路灯完好，网格员熟悉辖区情况。",
    "主干道秩序良好，背街小巷仍有堆物，建议加强巡查。",
    "居民反映的问题大多当天回复，值得肯定。",
    "个别店铺门前占道经营反复出现，需要和商户多沟通。",
    "垃圾清运及时，绿化带有零星垃圾。",
    "网格公示栏信息未更新，其余情况良好。",
)


def _hash(*parts: object) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:8], 16)


class DemoClock:
    """The services' clock, set to each step's moment while the year is built."""

    def __init__(self) -> None:
        self.moment = clock.now()

    def now(self) -> datetime:
        self.moment += timedelta(seconds=1)  # steps in one moment still come in order
        return self.moment

    @contextmanager
    def running(self) -> Iterator[None]:
        real: Callable[[], datetime] = clock.now
        clock.now = self.now
        try:
            yield
        finally:
            clock.now = real

    def at(self, moment: datetime) -> None:
        self.moment = moment


def load(ctx: DemoContext) -> None:
    """The year of cases (once), every member's scores, then each month's assessment."""
    for noun in ("assessment cases", "committee scores", "assessed months"):
        ctx.count(noun, 0)
    months = [assessment.shift(assessment.month_of(clock.now()), -i) for i in range(MONTHS, 0, -1)]
    cells = list(
        ctx.session.scalars(select(GridCell).where(GridCell.street == STREET).order_by(GridCell.code))
    )
    if not cells:
        return
    if ctx.session.scalar(select(Case.id).where(Case.source_ref == _ref(months[0], cells[0].code))) is None:
        demo_clock = DemoClock()
        with demo_clock.running():
            for month in months:
                for index, cell in enumerate(cells):
                    _patrol_case(ctx, demo_clock, month, index, cell)
    for month in months:
        for index, cell in enumerate(cells):
            _scores(ctx, month, index, cell)
    for month in assessment.months_lacking(ctx.session, clock.now()):
        ctx.count("assessed months", int(assessment.assess_month(ctx.session, month)))


def _ref(month: str, code: str) -> str:
    return f"demo-year:{month}:{code}"


def _class(ctx: DemoContext, kind: str, code: str) -> int:
    found = ctx.session.scalar(
        select(CaseClass.id).where(CaseClass.kind == ClassKind(kind), CaseClass.code == code)
    )
    assert found is not None
    return found


def _department(ctx: DemoContext, index: int) -> int | None:
    names = list(ctx.session.scalars(select(Department.id).order_by(Department.id)))
    return names[index % len(names)] if names else None


def _patrol_case(ctx: DemoContext, demo_clock: DemoClock, month: str, index: int, cell: GridCell) -> None:
    """One case a cell's patrol found in ``month``, taken as far as its fate says."""
    fate = _hash(month, cell.code) % 100
    kind, code, title = FINDINGS[_hash("finding", month, cell.code) % len(FINDINGS)]
    start, _ = assessment.bounds(month)
    opened = start + timedelta(days=1 + _hash("day", month, cell.code) % 18, hours=1)
    # the grid demo numbers each cell's staff by the cell's place among all cells, 清河街道's first
    leader, officer = ctx.person(f"leader{index + 1:02d}"), ctx.person(f"officer{index + 1:02d}")
    followers = set() if fate >= 96 else {ctx.person(FOLLOWERS[fate % len(FOLLOWERS)]).id}
    demo_clock.at(opened)
    road = ROADS[_hash("road", month, cell.code) % len(ROADS)]
    case = cases.open_case(
        ctx.session,
        officer,
        cases.Opening(
            source=CaseSource.staff,
            source_ref=_ref(month, cell.code),
            title=title.format(road=road),
            address=f"{road}{10 + fate}号附近",
            class_id=_class(ctx, kind, code),
            cell_id=cell.id,
            followers=followers,
            note="网格员巡查发现。",
        ),
    )
    ctx.count("assessment cases")

    def step(hours: float, who: object, action: str, note: str = "", **fields: object) -> None:
        demo_clock.at(opened + timedelta(hours=hours))
        given = workflow.MoveInput(note=note, **fields)  # type: ignore[arg-type]
        workflow.move(ctx.session, who, case.id, action, given)  # type: ignore[arg-type]

    step(1, leader, "register", cell_code=cell.code)
    step(2, leader, "dispatch", "请按时限处置。", department_id=_department(ctx, fate))
    if fate >= 92:
        return  # still with the department at the month's end
    if 84 <= fate < 88:
        deadlines.ask_for_time(
            ctx.session,
            officer,
            case.id,
            due_at=(case.due_at or opened) + timedelta(days=3),
            reason="需要等配件到货。",
        )
        demo_clock.at(opened + timedelta(hours=3))
        deadlines.decide(ctx.session, leader, case.id, approve=True, note="同意延期三天。")
    late = 88 <= fate < 92 or 84 <= fate < 88
    step(100 if late else 20, officer, "handle", "已处置，附处置后照片。")
    if 76 <= fate < 84:
        step(22 if not late else 102, leader, "rework", "现场核查未整改到位，请重新处置。")
        step(30 if not late else 110, officer, "handle", "已重新处置。")
    step(40 if not late else 120, leader, "pass", "现场核查通过。")
    step(41 if not late else 121, leader, "close", "结案。")


def _scores(ctx: DemoContext, month: str, index: int, cell: GridCell) -> None:
    """Two members (taking turns) score each cell each month; a score already there is kept."""
    for turn in range(2):
        member = ctx.person(MEMBERS[(index + turn + int(month[5:])) % len(MEMBERS)])
        given = ctx.session.scalar(
            select(CommitteeScore.id).where(
                CommitteeScore.month == month,
                CommitteeScore.cell_id == cell.id,
                CommitteeScore.member_id == member.id,
            )
        )
        if given is not None:
            continue
        base = 72 + _hash("cell", cell.code) % 20
        value = min(100, base + _hash("score", month, cell.code, turn) % 9 - 4)
        comment = COMMENTS[_hash("comment", month, cell.code, turn) % len(COMMENTS)]
        scores.score_cell(
            ctx.session, member, month=month, cell_code=cell.code, score=str(value), comment=comment
        )
        ctx.count("committee scores")
