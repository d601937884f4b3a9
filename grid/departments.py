"""Departments that handle cases (专业部门): name, contact and the classes each takes. Kept by admins."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import require_admin
from core import audit, clock
from core.errors import N_, FieldErrors, Invalid, NotFound
from grid.models import CaseClass, Department, DepartmentClass

NAME_MAX, CONTACT_MAX = 60, 200


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    name: str
    contact: str
    class_ids: frozenset[int]


@dataclass(frozen=True)
class DispatchChoice:
    department: DepartmentRow
    takes: bool  # it takes the case's class: offered first

    @property
    def id(self) -> int:
        return self.department.id

    @property
    def name(self) -> str:
        return self.department.name


def list_departments(session: Session) -> list[DepartmentRow]:
    """Every department with the classes it takes, in two queries."""
    taken: dict[int, set[int]] = {}
    for department_id, class_id in session.execute(
        select(DepartmentClass.department_id, DepartmentClass.class_id)
    ):
        taken.setdefault(department_id, set()).add(class_id)
    rows = session.execute(
        select(Department.id, Department.name, Department.contact).order_by(Department.name)
    )
    return [DepartmentRow(i, name, contact, frozenset(taken.get(i, ()))) for i, name, contact in rows]


def for_class(session: Session, class_id: int) -> list[DepartmentRow]:
    """The departments that take a minor class, directly or through its major class."""
    return [c.department for c in dispatch_choices(session, class_id) if c.takes]


def dispatch_choices(session: Session, class_id: int | None) -> list[DispatchChoice]:
    """Every department for 派遣, those that take the class (or its major class) first, in three queries."""
    parent = session.scalar(select(CaseClass.parent_id).where(CaseClass.id == class_id)) if class_id else None
    wanted = {class_id, parent} - {None}
    choices = [DispatchChoice(d, bool(d.class_ids & wanted)) for d in list_departments(session)]
    return sorted(choices, key=lambda c: (not c.takes, c.department.name))


def _check(session: Session, name: str, contact: str, class_ids: list[int]) -> None:
    errors = FieldErrors()
    if not 2 <= len(name) <= NAME_MAX:
        errors.add("name", N_("A name has 2 to %(max)s characters."), max=NAME_MAX)
    if len(contact) > CONTACT_MAX:
        errors.add("contact", N_("At most %(max)s characters."), max=CONTACT_MAX)
    known = (
        set(session.scalars(select(CaseClass.id).where(CaseClass.id.in_(class_ids)))) if class_ids else set()
    )
    if set(class_ids) - known:
        errors.add("classes", N_("Choose classes from the list."))
    errors.raise_if_any()


def save_department(
    session: Session,
    actor: User | None,
    *,
    department_id: int | None,
    name: str,
    contact: str,
    class_ids: list[int],
) -> Department:
    """Add a department (``department_id`` None) or change one; the classes given replace its classes."""
    admin = require_admin(actor)
    name, contact = name.strip(), contact.strip()
    _check(session, name, contact, class_ids)
    department = session.get(Department, department_id) if department_id is not None else None
    if department_id is not None and department is None:
        raise NotFound()
    try:
        # the change is made inside the savepoint, so a refused name leaves nothing pending behind
        with session.begin_nested():
            if department is None:
                department = Department(name=name, contact=contact, created_at=clock.now())
                session.add(department)
            else:
                department.name, department.contact = name, contact
            session.flush()
    except IntegrityError:
        raise Invalid("name", N_("There is a department with this name already.")) from None
    session.execute(delete(DepartmentClass).where(DepartmentClass.department_id == department.id))
    session.add_all(DepartmentClass(department_id=department.id, class_id=c) for c in sorted(set(class_ids)))
    action = "department.add" if department_id is None else "department.edit"
    audit.record(session, admin, action, "department", department.id, name=name, classes=len(set(class_ids)))
    return department
