"""Which card to show next (下一条观点), the way Pol.is routes comments to voters.

For a statement with A agrees, P passes and S votes in all (seen), and extremity E (how far the
statement reaches out on the opinion map: the length of its loadings on the two principal axes):

- importance = (1 - p) · (E + 1) · a, with p = (P + 1) / (S + 2) and a = (A + 1) / (S + 2): statements
  people take a side on, and agree with, and that separate opinion, matter more;
- priority = (importance · (1 + 8 · 2^(-S / 5)))², the second factor letting new statements with few
  votes bubble up (it is 9 at S = 0 and nearly 1 past S = 30).

Source: Small et al. 2021, "Polis: Scaling Deliberation by Mapping High Dimensional Opinion Spaces",
and the Pol.is math (compdemocracy/polis, ``math/src/polismath/math/conversation.clj``,
``importance-metric`` and ``priority-metric``), written here from their description. Pol.is draws the
next comment at random, weighted by priority, so that not everyone sees the same card first; so do we.
Pure: no database.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """A statement the voter has not voted on, with the counts of everyone's votes on it."""

    statement_id: int
    agree: int
    passes: int
    seen: int
    extremity: float = 0.0


def importance(agree: int, passes: int, seen: int, extremity: float) -> float:
    """Pol.is's importance metric: (1 - p)(E + 1)a with Laplace-smoothed shares p and a."""
    p = (passes + 1) / (seen + 2)
    a = (agree + 1) / (seen + 2)
    return (1 - p) * (extremity + 1) * a


def priority(candidate: Candidate) -> float:
    """Pol.is's priority: importance times the new-statement boost 1 + 8·2^(-S/5), squared."""
    boost = 1 + 8 * 2 ** (-candidate.seen / 5)
    return (importance(candidate.agree, candidate.passes, candidate.seen, candidate.extremity) * boost) ** 2


def next_card(candidates: Sequence[Candidate], rng: random.Random | None = None) -> int | None:
    """The statement to show next, drawn with probability proportional to its priority; None when done."""
    if not candidates:
        return None
    weights = [priority(c) for c in candidates]
    chosen = (rng or random).choices(candidates, weights=weights, k=1)[0]
    return chosen.statement_id
