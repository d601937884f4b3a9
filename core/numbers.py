"""Whole numbers typed by people: decimal digits only, and few enough of them to be a number at all."""

from __future__ import annotations

MAX_DIGITS = 9  # under 2**31: fits every integer column, and far past any count, id or score here


def whole_number(text: str, *, digits: int = MAX_DIGITS) -> int | None:
    """The number ``text`` writes in decimal digits (any script's, so ``１２`` is 12), else None.

    ``str.isdigit()`` also passes ``²`` and ``①``, which ``int()`` refuses; and a long run of digits is
    refused by ``int()`` past 4,300 of them, or by the database's integer column well before.
    """
    text = text.strip()
    return int(text) if text.isdecimal() and len(text) <= digits else None
