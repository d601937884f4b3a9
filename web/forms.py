"""Reading form fields and carrying values and messages back into a re-rendered form (422)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from starlette.datastructures import FormData, UploadFile

from core import clock, files
from core.errors import N_, Invalid, Message
from core.numbers import whole_number

# a field longer than this is refused by the service's own length rule; this only bounds the copy kept
MAX_FIELD_CHARS = 10_000

Form = FormData  # what every endpoint receives: the parsed body (empty for GET)
E = TypeVar("E", bound=enum.Enum)


def text(form: Mapping[str, Any], name: str, *, strip: bool = True) -> str:
    """A text field's value ('' when absent or a file). Leading and trailing spaces are dropped."""
    value = form.get(name, "")
    if not isinstance(value, str):
        return ""
    value = value[:MAX_FIELD_CHARS]
    return value.strip() if strip else value


def number(form: Mapping[str, Any], name: str) -> int | None:
    return whole_number(text(form, name))


def local_moment(form: Mapping[str, Any], name: str) -> datetime | None:
    """A ``datetime-local`` field (Asia/Shanghai wall-clock time) as UTC; None when empty, ``Invalid`` when
    it does not read as a date and time."""
    value = text(form, name)
    if not value:
        return None
    try:
        return clock.from_local(datetime.fromisoformat(value.replace(" ", "T")))
    except (ValueError, OverflowError):  # 0001-01-01 00:00 in Shanghai is before year 1 in UTC
        raise Invalid(name, N_("Give a date and time such as 2026-12-05 14:30.")) from None


def local_day(form: Mapping[str, Any], name: str) -> date | None:
    """A ``date`` field; None when empty, ``Invalid`` when it is not a date."""
    value = text(form, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(name, N_("Give a date such as 2026-12-05.")) from None


def choice(form: Mapping[str, Any], name: str, enum_cls: type[E], message: str) -> E:
    """The enum member a field names; ``Invalid`` with ``message`` on that field otherwise."""
    try:
        return enum_cls(text(form, name))
    except ValueError:
        raise Invalid(name, message) from None


def optional_choice(form: Mapping[str, Any], name: str, enum_cls: type[E]) -> E | None:
    """The enum member a field names, or None (filters: an unknown value means no filter)."""
    try:
        return enum_cls(text(form, name))
    except ValueError:
        return None


def photos(form: FormData, name: str = "photos") -> list[files.Upload]:
    """The files chosen in a multiple file field (an empty field sends one nameless part: skipped)."""
    return [
        files.Upload(part.file, part.filename or "photo")
        for part in form.getlist(name)
        if isinstance(part, UploadFile) and part.filename
    ]


def coordinate(form: Mapping[str, Any], name: str) -> float | None:
    """A latitude or longitude typed or filled in by the phone; None when empty or not a number."""
    try:
        value = float(text(form, name))
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None  # NaN and inf are no place


@dataclass
class FormView:
    """What a template needs to show a form: the values typed (never passwords) and a message per field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, Message] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: Mapping[str, Any], *fields: str, error: Invalid | None = None) -> FormView:
        return cls(
            values={name: text(form, name) for name in fields}, errors=dict(error.errors) if error else {}
        )

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def error(self, name: str) -> Message | None:
        return self.errors.get(name)
