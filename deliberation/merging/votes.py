"""The vote table the merge analysis reads: one row per participant and statement, the latest vote wins.

Ids are kept as given (strings from a Pol.is export or a database) and coded once into dense integer
indices, so every later step works on numpy columns instead of Python objects.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

AGREE, PASS, DISAGREE = 1, 0, -1


@dataclass(frozen=True, eq=False)
class VoteTable:
    """Each participant's latest vote per statement, as parallel columns of indices into the id tuples."""

    participant_ids: tuple[str, ...]
    statement_ids: tuple[str, ...]
    participant: npt.NDArray[np.intp]
    statement: npt.NDArray[np.intp]
    vote: npt.NDArray[np.int8]

    def __len__(self) -> int:
        return len(self.vote)

    @property
    def votes_per_participant(self) -> npt.NDArray[np.intp]:
        """How many statements each participant voted on (passes count: they saw it)."""
        return np.bincount(self.participant, minlength=len(self.participant_ids))


def vote_table(
    participants: Sequence[Hashable] | npt.ArrayLike,
    statements: Sequence[Hashable] | npt.ArrayLike,
    votes: Sequence[int] | npt.ArrayLike,
    times: Sequence[float] | npt.ArrayLike | None = None,
) -> VoteTable:
    """Code raw vote events into a ``VoteTable``, keeping each pair's latest vote by ``times``.

    Without ``times`` the order given is the order cast; on equal times the later row wins too.
    ``ValueError`` for a vote other than 1, 0, -1 or columns of different lengths.
    """
    vote = np.asarray(votes)
    if vote.size and not np.isin(vote, (AGREE, PASS, DISAGREE)).all():
        raise ValueError("a vote is 1 (agree), -1 (disagree) or 0 (pass)")
    participant_ids, participant = _coded(participants)
    statement_ids, statement = _coded(statements)
    if not len(participant) == len(statement) == len(vote):
        raise ValueError("participants, statements and votes must have one entry per vote")
    pair = participant.astype(np.int64) * len(statement_ids) + statement
    # sorted by pair, then time, then row (stable): each pair's last row is its latest vote
    order = np.argsort(pair, kind="stable") if times is None else np.lexsort((np.asarray(times), pair))
    last = order[np.diff(pair[order], append=-1) != 0]
    return VoteTable(
        participant_ids, statement_ids, participant[last], statement[last], vote[last].astype(np.int8)
    )


def _coded(ids: Sequence[Hashable] | npt.ArrayLike) -> tuple[tuple[str, ...], npt.NDArray[np.intp]]:
    """Distinct ids in natural order (``"9"`` before ``"10"``) and each entry's index among them."""
    distinct, inverse = np.unique(np.asarray(ids), return_inverse=True)
    names = [str(name) for name in distinct.tolist()]
    natural = sorted(range(len(names)), key=lambda i: _natural_key(names[i]))
    rank = np.empty(len(names), dtype=np.intp)
    rank[natural] = np.arange(len(names))
    return tuple(names[i] for i in natural), rank[inverse.ravel()]


def _natural_key(name: str) -> tuple[int, int, str]:
    return (0, int(name), name) if name.isascii() and name.isdecimal() else (1, 0, name)
