"""The fields people fill in on mediation forms: texts within their lengths and days on the calendar.

Each check adds its message to a ``FieldErrors`` and returns the cleaned value, so a service can
check every field before it writes anything and answer all the mistakes at once.
"""

from __future__ import annotations

from datetime import date, timedelta

from core import clock
from core.errors import N_, FieldErrors

SHORT_MAX, LONG_MAX = 500, 5000


def written(errors: FieldErrors, field: str, value: str, *, low: int, high: int) -> str:
    """A text somebody wrote: between ``low`` and ``high`` characters once trimmed."""
    value = value.strip()
    if len(value) < low:
        if value:
            errors.add(field, N_("Write at least %(min)s characters."), min=low)
        else:
            errors.add(field, N_("This needs filling in."))
    elif len(value) > high:
        errors.add(field, N_("At most %(max)s characters."), max=high)
    return value


def optional(errors: FieldErrors, field: str, value: str, *, high: int) -> str:
    value = value.strip()
    if len(value) > high:
        errors.add(field, N_("At most %(max)s characters."), max=high)
    return value


def today() -> date:
    """Today on the calendar in Asia/Shanghai, where the cases happen."""
    return clock.local(clock.now()).date()


def day(errors: FieldErrors, field: str, value: str) -> date | None:
    """A day written ``YYYY-MM-DD`` (what a date field sends)."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors.add(field, N_("Give a date, for example %(example)s."), example=today().isoformat())
        return None


def past_day(errors: FieldErrors, field: str, value: str, *, not_before: date) -> date | None:
    """A day that has happened, on or after ``not_before`` (a meeting after the application)."""
    found = day(errors, field, value)
    if found is not None and not not_before <= found <= today():
        errors.add(field, N_("Give a day between %(first)s and today."), first=not_before.isoformat())
    return found


def coming_day(errors: FieldErrors, field: str, value: str, *, within_days: int = 366) -> date | None:
    """A day from today to ``within_days`` ahead (a follow-up visit)."""
    found = day(errors, field, value)
    last = today() + timedelta(days=within_days)
    if found is not None and not today() <= found <= last:
        errors.add(field, N_("Give a day between today and %(last)s."), last=last.isoformat())
    return found
