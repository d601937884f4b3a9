"""The cached analysis: refreshed by the job, read by the report without recomputing; the opinion."""

import pytest
from sqlalchemy import select

from core import jobs
from core.errors import Conflict
from core.worker import Worker
from deliberation.consultations import lifecycle
from deliberation.consultations.models import Resolution
from deliberation.merging import opinion, refresh, reporting, voting
from deliberation.merging.models import Merge
from tests.deliberation.merging.conftest import four_voices


def test_the_report_waits_for_the_first_refresh(session, cast, collecting):
    four_voices(session, cast, collecting)
    report = reporting.merge_report(session, collecting.id)
    assert not report.ready and report.votes_now == 16


def test_the_job_refreshes_the_cache_and_the_report_reads_it(session, sessions, cast, collecting):
    four_voices(session, cast, collecting)
    [job] = session.scalars(select(jobs.Job).where(jobs.Job.kind == refresh.REFRESH_JOB)).all()
    job.run_at = job.created_at  # due now, as it will be at the minute's end
    session.flush()
    Worker(sessions).run_once()
    session.expire_all()
    merge = session.get(Merge, collecting.id)
    assert merge.report_at is not None and merge.report_votes == 16
    report = reporting.merge_report(session, collecting.id)
    assert report.ready and report.voters == {"government": 1, "community": 1, "served": 1, "resident": 1}
    assert report.missing_groups == () and len(report.statements) == 4
    [bar] = [b for b in report.statements[0].bars if b.group == "government"]
    assert (bar.agree, bar.seen, bar.p_agree) == (1, 1, pytest.approx(2 / 3))


def test_a_meeting_point_needs_every_group_and_the_csv_lists_every_statement(
    session, sessions, cast, collecting
):
    four_voices(session, cast, collecting)
    refresh.refresh_analysis(sessions, collecting.id)
    report = reporting.merge_report(session, collecting.id)
    # one agreeing vote per group is already significant: z = 2·√2·(2/2 − ½) ≈ 1.41 > 1.2816
    assert len(report.meeting_points) == 4
    text = reporting.report_csv(report)
    assert text.splitlines()[0].startswith("statement_id,text,") and len(text.splitlines()) == 5


def test_one_group_disagreeing_takes_the_meeting_point_away(session, sessions, cast, collecting):
    first, *_ = four_voices(session, cast, collecting)
    voting.cast_vote(session, cast.zhao_kezhang, collecting.id, first.id, "disagree")
    refresh.refresh_analysis(sessions, collecting.id)
    report = reporting.merge_report(session, collecting.id)
    assert first.id not in [line.id for line in report.meeting_points]
    assert report.divisive[0].id == first.id


def test_the_csv_never_starts_a_cell_with_a_formula():
    line = reporting.StatementLine(1, '=HYPERLINK("x")', (), None, 0.0, False)
    out = reporting.report_csv(reporting.Report(ready=True, statements=(line,)))
    assert "'=HYPERLINK" in out


def test_the_merged_opinion_becomes_the_resolution_draft_only_in_deliberation(session, cast, collecting):
    opinion.draft_opinion(session, cast.chen_weiyuan, collecting.id, "四方都同意：**摊位每天清扫**。")
    with pytest.raises(Conflict):
        opinion.use_as_draft(session, cast.zhou_jiaoshou, collecting.id)
    lifecycle.move(session, cast.zhou_jiaoshou, collecting.id, "deliberate", "")
    opinion.use_as_draft(session, cast.zhou_jiaoshou, collecting.id)
    session.flush()
    resolution = session.get(Resolution, collecting.id)
    assert resolution.text.startswith("四方都同意") and resolution.state.value == "drafting"


def test_a_city_sized_map_is_an_even_sample_of_its_participants(session, sessions, cast, collecting):
    four_voices(session, cast, collecting)
    refresh.refresh_analysis(sessions, collecting.id)
    merge = session.get(Merge, collecting.id)
    many = 5 * reporting.MAP_POINTS
    merge.report = merge.report | {"map": [[n / many, (n % 7) / 7, "resident", n % 3] for n in range(many)]}
    session.flush()
    report = reporting.merge_report(session, collecting.id)
    assert report.mapped == many and len(report.points) == reporting.MAP_POINTS
    assert (
        min(p.x for p in report.points) == 0.0 and max(p.x for p in report.points) > 0.99
    )  # the whole width
    assert {p.cluster for p in report.points} == {0, 1, 2}
