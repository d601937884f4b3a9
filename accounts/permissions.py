"""Role predicates only. Whether someone may act on one object lives next to that object's models."""

from __future__ import annotations

from accounts.models import Role, StakeholderGroup, User
from core.errors import PermissionDenied


def is_admin(user: User | None) -> bool:
    return user is not None and user.is_active and user.has_role(Role.admin)


def is_moderator(user: User | None) -> bool:
    return user is not None and user.is_active and (user.has_role(Role.moderator) or is_admin(user))


def is_committee_member(user: User | None) -> bool:
    return user is not None and user.is_active and user.has_role(Role.committee_member)


def is_committee_chair(user: User | None) -> bool:
    return is_committee_member(user) and any(r.is_chair for r in user.roles)  # type: ignore[union-attr]


def speaks_for(user: User | None, group: StakeholderGroup) -> bool:
    return user is not None and user.group is group


def require_admin(user: User | None) -> User:
    """Return ``user`` if they are an admin; raise ``PermissionDenied`` otherwise."""
    if not is_admin(user):
        raise PermissionDenied()
    assert user is not None
    return user
