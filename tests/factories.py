"""Nouns for tests: accounts and cells made through the services, never by setting columns."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounts import roles
from accounts.models import Role, StakeholderGroup, User
from accounts.passwords import Hasher
from grid import cells
from grid.models import GridCell
from grid.residents import register_resident

PASSWORD = "correct horse battery"

_counter = {"cell": 0}


def make_user(
    session: Session,
    hasher: Hasher,
    username: str,
    *,
    group: StakeholderGroup = StakeholderGroup.resident,
    roles_held: tuple[Role, ...] = (),
    admin: User | None = None,
    password: str = PASSWORD,
    display_name: str = "",
    home_cell: str = "",
) -> User:
    """A registered account; granted groups and roles go through an admin, as in the app."""
    start_group = group if group.self_chosen else StakeholderGroup.resident
    user = register_resident(
        session,
        username=username,
        password_hash=hasher.hash(password),
        group=start_group,
        display_name=display_name,
        home_cell_code=home_cell,
    )
    if roles_held or not group.self_chosen:
        assert admin is not None, "granting roles or groups needs an admin"
        for role in roles_held:
            roles.grant_role(session, admin, user.id, role)
        if not group.self_chosen:
            roles.set_group(session, admin, user.id, group)
    return user


def make_admin(session: Session, hasher: Hasher, username: str = "admin", password: str = PASSWORD) -> User:
    return roles.bootstrap_admin(session, username=username, password_hash=hasher.hash(password))


def make_cell(
    session: Session,
    *,
    name: str = "",
    street: str = "清河街道",
    community: str = "柳岸社区",
    code: str | None = None,
) -> GridCell:
    _counter["cell"] += 1
    number = _counter["cell"]
    cell = cells.add_cell(
        session,
        code=code or f"349901001001{number:03d}",
        name=name or f"柳岸社区第{number}网格",
        street=street,
        community=community,
        scope="东至人民路，西至淮河路。",
    )
    session.flush()  # callers link people to the cell by id
    return cell
