"""Nouns for tests: accounts, cells, teams and shifts made through the services, never by setting columns."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from accounts import roles
from accounts.models import Role, StakeholderGroup, User
from accounts.passwords import Hasher
from core import clock
from grid import cells
from grid.models import GridCell
from grid.residents import register_resident
from volunteers.models import JoinPolicy, Shift, Team
from volunteers.shifts import ShiftDraft, create_shift
from volunteers.teams import TeamDraft, create_team

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


def make_team(
    session: Session,
    admin: User,
    leader: User,
    *,
    name: str = "柳岸社区志愿服务队",
    cells: tuple[str, ...] = (),
    join_policy: JoinPolicy = JoinPolicy.open,
    **overrides: int,
) -> Team:
    """A volunteer team founded by an admin with ``leader`` as its first leader."""
    draft = TeamDraft(
        name=name,
        organisation=f"清河街道{name}",
        description="清扫、巡逻、助老。",
        join_policy=join_policy,
        cell_codes=cells,
        **overrides,  # type: ignore[arg-type]
    )
    return create_team(session, admin, draft=draft, leader_id=leader.id)


def shift_draft(
    *,
    title: str = "周末河道清扫",
    starts_at: datetime | None = None,
    hours: float = 3,
    capacity: int = 5,
    **fields: object,
) -> ShiftDraft:
    """A shift form's values: two days from now unless ``starts_at`` is given."""
    start = starts_at or clock.now() + timedelta(days=2)
    return ShiftDraft(
        title=title,
        place="柳岸公园南门",
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        capacity=capacity,
        **fields,  # type: ignore[arg-type]
    )


def make_shift(session: Session, leader: User, team: Team, **draft: object) -> Shift:
    """A one-off shift posted by a leader of ``team``."""
    shift = create_shift(session, leader, team_id=team.id, draft=shift_draft(**draft))  # type: ignore[arg-type]
    session.flush()
    return shift
