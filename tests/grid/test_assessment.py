"""The monthly grid assessment: which cases are due in a month, the rates, the 70/30 total, the
committee's scores, and the monthly job's catch-up."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

import pytest
from sqlalchemy import func, select

from core import clock, site_settings
from core.errors import Invalid, PermissionDenied
from grid import assessment, deadlines, departments, scores, workflow
from grid.models import AssessedMonth, CellAssessment, DepartmentAssessment
from tests.grid.conftest import report, walk


class Clock:
    """The clock the services read, moved by the test (local Beijing wall-clock times)."""

    def __init__(self) -> None:
        self.moment = clock.now()

    @contextmanager
    def at(self, year: int, month: int, day: int, hour: int = 10):
        self.moment = clock.from_local(datetime(year, month, day, hour))
        with mock.patch("core.clock.now", side_effect=self.tick):
            yield

    def tick(self) -> datetime:
        self.moment += timedelta(seconds=1)
        return self.moment


@pytest.fixture
def time():
    return Clock()


@pytest.fixture
def works(session, cast):
    return departments.save_department(
        session, cast.admin, department_id=None, name="市政设施养护所", contact="热线", class_ids=[]
    )


def dispatch(works):
    return ("dispatch", workflow.MoveInput(department_id=works.id))


def handled(note="已修好"):
    return ("handle", workflow.MoveInput(note=note))


def march(session, cast, time, works):
    """Four cases in 2026-03 in 张网格长's cell, one per outcome (72-hour time limit each)."""
    leader = cast.zhang_wangge
    with time.at(2026, 3, 1):
        on_time = report(session, cast, ref="a", title="井盖松动一")
        walk(session, leader, on_time, "register", dispatch(works), handled(), "pass", "close")
    with time.at(2026, 3, 10):
        late = report(session, cast, ref="b", title="井盖松动二")
        walk(session, leader, late, "register", dispatch(works), handled())
        walk(session, leader, late, ("rework", workflow.MoveInput(note="没修好")), handled())
    with time.at(2026, 3, 14):
        walk(session, leader, late, "pass", "close")  # a day after its due date
    with time.at(2026, 3, 25):
        extended = report(session, cast, ref="c", title="井盖松动三")
        walk(session, leader, extended, "register", dispatch(works))
    with time.at(2026, 3, 27):
        deadlines.ask_for_time(
            session, cast.admin, extended.id, due_at=extended.due_at + timedelta(days=9), reason="等配件"
        )
        deadlines.decide(session, leader, extended.id, approve=True)  # now due on 2026-04-06
        left = report(session, cast, ref="d", title="井盖松动四")
        walk(session, leader, left, "register")  # due on 2026-03-30, never closed
    session.flush()


def cell_row(session, cast, month):
    return session.scalar(
        select(CellAssessment).where(CellAssessment.month == month, CellAssessment.cell_id == cast.cell.id)
    )


def test_months_are_beijing_months():
    start, end = assessment.bounds("2026-03")
    assert start.isoformat() == "2026-02-28T16:00:00+00:00"
    assert end.isoformat() == "2026-03-31T16:00:00+00:00"
    assert assessment.shift("2026-01", -1) == "2025-12" and assessment.shift("2026-12", 1) == "2027-01"
    assert [assessment.parse_month(m) for m in ("2026-13", "26-01", "2026-1x", "2026-09")] == [
        None,
        None,
        None,
        "2026-09",
    ]


def test_a_month_counts_what_was_due_in_it(session, cast, time, works):
    march(session, cast, time, works)
    assert assessment.assess_month(session, "2026-03") is True
    assert assessment.assess_month(session, "2026-03") is False  # once
    assessment.assess_month(session, "2026-04")
    row = cell_row(session, cast, "2026-03")
    counted = {name: getattr(row, name) for name in assessment.COUNTS}
    assert counted == {
        "due": 3,  # on time, late, left; the extended one moved to April
        "closed": 2,
        "closed_on_time": 1,
        "extended": 0,
        "verifications": 3,  # passed, sent back, passed
        "failed_verifications": 1,
        "handled": 2,  # two cases reported handled (one twice)
        "fed_back": 2,  # 王阿姨 follows both and was asked to confirm
    }
    april = cell_row(session, cast, "2026-04")
    assert (april.due, april.extended, april.closed) == (1, 1, 0)
    department = session.scalar(
        select(DepartmentAssessment).where(
            DepartmentAssessment.month == "2026-03", DepartmentAssessment.department_id == works.id
        )
    )
    assert (department.due, department.closed, department.failed_verifications) == (2, 2, 1)


