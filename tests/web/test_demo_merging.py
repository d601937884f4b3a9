"""The demo's merge, over the savepoint session: all four groups vote, the report is ready, made once."""

import time

from sqlalchemy import func, select

from deliberation.merging import reporting
from deliberation.merging.models import Merge, Vote
from web import demo


def test_the_demo_merges_the_four_voices_once(session, hasher):
    started = time.perf_counter()
    added = demo.load(session, hasher.hash("demo"))
    session.flush()
    assert added["merge votes"] > 400, time.perf_counter() - started
    [merge] = session.scalars(select(Merge)).all()
    report = reporting.merge_report(session, merge.consultation_id)
    assert report.ready and report.missing_groups == () and min(report.voters.values()) >= 12
    assert report.meeting_points and report.divisive and report.emergent_k
    votes = session.scalar(select(func.count()).select_from(Vote))
    again = demo.load(session, hasher.hash("demo"))
    assert again["merge votes"] == 0 and session.scalar(select(func.count()).select_from(Vote)) == votes
