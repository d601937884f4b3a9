"""Who may do what with teams, shifts and sign-ups, and fetching them (with row locks for writes).

Leadership is per team: a leader (队长, co-leaders too) leads their own team and no other. Admins
create teams and may act as any team's leader (``accounts.permissions.is_admin``).

Lock order, everywhere: the shift first (several shifts by id), then volunteers by id. On PostgreSQL
these are ``SELECT … FOR NO KEY UPDATE`` row locks: as strong as the ``UPDATE`` of ``taken`` needs, and
not in the way of rows that merely refer to the locked one (a notification for the volunteer). On
SQLite ``with_for_update()`` emits nothing; the write session's ``BEGIN IMMEDIATE`` serialises writers.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import is_admin
from core.errors import NotFound, PermissionDenied
from volunteers.models import Membership, MemberStatus, Shift, Signup, Team

FOR_UPDATE = {"key_share": True}  # FOR NO KEY UPDATE on PostgreSQL


def can_lead_team(actor: User | None, team: Team) -> bool:
    """Leaders of this team and admins run its shifts, members, hours and certificates."""
    if actor is None or not actor.is_active:
        return False
    return is_admin(actor) or any(m.user_id == actor.id for m in team.leaders)


def can_create_team(actor: User | None) -> bool:
    """Founding a team (成立服务队) is for admins."""
    return is_admin(actor)


def is_signed_in(actor: User | None) -> bool:
    """A signed-in, active account (visitors may look, not sign up)."""
    return actor is not None and actor.is_active


def can_act_on_signup(actor: User | None, signup: Signup, team: Team) -> bool:
    """The volunteer themselves, or a leader of the shift's team; nobody else."""
    return is_signed_in(actor) and (signup.user_id == actor.id or can_lead_team(actor, team))  # type: ignore[union-attr]


def require_signed_in(actor: User | None) -> User:
    """The actor, or ``PermissionDenied`` for a visitor or a suspended account."""
    if not is_signed_in(actor):
        raise PermissionDenied()
    assert actor is not None
    return actor


def get_team(session: Session, team_id: int, *, lock: bool = False) -> Team:
    """The team, row-locked with ``lock`` (its leaders change); ``NotFound`` if missing."""
    team = session.get(Team, team_id, with_for_update=FOR_UPDATE if lock else None, populate_existing=lock)
    if team is None:
        raise NotFound()
    return team


def access_team(session: Session, actor: User | None, team_id: int, *, lead: bool = False) -> Team:
    """The team (teams are public); with ``lead``, only for its leaders and admins."""
    team = get_team(session, team_id)
    if lead and not can_lead_team(actor, team):
        raise PermissionDenied()
    return team


def lock_shift(session: Session, shift_id: int) -> Shift:
    """The shift, row-locked and freshly read (another transaction may have changed it meanwhile)."""
    shift = session.get(Shift, shift_id, with_for_update=FOR_UPDATE, populate_existing=True)
    if shift is None:
        raise NotFound()
    return shift


def lock_shifts(session: Session, shift_ids: Iterable[int]) -> list[Shift]:
    """Several shifts, locked in id order (the order every writer takes them in)."""
    ids = sorted(set(shift_ids))
    statement = select(Shift).where(Shift.id.in_(ids)).order_by(Shift.id).with_for_update(key_share=True)
    return list(session.scalars(statement.execution_options(populate_existing=True)))


def lock_volunteers(session: Session, user_ids: Iterable[int]) -> None:
    """Lock the volunteers' rows in id order: their other sign-ups cannot change meanwhile."""
    ids = sorted(set(user_ids))
    if ids:
        session.execute(
            select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update(key_share=True)
        )


def access_shift(
    session: Session, actor: User | None, shift_id: int, *, lead: bool = False, lock: bool = False
) -> Shift:
    """The shift (public); with ``lead``, only for its team's leaders; with ``lock``, row-locked."""
    shift = lock_shift(session, shift_id) if lock else session.get(Shift, shift_id)
    if shift is None:
        raise NotFound()
    if lead and not can_lead_team(actor, get_team(session, shift.team_id)):
        raise PermissionDenied()
    return shift


def reload_signup(session: Session, signup_id: int) -> Signup:
    """A sign-up read afresh (call after locking its shift: its status may have moved meanwhile)."""
    signup = session.get(Signup, signup_id, populate_existing=True)
    if signup is None:
        raise NotFound()
    return signup


def shift_of_signup(session: Session, signup_id: int) -> int:
    """The shift a sign-up belongs to (never changes, so it is read before the lock)."""
    shift_id = session.scalar(select(Signup.shift_id).where(Signup.id == signup_id))
    if shift_id is None:
        raise NotFound()
    return shift_id


def access_signup(
    session: Session, actor: User | None, signup_id: int, *, lead: bool = False
) -> tuple[Shift, Signup, Team]:
    """Lock the sign-up's shift, then read the sign-up: for its volunteer, or (``lead``) its leaders."""
    shift = lock_shift(session, shift_of_signup(session, signup_id))
    signup = reload_signup(session, signup_id)
    team = get_team(session, shift.team_id)
    allowed = can_lead_team(actor, team) if lead else can_act_on_signup(actor, signup, team)
    if not allowed:
        raise PermissionDenied()
    return shift, signup, team


def is_member(session: Session, team_id: int, user_id: int) -> bool:
    """Whether the person is an active member (队员) of the team."""
    found = session.scalar(
        select(Membership.user_id).where(
            Membership.team_id == team_id,
            Membership.user_id == user_id,
            Membership.status == MemberStatus.active,
        )
    )
    return found is not None
