import csv

import pytest

from deliberation.merging.polis_files import PolisFileError, read_groups, read_votes
from tests.deliberation.merging.polis_data import CONVERSATIONS, POLIS

HEADER = "timestamp,datetime,comment-id,voter-id,vote\n"


def written(tmp_path, text, name="votes.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def latest(table):
    return {
        (table.participant_ids[p], table.statement_ids[s]): int(v)
        for p, s, v in zip(table.participant, table.statement, table.vote, strict=True)
    }


def refused(read, path):
    with pytest.raises(PolisFileError) as error:
        read(path)
    return str(error.value)


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_a_polis_export_reads_one_latest_vote_per_pair(name):
    with (POLIS / name / "votes.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    table = read_votes(POLIS / name / "votes.csv")
    assert len(table) == len({(r["voter-id"], r["comment-id"]) for r in rows}) < len(rows)


def test_a_repeated_vote_keeps_the_latest_by_timestamp_wherever_it_is_in_the_file(tmp_path):
    path = written(tmp_path, HEADER + "200,,7,1,-1\n100,,7,1,1\n150,,7,2,1\n300,,7,2,0\n\n")
    assert latest(read_votes(path)) == {("1", "7"): -1, ("2", "7"): 0}


def test_a_byte_order_mark_and_spaces_are_forgiven(tmp_path):
    path = written(tmp_path, "\ufefftimestamp, comment-id ,voter-id,vote\n1, 7 , 1 , 1 \n")
    assert latest(read_votes(path)) == {("1", "7"): 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "votes.csv is empty"),
        (HEADER, "votes.csv has no votes"),
        ("timestamp,voter-id,vote\n1,1,1\n", "votes.csv lacks the column(s) comment-id"),
        (HEADER + "1,,7,1,1\n2,,7,1,2\n", "votes.csv, line 3: a vote is 1, -1 or 0, not “2”"),
        (HEADER + "yesterday,,7,1,1\n", "votes.csv, line 2: a timestamp is a number, not “yesterday”"),
        (HEADER + "1,,7,,1\n", "votes.csv, line 2: the voter-id or comment-id is empty"),
        (HEADER + "1,,7,1\n", "votes.csv, line 2: 4 fields where the header has 5"),
        (HEADER + '1,,"7,1,1\n', "votes.csv, line 2: not CSV (unexpected end of data)"),
        (HEADER + '1,,7,"1"x,1\n', "votes.csv, line 2: not CSV (',' expected after '\"')"),
    ],
)
def test_a_bad_votes_file_is_refused_with_its_line(tmp_path, text, message):
    assert message in refused(read_votes, written(tmp_path, text))


def test_text_that_is_not_utf8_is_refused(tmp_path):
    path = written(tmp_path, HEADER + "1,,7,1,1\n1,星期一,7,2,1\n", encoding="gbk")
    assert refused(read_votes, path) == "votes.csv is not UTF-8 text."


def test_a_missing_file_is_refused(tmp_path):
    assert "cannot be opened: No such file or directory" in refused(read_votes, tmp_path / "nope.csv")
    assert "cannot be opened" in refused(read_groups, tmp_path)  # a folder


def test_a_groups_file_takes_keys_or_chinese_names_and_blank_for_none(tmp_path):
    path = written(tmp_path, "participant,group\n1,government\n2,街道社区\n3,\n4,市民\n", "groups.csv")
    assert read_groups(path) == {"1": "government", "2": "community", "4": "resident"}


def test_a_polis_participants_file_gives_its_group_ids(tmp_path):
    groups = read_groups(POLIS / "15-per-hour-seattle" / "participants-votes.csv")
    with (POLIS / "15-per-hour-seattle" / "participants-votes.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert groups == {r["participant"]: f"polis-{r['group-id']}" for r in rows if r["group-id"]}
    assert len(groups) < len(rows)  # Pol.is leaves most of this conversation's voters without a group


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("participant,team\n1,x\n", "groups.csv needs a group column"),
        ("group\ngovernment\n", "groups.csv lacks the column(s) participant"),
        ("participant,group\n1,goverment\n", "groups.csv, line 2: “goverment” is not a stakeholder group"),
        ("participant,group\n1,served\n1,resident\n", "groups.csv, line 3: 1 is given a second group"),
        ("participant,group\n,served\n", "groups.csv, line 2: the participant is empty"),
        ("participant,group-id\n1,zero\n", "groups.csv, line 2: a group-id is a number, not “zero”"),
    ],
)
def test_a_bad_groups_file_is_refused_with_its_line(tmp_path, text, message):
    assert message in refused(read_groups, written(tmp_path, text, "groups.csv"))


def test_the_same_group_twice_is_no_conflict(tmp_path):
    path = written(tmp_path, "participant,group\n1,served\n1,管理服务对象\n", "groups.csv")
    assert read_groups(path) == {"1": "served"}
