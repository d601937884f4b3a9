"""Domain errors. They carry message keys (English msgids translated by ``web``), never HTTP details.

``N_`` marks a string for Babel's extraction without translating it here: domain code knows no locale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    """Mark ``message`` as a msgid for extraction; translation happens in ``web``."""
    return message


class Msgid(str):
    """A message's value that is itself a msgid (a status or skill label): ``web`` translates it too."""

    __slots__ = ()


@dataclass(frozen=True)
class Message:
    """A translatable message: a msgid and the values it is formatted with."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    default_key = N_("Something went wrong.")

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.message = Message(key or self.default_key, params)
        super().__init__(self.message.key)


class NotFound(DomainError):
    default_key = N_("We could not find that page.")


class PermissionDenied(DomainError):
    default_key = N_("You do not have permission to do that.")


class Conflict(DomainError):
    default_key = N_("Someone else changed this at the same time. Reload the page and try again.")


class RateLimited(DomainError):
    default_key = N_("Too many attempts. Try again later.")

    def __init__(self, retry_after: int, key: str | None = None, **params: Any) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(key, **params)


class Unavailable(DomainError):
    default_key = N_("The service is busy. Try again in a moment.")

    def __init__(self, retry_after: int = 5, key: str | None = None, **params: Any) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(key, **params)


class Invalid(DomainError):
    """Bad input, per form field. Raised before the first write, so the session is still usable."""

    default_key = N_("Please correct the errors below.")

    def __init__(self, field: str | None = None, key: str | None = None, **params: Any) -> None:
        super().__init__()
        self.errors: dict[str, Message] = {}
        if field is not None:
            self.errors[field] = Message(key or self.default_key, params)

    @classmethod
    def collect(cls, errors: Mapping[str, Message]) -> Invalid:
        """One ``Invalid`` carrying several fields' messages."""
        error = cls()
        error.errors.update(errors)
        return error


class FieldErrors:
    """Collects field messages while validating a form, then raises them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, Message] = {}

    def add(self, field: str, key: str, **params: Any) -> None:
        self.errors.setdefault(field, Message(key, params))

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def __bool__(self) -> bool:
        """True once any field has a message (an empty collector is falsy, like an empty dict)."""
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise Invalid.collect(self.errors)
