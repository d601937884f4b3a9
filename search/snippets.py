"""Snippets: the part of a stored text around the first match, cut into (text, is match) pieces.

Pieces rather than HTML: the template escapes every piece and wraps matches in ``<mark>``, so text
people typed (a title with ``<script>`` in it) can never reach the page as markup. Matching is by
substring, the same rule the index applies to Chinese, case-insensitive for Latin letters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Piece = tuple[str, bool]
WIDTH = 80  # characters of a snippet: about two lines on a phone


def terms_of(query: str) -> list[str]:
    """The query's terms as they are looked for in text."""
    return [term for term in query.split() if term.strip()]


def highlight(text: str, terms: Sequence[str], width: int = WIDTH) -> list[Piece]:
    """``text`` cut to ``width`` characters around the first match, matches marked."""
    text = " ".join(text.split())  # Markdown line breaks and indentation mean nothing in a snippet
    if not text:
        return []
    pattern = _pattern(terms)
    first = pattern.search(text) if pattern else None
    start = 0 if first is None else max(0, first.start() - width // 4)
    end = min(len(text), start + width)
    window = text[start:end]
    pieces = _split(window, pattern)
    if start > 0:
        pieces.insert(0, ("…", False))
    if end < len(text):
        pieces.append(("…", False))
    return pieces


def _pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    alternatives = sorted({t for t in terms if t}, key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile("|".join(re.escape(t) for t in alternatives), re.IGNORECASE)


def _split(text: str, pattern: re.Pattern[str] | None) -> list[Piece]:
    if pattern is None:
        return [(text, False)]
    pieces: list[Piece] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            pieces.append((text[position : match.start()], False))
        pieces.append((match.group(), True))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces
