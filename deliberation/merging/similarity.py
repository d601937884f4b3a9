"""Statements that say much the same as a draft, by character-bigram overlap (相似观点).

Chinese has no spaces to split words on, and a tokenizer (jieba) belongs to the search layer above
this one; two neighbouring characters are a robust unit for short texts in any script. The score is
Dice's coefficient over the two sets of bigrams, 2|A ∩ B| / (|A| + |B|): 1 for the same bigrams,
0 for none in common. Punctuation and spaces are dropped first, Latin letters lowercased.
Pure: no database.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

THRESHOLD = 0.35  # below this, two 20-character statements share fewer than four bigrams
MOST = 3  # hints shown while writing


@dataclass(frozen=True)
class Similar:
    statement_id: int
    text: str
    score: float


def bigrams(text: str) -> frozenset[str]:
    """The set of adjacent character pairs of ``text`` without punctuation, symbols or spaces."""
    kept = "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if _counts(ch))
    if len(kept) == 1:
        return frozenset({kept})
    return frozenset(kept[i : i + 2] for i in range(len(kept) - 1))


def _counts(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"  # letters and digits; not punctuation, symbols, spaces


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice's coefficient of two bigram sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def most_similar(
    draft: str, statements: Iterable[tuple[int, str]], *, threshold: float = THRESHOLD, most: int = MOST
) -> list[Similar]:
    """The statements (id, text) closest to ``draft`` at or above ``threshold``, best first."""
    wanted = bigrams(draft)
    if len(wanted) < 2:  # one or two characters typed: everything would look alike
        return []
    scored = [Similar(sid, text, overlap(wanted, bigrams(text))) for sid, text in statements]
    found = sorted((s for s in scored if s.score >= threshold), key=lambda s: (-s.score, s.statement_id))
    return found[:most]
