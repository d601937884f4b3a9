"""Who lives in which cell. Registration with a home cell goes through here: ``grid`` owns the link."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from accounts.login import LoginResult
from accounts.logins import start_login
from accounts.models import StakeholderGroup, User
from accounts.passwords import Hasher
from accounts.registration import check_new_account, is_username_taken, lookalike_fields, register
from core import clock
from core.db import Sessions, run_write
from core.errors import N_, FieldErrors, Invalid
from grid.cells import SUMMARY, CellSummary, find_cell
from grid.models import GridCell, Residence


def register_resident(
    session: Session,
    *,
    username: str,
    password_hash: str,
    group: StakeholderGroup,
    display_name: str = "",
    home_cell_code: str = "",
) -> User:
    """Create an account and, when one is chosen, link its home cell (居住网格). All or nothing."""
    cell = None
    if home_cell_code:
        cell = find_cell(session, home_cell_code)
        if cell is None:
            raise Invalid("home_cell", N_("Choose a grid cell from the list."))
    user = register(
        session, username=username, password_hash=password_hash, group=group, display_name=display_name
    )
    if cell is not None:
        session.add(Residence(user_id=user.id, cell_id=cell.id, since=clock.now()))
    return user


def sign_up(
    sessions: Sessions,
    hasher: Hasher,
    *,
    username: str,
    password: str,
    password_again: str,
    display_name: str,
    group: str,
    home_cell_code: str,
    ip: str = "",
    user_agent: str = "",
) -> LoginResult:
    """Register from the sign-up form (注册) and log in: check, hash outside any transaction, write.

    Like ``accounts.login.authenticate`` it takes the session factory and manages its own short
    transactions, because argon2 is slow and on SQLite a write transaction would hold the database for
    all of it. ``Invalid`` names every field that is wrong, and nothing is written.
    """
    with sessions.read() as session:
        cell_errors = FieldErrors()
        if home_cell_code and find_cell(session, home_cell_code) is None:
            cell_errors.add("home_cell", N_("Choose a grid cell from the list."))
        try:
            chosen = check_new_account(
                username=username,
                password=password,
                password_again=password_again,
                display_name=display_name,
                group=group,
                is_taken=lambda name: is_username_taken(session, name),
                looks_like=lambda name, shown: lookalike_fields(session, name, shown),
            )
        except Invalid as error:  # every problem at once, the cell's too
            raise Invalid.collect({**error.errors, **cell_errors.errors}) from None
        cell_errors.raise_if_any()
    password_hash = hasher.hash(password)

    def write(session: Session) -> LoginResult:
        user = register_resident(
            session,
            username=username,
            password_hash=password_hash,
            group=chosen,
            display_name=display_name,
            home_cell_code=home_cell_code,
        )
        session.flush()  # the login names the new user by id
        return LoginResult(user.id, start_login(session, user.id, ip=ip, user_agent=user_agent))

    return run_write(sessions, write)


HOME = (
    select(*SUMMARY)
    .join(Residence, Residence.cell_id == GridCell.id)
    .where(Residence.user_id == bindparam("user"))
)


def home_cell(session: Session, user_id: int) -> CellSummary | None:
    """The person's home cell, or None. Kept for the session's length: the home page's areas each ask."""
    known = session.info.setdefault(_HOMES, {})
    if user_id not in known:
        row = session.execute(HOME, {"user": user_id}).first()
        known[user_id] = CellSummary(*row) if row else None
    return known[user_id]  # type: ignore[no-any-return]


_HOMES = "gongzhi_home_cells"


def _forget_home(session: Session, user_id: int) -> None:
    session.info.get(_HOMES, {}).pop(user_id, None)


def move_home(session: Session, actor: User, cell_code: str) -> GridCell | None:
    """Set (or with an empty code, clear) the acting person's own home cell."""
    residence = session.get(Residence, actor.id)
    _forget_home(session, actor.id)
    if not cell_code:
        if residence is not None:
            session.delete(residence)
        return None
    cell = find_cell(session, cell_code)
    if cell is None:
        raise Invalid("home_cell", N_("Choose a grid cell from the list."))
    if residence is None:
        session.add(Residence(user_id=actor.id, cell_id=cell.id, since=clock.now()))
    elif residence.cell_id != cell.id:
        residence.cell_id, residence.since = cell.id, clock.now()
    return cell


def resident_count(session: Session, cell_id: int) -> int:
    return session.scalar(select(func.count()).where(Residence.cell_id == cell_id)) or 0


def residences_for(session: Session, user_ids: list[int]) -> dict[int, CellSummary]:
    """Home cells of several people in one query (admin lists): the batch lookup to copy, not N+1."""
    rows = session.execute(
        select(Residence.user_id, *SUMMARY)
        .join(GridCell, GridCell.id == Residence.cell_id)
        .where(Residence.user_id.in_(user_ids))
    )
    return {row[0]: CellSummary(*row[1:]) for row in rows}
