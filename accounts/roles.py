"""Granting and taking roles and stakeholder groups. Admins only; every act is audited."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from accounts.logins import end_logins
from accounts.models import Role, StakeholderGroup, User, UserRole
from accounts.notifications import notify
from accounts.permissions import require_admin
from accounts.registration import register
from accounts.users import find_user_by_username, get_user
from core import audit, clock
from core.errors import N_, Conflict, Invalid


def grant_role(session: Session, actor: User | None, user_id: int, role: Role) -> User:
    """Give ``role`` to a user. Granting a role they hold already changes nothing."""
    admin = require_admin(actor)
    user = get_user(session, user_id)
    if not user.has_role(role):
        user.roles.append(UserRole(role=role, granted_at=clock.now(), granted_by_id=admin.id))
        audit.record(session, admin, "role.grant", "user", user.id, role=role.value)
        notify(session, [user.id], "role_granted", "user", user.id, {"role": role.label})
    return user


def revoke_role(session: Session, actor: User | None, user_id: int, role: Role) -> User:
    """Take ``role`` away. The last administrator cannot be removed, so the site is never ownerless."""
    admin = require_admin(actor)
    user = get_user(session, user_id)
    held = next((r for r in user.roles if r.role is role), None)
    if held is None:
        return user
    if role is Role.admin and user.is_active and _active_admin_count(session) <= 1:
        raise Conflict(N_("This is the last administrator. Make someone else an administrator first."))
    user.roles.remove(held)
    audit.record(session, admin, "role.revoke", "user", user.id, role=role.value, was_chair=held.is_chair)
    return user


def make_chair(session: Session, actor: User | None, user_id: int) -> User:
    """Make a committee member the committee chair (群议委主任); the previous chair stays a member."""
    admin = require_admin(actor)
    user = get_user(session, user_id)
    held = next((r for r in user.roles if r.role is Role.committee_member), None)
    if held is None:
        raise Invalid("role", N_("Only a committee member can chair the committee."))
    if held.is_chair:
        return user
    # clear the old chair in its own statement first: the unique index admits one chair at a time
    session.execute(update(UserRole).where(UserRole.is_chair).values(is_chair=False))
    held.is_chair = True
    audit.record(session, admin, "role.make_chair", "user", user.id)
    return user


def set_group(session: Session, actor: User | None, user_id: int, group: StakeholderGroup) -> User:
    """Set a user's stakeholder group (四意). Only here can someone become government or community."""
    admin = require_admin(actor)
    user = get_user(session, user_id)
    if user.group is not group:
        old = user.group
        user.group = group
        audit.record(session, admin, "group.set", "user", user.id, old=old.value, new=group.value)
    return user


def set_active(session: Session, actor: User | None, user_id: int, active: bool) -> User:
    """Suspend or restore an account; suspending also ends its logins."""
    admin = require_admin(actor)
    user = get_user(session, user_id)
    if user.id == admin.id and not active:
        raise Conflict(N_("You cannot suspend your own account."))
    if not active and user.is_active and user.has_role(Role.admin) and _active_admin_count(session) <= 1:
        raise Conflict(N_("This is the last administrator. Make someone else an administrator first."))
    if user.is_active != active:
        user.is_active = active
        if not active:
            end_logins(session, user.id)
        audit.record(session, admin, "account.activate" if active else "account.suspend", "user", user.id)
    return user


def _active_admin_count(session: Session) -> int:
    """Administrators who can still log in: a suspended one cannot open /admin/ to undo anything."""
    statement = (
        select(func.count())
        .select_from(UserRole)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.admin, User.is_active)
    )
    return session.scalar(statement) or 0


def committee_chair(session: Session) -> User | None:
    """The current committee chair, if there is one."""
    return session.scalar(select(User).join(UserRole, UserRole.user_id == User.id).where(UserRole.is_chair))


def bootstrap_admin(session: Session, *, username: str, password_hash: str) -> User:
    """Create an administrator from the command line (no acting user), or promote an existing account."""
    user = find_user_by_username(session, username)
    if user is None:
        user = register(
            session, username=username, password_hash=password_hash, group=StakeholderGroup.resident
        )
    if not user.has_role(Role.admin):
        user.roles.append(UserRole(role=Role.admin, granted_at=clock.now()))
        audit.record(session, None, "role.grant", "user", user.id, role=Role.admin.value)
    return user
