"""Pol.is exports as merge input: ``votes.csv`` and a groups file, refused with a clear message when bad.

A groups file is either ours, ``participant,group`` with a stakeholder group per row (English key or
中文 name, empty for none), or a Pol.is ``participants-votes.csv``, whose ``group-id`` becomes the
group ``polis-<id>``. Either way a participant without a group still counts in the emergent groups.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.errors import N_, DomainError
from deliberation.merging.analysis import CHINESE_NAMES, STAKEHOLDER_GROUPS
from deliberation.merging.votes import VoteTable, vote_table

VOTE_COLUMNS = ("timestamp", "comment-id", "voter-id", "vote")
VOTES = {"1": 1, "0": 0, "-1": -1}
# a groups file may name a stakeholder group by its key or its 中文 name
GROUP_NAMES = {group: group for group in STAKEHOLDER_GROUPS} | {zh: g for g, zh in CHINESE_NAMES.items()}

Rows = Iterator[tuple[int, dict[str, str]]]

# messages about one line of a file
BAD_VOTE = N_("%(file)s, line %(line)s: a vote is 1, -1 or 0, not “%(value)s”.")
EMPTY_ID = N_("%(file)s, line %(line)s: the voter-id or comment-id is empty.")
EMPTY_PARTICIPANT = N_("%(file)s, line %(line)s: the participant is empty.")
TWO_GROUPS = N_("%(file)s, line %(line)s: %(value)s is given a second group.")
UNKNOWN_GROUP = N_("%(file)s, line %(line)s: “%(value)s” is not a stakeholder group (%(allowed)s).")
BAD_GROUP_ID = N_("%(file)s, line %(line)s: a group-id is a number, not “%(value)s”.")
BAD_TIMESTAMP = N_("%(file)s, line %(line)s: a timestamp is a number, not “%(value)s”.")
NOT_CSV = N_("%(file)s, line %(line)s: not CSV (%(value)s).")
FIELD_COUNT = N_("%(file)s, line %(line)s: %(value)s fields where the header has %(allowed)s.")


class PolisFileError(DomainError):
    """A votes or groups file that cannot be read; the message names the file, the line and why."""

    default_key = N_("%(file)s cannot be read.")

    def __str__(self) -> str:
        return self.message.key % dict(self.message.params)


def read_votes(path: Path) -> VoteTable:
    """The latest vote of each voter on each statement in a Pol.is ``votes.csv`` (latest by timestamp)."""
    return parse_votes(path.name, _text(path))


def parse_votes(path: str, text: str) -> VoteTable:
    """``read_votes`` of a file's name and text (an upload)."""
    header, rows = _csv(path, text)
    _require(path, header, VOTE_COLUMNS)
    participants, statements, votes, times = [], [], [], []
    for line, row in rows:
        vote, voter, statement = row["vote"].strip(), row["voter-id"].strip(), row["comment-id"].strip()
        if vote not in VOTES:
            raise _bad(path, line, BAD_VOTE, vote)
        if not voter or not statement:
            raise _bad(path, line, EMPTY_ID)
        times.append(_timestamp(path, line, row["timestamp"]))
        participants.append(voter)
        statements.append(statement)
        votes.append(VOTES[vote])
    if not votes:
        raise PolisFileError(N_("%(file)s has no votes."), file=path)
    return vote_table(participants, statements, votes, times)


def read_groups(path: Path) -> dict[str, str]:
    """Participant id → group, from a ``participant,group`` file or a Pol.is ``participants-votes.csv``."""
    return parse_groups(path.name, _text(path))


def parse_groups(path: str, text: str) -> dict[str, str]:
    """``read_groups`` of a file's name and text (an upload)."""
    header, rows = _csv(path, text)
    if "group" in header:
        column, group_of = "group", _stakeholder_group
    elif "group-id" in header:
        column, group_of = "group-id", _polis_group
    else:
        raise PolisFileError(
            N_("%(file)s needs a group column: participant,group (or a Pol.is participants-votes.csv)."),
            file=path,
        )
    _require(path, header, ("participant", column))
    groups: dict[str, str] = {}
    for line, row in rows:
        participant, group = row["participant"].strip(), group_of(path, line, row[column].strip())
        if not participant:
            raise _bad(path, line, EMPTY_PARTICIPANT)
        if group is not None and groups.setdefault(participant, group) != group:
            raise _bad(path, line, TWO_GROUPS, participant)
    return groups


def parse_comments(path: str, text: str) -> dict[str, str]:
    """Comment-id → text, from a Pol.is ``comments.csv`` (its ``comment-id`` and ``comment-body``)."""
    header, rows = _csv(path, text)
    _require(path, header, ("comment-id", "comment-body"))
    return {row["comment-id"].strip(): " ".join(row["comment-body"].split()) for _, row in rows}


def _stakeholder_group(path: str, line: int, value: str) -> str | None:
    if value and value not in GROUP_NAMES:
        raise _bad(
            path,
            line,
            UNKNOWN_GROUP,
            value,
            allowed=", ".join(GROUP_NAMES),
        )
    return GROUP_NAMES[value] if value else None


def _polis_group(path: str, line: int, value: str) -> str | None:
    if value and not (value.isascii() and value.isdecimal()):
        raise _bad(path, line, BAD_GROUP_ID, value)
    return f"polis-{value}" if value else None


def _timestamp(path: str, line: int, value: str) -> float:
    try:
        time = float(value)
    except ValueError:
        time = math.nan
    if not math.isfinite(time):
        raise _bad(path, line, BAD_TIMESTAMP, value)
    return time


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")  # Excel on Windows writes a byte-order mark
    except UnicodeDecodeError:
        raise PolisFileError(N_("%(file)s is not UTF-8 text."), file=path.name) from None
    except OSError as error:
        raise PolisFileError(
            N_("%(file)s cannot be opened: %(reason)s."), file=str(path), reason=error.strerror or str(error)
        ) from None


def decode(path: str, data: bytes) -> str:
    """An uploaded file's bytes as text, or ``PolisFileError`` when they are not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PolisFileError(N_("%(file)s is not UTF-8 text."), file=path) from None


def _csv(path: str, text: str) -> tuple[list[str], Rows]:
    """The header and the data rows (with their line numbers) of a CSV file's text."""
    reader = csv.reader(io.StringIO(text), strict=True)  # a stray quote is an error, not a guess
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as error:
        raise _bad(path, reader.line_num, NOT_CSV, str(error)) from None
    if not header:
        raise PolisFileError(N_("%(file)s is empty."), file=path)
    return header, _data_rows(path, reader, header)


def _data_rows(path: str, reader: Any, header: list[str]) -> Rows:
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue  # a blank line, as editors leave at the end
            if len(values) != len(header):
                raise _bad(
                    path,
                    reader.line_num,
                    FIELD_COUNT,
                    str(len(values)),
                    allowed=str(len(header)),
                )
            yield reader.line_num, dict(zip(header, values, strict=True))
    except csv.Error as error:
        raise _bad(path, reader.line_num, NOT_CSV, str(error)) from None


def _require(path: str, header: list[str], columns: tuple[str, ...]) -> None:
    missing = [name for name in columns if name not in header]
    if missing:
        raise PolisFileError(
            N_("%(file)s lacks the column(s) %(missing)s; its header is: %(header)s."),
            file=path,
            missing=", ".join(missing),
            header=",".join(header),
        )


def _bad(path: str, line: int, key: str, value: str = "", **params: str) -> PolisFileError:
    return PolisFileError(key, file=path, line=line, value=value, **params)
