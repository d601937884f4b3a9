"""Path parameters for database ids: ``{user_id:id}``.

An id past the database's integer range (``/files/9223372036854775808``) must be a plain 404 for every
route, not a 500 from SQLite's ``OverflowError`` or PostgreSQL's ``NumericValueOutOfRange``. So the
route itself does not match: the pattern admits only the numbers an ``INTEGER`` column can hold.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER; SQLite's ids are below it too


def at_most(maximum: int) -> str:
    """A regular expression for the whole numbers from 0 to ``maximum`` (leading zeros allowed)."""
    digits = str(maximum)
    parts = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low = 1 if i == 0 and len(digits) > 1 else 0  # shorter numbers (and 0) are the first part
        if int(digit) > low:
            rest = len(digits) - i - 1
            parts.append(f"{digits[:i]}[{low}-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class IdConvertor(Convertor[int]):
    regex = at_most(MAX_ID)

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


def register() -> None:
    register_url_convertor("id", IdConvertor())


register()
