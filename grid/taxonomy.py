"""The case taxonomy: major and minor classes of components (部件) and events (事件), their codes and
handling time limits. Shipped in ``grid/data/taxonomy.toml`` and loaded by a data migration; admins
change limits, add minor classes and retire classes in ``/admin/``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased

from accounts.models import User
from accounts.permissions import require_admin
from core import audit
from core.db import rows_as
from core.errors import N_, FieldErrors, Invalid, NotFound
from core.numbers import whole_number
from grid.models import CaseClass, ClassKind

LIMIT_MAX = 8760  # a year, in hours
NAME_MAX = 40


@dataclass(frozen=True)
class ClassRow:
    """A class as pickers and the admin page show it, with the limit it takes in effect."""

    id: int
    kind: ClassKind
    code: str
    name: str
    parent_id: int | None
    major_name: str | None
    own_limit: int | None
    major_limit: int | None
    is_local: bool
    is_active: bool

    @property
    def limit_hours(self) -> int:
        """A minor class's own limit, or its major class's (DESIGN.md, settled questions)."""
        limit = self.own_limit if self.own_limit is not None else self.major_limit
        assert limit is not None  # a major class always has one (CHECK major_or_minor)
        return limit

    @property
    def is_major(self) -> bool:
        return self.parent_id is None

    @property
    def label(self) -> str:
        return (
            f"{self.code} {self.major_name} · {self.name}" if self.major_name else f"{self.code} {self.name}"
        )


_major = aliased(CaseClass)
ROWS = (
    select(
        CaseClass.id,
        CaseClass.kind,
        CaseClass.code,
        CaseClass.name,
        CaseClass.parent_id,
        _major.name,
        CaseClass.limit_hours,
        func.coalesce(_major.limit_hours, CaseClass.limit_hours),  # a major class is its own major
        CaseClass.is_local,
        CaseClass.is_active,
    )
    .outerjoin(_major, _major.id == CaseClass.parent_id)
    .order_by(CaseClass.kind, CaseClass.code)
)
ONE = ROWS.where(CaseClass.id == bindparam("class_id"))


def all_classes(session: Session) -> list[ClassRow]:
    """Every class, components then events, each major class followed by its minor classes."""
    return rows_as(ClassRow, session.execute(ROWS))


def choices(session: Session) -> list[tuple[ClassKind, str, list[ClassRow]]]:
    """The active minor classes grouped under their major class, for a category picker."""
    grouped: dict[tuple[ClassKind, str], list[ClassRow]] = {}
    for row in all_classes(session):
        if row.is_active and not row.is_major:
            grouped.setdefault((row.kind, row.major_name or ""), []).append(row)
    return [(kind, major, rows) for (kind, major), rows in grouped.items()]


def class_row(session: Session, class_id: int) -> ClassRow:
    values = session.execute(ONE, {"class_id": class_id}).first()
    if values is None:
        raise NotFound()
    return rows_as(ClassRow, [values])[0]


def pick_class(session: Session, class_id: int | None, field: str = "category") -> ClassRow:
    """The active minor class a form names, or ``Invalid`` for that field."""
    if not class_id:
        raise Invalid(field, N_("Choose a category."))
    try:
        row = class_row(session, class_id)
    except NotFound:
        raise Invalid(field, N_("Choose a category from the list.")) from None
    if row.is_major or not row.is_active:
        raise Invalid(field, N_("Choose a category from the list."))
    return row


def due_from(row: ClassRow, start: datetime) -> datetime:
    """When a case of this class is due, counted from ``start`` (its registration)."""
    return start + timedelta(hours=row.limit_hours)


def set_limit(session: Session, actor: User | None, class_id: int, text: str) -> CaseClass:
    """Change a class's time limit in hours; an empty value gives a minor class back its major's."""
    admin = require_admin(actor)
    found = session.get(CaseClass, class_id)
    if found is None:
        raise NotFound()
    text = text.strip()
    if not text and found.parent_id is not None:
        hours = None
    elif 1 <= (whole_number(text) or 0) <= LIMIT_MAX:
        hours = whole_number(text)
    else:
        raise Invalid("limit_hours", N_("A whole number of hours from 1 to %(max)s."), max=LIMIT_MAX)
    audit.record(session, admin, "taxonomy.limit", "case_class", found.id, old=found.limit_hours, new=hours)
    found.limit_hours = hours
    return found


def set_active(session: Session, actor: User | None, class_id: int, active: bool) -> CaseClass:
    """Retire a class from the pickers (cases keep it) or bring it back."""
    admin = require_admin(actor)
    found = session.get(CaseClass, class_id)
    if found is None:
        raise NotFound()
    found.is_active = active
    audit.record(session, admin, "taxonomy.active", "case_class", found.id, active=active)
    return found


def add_minor(
    session: Session, actor: User | None, *, major_id: int, code: str, name: str, limit_hours: str = ""
) -> CaseClass:
    """Add a local minor class under a major class: four digits starting with the major's two."""
    admin = require_admin(actor)
    major = session.get(CaseClass, major_id)
    if major is None or major.parent_id is not None:
        raise Invalid("major", N_("Choose a major class."))
    code, name, limit_text = code.strip(), name.strip(), limit_hours.strip()
    errors = FieldErrors()
    if not (len(code) == 4 and code.isdecimal() and code.startswith(major.code)):
        errors.add("code", N_("Four digits, starting with the major class's %(code)s."), code=major.code)
    elif session.scalar(select(CaseClass.id).where(CaseClass.kind == major.kind, CaseClass.code == code)):
        errors.add("code", N_("This code is taken."))
    if not 1 <= len(name) <= NAME_MAX:
        errors.add("name", N_("A name has 1 to %(max)s characters."), max=NAME_MAX)
    if limit_text and not 1 <= (whole_number(limit_text) or 0) <= LIMIT_MAX:
        errors.add("limit_hours", N_("A whole number of hours from 1 to %(max)s."), max=LIMIT_MAX)
    errors.raise_if_any()
    minor = CaseClass(
        kind=major.kind,
        code=code,
        name=name,
        parent_id=major.id,
        limit_hours=int(limit_text) if limit_text else None,
        is_local=True,
    )
    session.add(minor)
    session.flush()
    audit.record(session, admin, "taxonomy.add", "case_class", minor.id, code=code, name=name)
    return minor


def shipped() -> list[dict[str, Any]]:
    """The major classes in the shipped data file, as parsed (the data migration loads the same file)."""
    text = resources.files("grid").joinpath("data/taxonomy.toml").read_text(encoding="utf-8")
    majors: list[dict[str, Any]] = tomllib.loads(text)["major"]
    return majors