def test_the_total_is_70_percent_resolution_and_30_percent_committee(session, cast, time, works):
    march(session, cast, time, works)
    assessment.assess_month(session, "2026-03")
    mine = assessment.ranking(session, "2026-03")
    assert mine[0].total is None and mine[0].rank is None  # not scored yet: no total
    with time.at(2026, 4, 2):
        scores.score_cell(
            session, cast.chen_weiyuan, month="2026-03", cell_code=cast.cell.code, score="80", comment="整洁"
        )
        scores.score_cell(
            session, cast.zhou_jiaoshou, month="2026-03", cell_code=cast.cell.code, score="90", comment=""
        )
    result = assessment.ranking(session, "2026-03")[0]
    assert (result.committee, result.scores, result.rank) == (85.0, 2, 1)
    assert result.total == round(0.7 * 2 / 3 * 100 + 0.3 * 85, 1) == 72.2
    site_settings.change(session, cast.admin, assessment.RESOLUTION_SETTING, "on_time")
    assert assessment.ranking(session, "2026-03")[0].total == round(0.7 * 1 / 3 * 100 + 0.3 * 85, 1)
    trend = assessment.trends(session, "2026-03")[cast.cell.id]
    assert len(trend) == 12 and trend[-1] == ("2026-03", 48.8) and trend[0] == ("2025-04", None)


def test_the_job_catches_up_every_month_it_lacks(session, sessions, cast, time, works):
    march(session, cast, time, works)
    session.commit()
    now = clock.from_local(datetime(2026, 7, 1, 2))
    assert assessment.catch_up(sessions, now) == ["2026-03", "2026-04", "2026-05", "2026-06"]
    assert assessment.catch_up(sessions, now) == []
    assert session.scalar(select(func.count()).select_from(AssessedMonth)) == 4
    session.delete(session.get(AssessedMonth, "2026-05"))
    session.execute(CellAssessment.__table__.delete().where(CellAssessment.month == "2026-05"))
    session.execute(DepartmentAssessment.__table__.delete().where(DepartmentAssessment.month == "2026-05"))
    session.commit()
    assert assessment.catch_up(sessions, now) == ["2026-05"]  # a gap is filled, nothing recomputed


def test_committee_members_score_and_a_second_score_replaces_the_first(session, cast):
    month = assessment.month_of(clock.now())
    code = cast.cell.code
    scores.score_cell(session, cast.zhou_jiaoshou, month=month, cell_code=code, score="70", comment="一般")
    scores.score_cell(session, cast.zhou_jiaoshou, month=month, cell_code=code, score="75", comment="有改进")
    listed = scores.scores_for_month(session, month)
    assert [(s.score, s.comment) for s in listed] == [(75, "有改进")]
    for outsider in (cast.wang_ayi, cast.zhang_wangge, cast.sun_banzhu, None):
        with pytest.raises(PermissionDenied):
            scores.score_cell(session, outsider, month=month, cell_code=code, score="70", comment="")


def test_a_bad_score_names_each_field_and_changes_nothing(session, cast):
    with pytest.raises(Invalid) as raised:
        scores.score_cell(
            session, cast.chen_weiyuan, month="2019-01", cell_code="123", score="101", comment="长" * 1001
        )
    assert set(raised.value.errors) == {"month", "cell_code", "score", "comment"}
    month = assessment.month_of(clock.now())
    for bad in ("-1", "7.5", "", "abc"):
        with pytest.raises(Invalid):
            scores.score_cell(
                session, cast.chen_weiyuan, month=month, cell_code=cast.cell.code, score=bad, comment=""
            )
    assert scores.scores_for_month(session, month) == []
