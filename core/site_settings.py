"""Site settings: values admins change at ``/admin/settings``, stored in the database, typed defaults in code.

Feature packages add their own definitions with ``define()`` at import time (quorum rule, offer expiry,
edit window ...); an unset value reads as its default, so a new setting needs no migration.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import audit, clock
from core.db import Base
from core.errors import N_, FieldErrors
from core.ratelimit import Rule

log = logging.getLogger(__name__)


class SiteSetting(Base):
    __tablename__ = "site_settings"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(40))


@dataclass(frozen=True)
class Definition:
    """A setting's name, its default, how to read it from a form, and its label (a msgid)."""

    name: str
    default: Any
    parse: Callable[[str], Any]
    label: str
    help: str = ""

    def to_json(self, value: Any) -> Any:
        return str(value) if isinstance(value, Rule) else value

    def from_json(self, raw: Any) -> Any:
        """The stored value, checked as a new one would be; a value that no longer parses (stored by an
        older version, or by hand) reads as the default, with a log line, rather than break a page."""
        try:
            return self.parse(str(raw))
        except (ValueError, TypeError, OverflowError):
            log.warning("site setting %s has an unusable stored value %r; using its default", self.name, raw)
            return self.default


DEFINITIONS: dict[str, Definition] = {}


def define(definition: Definition) -> Definition:
    """Register a setting (once per name; modules import once per process)."""
    DEFINITIONS[definition.name] = definition
    return definition


def _int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value

    return parse


def int_setting(name: str, default: int, low: int, high: int, label: str, help: str = "") -> Definition:
    """Define a whole-number setting kept between ``low`` and ``high``."""
    return define(Definition(name, default, _int_between(low, high), label, help))


def rule_setting(name: str, default: str, label: str, help: str = "") -> Definition:
    """Define a rate-limit rule setting written ``count/seconds``."""
    return define(Definition(name, Rule.parse(default), Rule.parse, label, help))


rule_setting(
    "rate.login_per_ip",
    "30/300",
    N_("Login attempts per IP address"),
    N_("count/seconds, e.g. 30/300 is 30 attempts in five minutes"),
)
rule_setting(
    "rate.register_per_ip",
    "10/3600",
    N_("Registrations per IP address"),
    N_("count/seconds, e.g. 10/3600 is ten an hour"),
)
rule_setting(
    "rate.password_per_user",
    "10/3600",
    N_("Password changes tried per person"),
    N_("count/seconds; a stolen login must not become a way to guess the password"),
)
int_setting(
    "lockout.pair_failures",
    5,
    3,
    50,
    N_("Wrong passwords for one account from one address before that address waits"),
    N_("The wait doubles with each further wrong password; other addresses are not affected."),
)
int_setting(
    "lockout.account_failures",
    50,
    10,
    10000,
    N_("Wrong passwords for one account from all addresses before the account is locked"),
    N_("Keep it much higher than the per-address limit, so nobody can lock the owner out cheaply."),
)
int_setting("lockout.ip_failures", 20, 5, 500, N_("Wrong passwords from one IP address before it is locked"))
int_setting("lockout.base_seconds", 60, 5, 3600, N_("First lockout, in seconds (doubles each time)"))
int_setting("lockout.max_seconds", 3600, 60, 86400, N_("Longest lockout, in seconds"))


VALUE = select(SiteSetting.value).where(SiteSetting.name == bindparam("name"))  # built once, bound per call


def get(session: Session, name: str) -> Any:
    """The current value of setting ``name``, typed; the default when no admin has set it."""
    definition = DEFINITIONS[name]
    raw = session.scalar(VALUE, {"name": name})
    return definition.default if raw is None else definition.from_json(raw)


def all_values(session: Session) -> dict[str, Any]:
    """Every defined setting with its current value, in one query."""
    stored: dict[str, Any] = dict(session.execute(select(SiteSetting.name, SiteSetting.value)).all())
    return {
        name: definition.from_json(stored[name]) if name in stored else definition.default
        for name, definition in sorted(DEFINITIONS.items())
    }


def change_many(session: Session, actor: audit.Actor, submitted: Mapping[str, str]) -> dict[str, Any]:
    """Set every submitted setting whose value differs from the current one; audit each change.

    All or nothing: every value is checked first, and ``Invalid`` names each field that does not parse
    before anything is written. Only admins reach this (``core`` knows no roles: the ``/admin/`` routes
    check). Returns the changed settings' new values.
    """
    current = all_values(session)
    parsed: dict[str, Any] = {}
    errors = FieldErrors()
    for name, text in submitted.items():
        definition = DEFINITIONS.get(name)
        if definition is None:
            errors.add(name, N_("There is no such setting."))
            continue
        if not text.strip() or text.strip() == str(current[name]):
            continue
        try:
            parsed[name] = definition.parse(text.strip())
        except (ValueError, TypeError, OverflowError):
            errors.add(name, N_("This value is not allowed here."))
    errors.raise_if_any()
    for name, value in parsed.items():
        _store(session, actor, DEFINITIONS[name], current[name], value)
    return parsed


def change(session: Session, actor: audit.Actor, name: str, text: str) -> Any:
    """Set one setting from form text (``change_many`` with one field); returns its value."""
    change_many(session, actor, {name: text})
    return get(session, name)


def _store(session: Session, actor: audit.Actor, definition: Definition, old: Any, value: Any) -> None:
    row = session.get(SiteSetting, definition.name)
    if row is None:
        row = SiteSetting(name=definition.name)
        session.add(row)
    row.value = definition.to_json(value)
    row.updated_at = clock.now()
    row.updated_by = actor.username
    audit.record(
        session,
        actor,
        "site_setting.change",
        "site_setting",
        definition.name,
        old=definition.to_json(old),
        new=definition.to_json(value),
    )
