import csv

import pytest

from deliberation.merging.votes import vote_table
from tests.deliberation.merging.polis_data import CONVERSATIONS, POLIS, votes


def as_dict(table):
    return {
        (table.participant_ids[p], table.statement_ids[s]): int(v)
        for p, s, v in zip(table.participant, table.statement, table.vote, strict=True)
    }


def test_the_latest_vote_wins_by_time_not_by_row():
    table = vote_table(["a", "a", "b", "a"], ["1", "1", "1", "2"], [1, -1, 0, 1], times=[30, 10, 5, 1])
    assert as_dict(table) == {("a", "1"): 1, ("b", "1"): 0, ("a", "2"): 1}


def test_without_times_or_on_equal_times_the_later_row_wins():
    assert as_dict(vote_table(["a", "a"], ["1", "1"], [1, -1])) == {("a", "1"): -1}
    tie = vote_table(["a", "a", "a"], ["1", "1", "1"], [1, 0, -1], times=[5, 5, 4])
    assert as_dict(tie) == {("a", "1"): 0}


def test_ids_come_in_natural_order_and_as_strings():
    table = vote_table([10, 9, 100], ["s10", "s9", "2"], [1, 1, 1])
    assert table.participant_ids == ("9", "10", "100")
    assert table.statement_ids == ("2", "s10", "s9")
    assert table.votes_per_participant.tolist() == [1, 1, 1]


def test_bad_votes_and_ragged_columns_are_refused():
    with pytest.raises(ValueError, match="1 \\(agree\\)"):
        vote_table(["a"], ["1"], [2])
    with pytest.raises(ValueError, match="one entry per vote"):
        vote_table(["a", "b"], ["1"], [1, 1])


def test_an_empty_table_has_no_votes():
    table = vote_table([], [], [])
    assert len(table) == 0 and table.participant_ids == () and table.statement_ids == ()


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_latest_votes_equal_polis_own_participant_matrix(name):
    """Pol.is's participants-votes.csv holds each person's current vote: our deduplication must agree."""
    meta = {"participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"}
    with (POLIS / name / "participants-votes.csv").open(newline="") as file:
        polis = {
            (row["participant"], column): int(value)
            for row in csv.DictReader(file)
            for column, value in row.items()
            if column not in meta and value != ""
        }
    assert as_dict(votes(name)) == polis
