"""The 网格六定 roster: putting grid staff on a cell in one of the five posts. Admins only; audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.notifications import define_kind, notify
from accounts.permissions import require_admin
from accounts.users import find_user_by_username
from core import audit, clock
from core.errors import N_, Invalid, NotFound
from grid import access
from grid.cells import get_cell
from grid.models import GridCell, RosterEntry, RosterRole

define_kind(
    "roster_assigned",
    N_("I was put on a grid roster"),
    N_("You are now %(post)s of %(cell)s."),
    target="grid_cell",
)


def assign_post(
    session: Session, actor: User | None, *, cell_code: str, username: str, role: RosterRole
) -> RosterEntry:
    """Put a person on a cell's roster in ``role``. A cell has one 网格长; the same post twice is refused."""
    admin = require_admin(actor)
    cell = get_cell(session, cell_code)
    person = find_user_by_username(session, username.strip())
    if person is None:
        raise Invalid("username", N_("There is no account with this username."))
    if any(e.user_id == person.id and e.role is role for e in cell.roster):
        raise Invalid("username", N_("This person already holds this post in this cell."))
    if role is RosterRole.leader and any(e.role is RosterRole.leader for e in cell.roster):
        raise Invalid("role", N_("This cell has a grid leader already. Remove them first."))
    entry = RosterEntry(cell_id=cell.id, user_id=person.id, role=role, since=clock.now())
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:  # another admin filled the post at the same moment
        raise Invalid("role", N_("This post was filled meanwhile. Reload the page.")) from None
    access.forget_staffed_cells(session)
    audit.record(
        session, admin, "roster.assign", "grid_cell", cell.code, user=person.username, role=role.value
    )
    params = {"post": role.label, "cell": cell.name}
    notify(session, [person.id], "roster_assigned", "grid_cell", cell.code, params)
    return entry


def remove_post(session: Session, actor: User | None, *, entry_id: int) -> GridCell:
    """Take a person off a cell's roster."""
    admin = require_admin(actor)
    entry = session.get(RosterEntry, entry_id)
    if entry is None:
        raise NotFound()
    cell = entry.cell
    audit.record(
        session,
        admin,
        "roster.remove",
        "grid_cell",
        cell.code,
        user=entry.user.username,
        role=entry.role.value,
    )
    session.delete(entry)
    access.forget_staffed_cells(session)
    return cell


@dataclass(frozen=True)
class Post:
    """One roster post as pages show it: who holds which post in which cell."""

    entry_id: int
    role: RosterRole
    user_id: int
    display_name: str
    username: str
    cell_id: int
    cell_code: str
    cell_name: str


POSTS = (
    select(
        RosterEntry.id,
        RosterEntry.role,
        User.id,
        User.display_name,
        User.username,
        GridCell.id,
        GridCell.code,
        GridCell.name,
    )
    .join(User, User.id == RosterEntry.user_id)
    .join(GridCell, GridCell.id == RosterEntry.cell_id)
    .order_by(RosterEntry.id)
)
STAFF_OF = POSTS.where(RosterEntry.cell_id == bindparam("cell_id"))
POSTS_OF = POSTS.where(RosterEntry.user_id == bindparam("user_id"))


def staff_of(session: Session, cell_id: int) -> list[Post]:
    """A cell's 网格六定 staff, in the order they were put on the roster."""
    return [Post(*row) for row in session.execute(STAFF_OF, {"cell_id": cell_id})]


def posts_of(session: Session, user_id: int) -> list[Post]:
    """The roster posts a person holds, with their cells."""
    return [Post(*row) for row in session.execute(POSTS_OF, {"user_id": user_id})]


def is_grid_staff(session: Session, user_id: int, cell_id: int | None = None) -> bool:
    """Whether the person holds any roster post (in ``cell_id`` when given)."""
    statement = select(RosterEntry.id).where(RosterEntry.user_id == user_id)
    if cell_id is not None:
        statement = statement.where(RosterEntry.cell_id == cell_id)
    return session.scalar(statement.limit(1)) is not None
