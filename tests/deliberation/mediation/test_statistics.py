"""The public counts: by year, kind and outcome, with one or two never shown and no totals."""

from datetime import timedelta

from core import clock
from deliberation.mediation import disputes
from deliberation.mediation.models import DisputeKind, Outcome
from deliberation.mediation.statistics import COLUMNS, shown, yearly_counts
from tests.deliberation.mediation.conftest import apply


def test_one_and_two_are_hidden_zero_and_three_are_not():
    assert [shown(n) for n in (0, 1, 2, 3, 40)] == [0, None, None, 3, 40]


def cell(year, kind, outcome):
    row = dict(year.rows)[kind]
    return row[COLUMNS.index(outcome)]


def test_counts_by_year_kind_and_outcome(session, cast, monkeypatch):
    for _ in range(3):
        apply(session, cast, kind="noise")
    apply(session, cast, kind="parking")
    for _ in range(2):
        declined = apply(session, cast, kind="vendors")
        disputes.decline_case(session, cast.chen_weiyuan, declined.id, reason="不属于调解范围。")
    long_ago = clock.now() - timedelta(days=800)
    monkeypatch.setattr(clock, "now", lambda: long_ago)
    apply(session, cast, kind="noise")
    session.flush()
    this_year, earlier = yearly_counts(session)
    assert earlier.year == clock.local(long_ago).year < this_year.year
    assert cell(this_year, DisputeKind.noise, None) == 3
    assert cell(this_year, DisputeKind.parking, None) is None
    assert cell(this_year, DisputeKind.vendors, Outcome.declined) is None
    assert cell(this_year, DisputeKind.vendors, None) == 0
    assert cell(earlier, DisputeKind.noise, None) is None
    assert [kind for kind, _ in this_year.rows] == list(DisputeKind)  # every kind, so none stands out
    assert all(len(cells) == len(COLUMNS) for _, cells in this_year.rows)


def test_no_cases_no_years(session):
    assert yearly_counts(session) == []
