"""Finding and listing accounts."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from accounts.models import Role, User, UserRole
from accounts.permissions import require_admin
from accounts.registration import username_key
from core.errors import NotFound
from core.pages import Page, paginate


def get_user(session: Session, user_id: int) -> User:
    """The user with ``user_id`` or ``NotFound``."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def find_user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username_key == username_key(username)))


def list_users(
    session: Session,
    actor: User | None,
    *,
    query: str = "",
    role: Role | None = None,
    page: int = 1,
    per_page: int = 30,
) -> Page[User]:
    """Accounts matching ``query`` (username or name) for the admin list. Admins only."""
    require_admin(actor)
    statement = select(User)
    if query:
        pattern = f"%{query.strip().casefold()}%"
        statement = statement.where(
            or_(User.username_key.like(pattern), func.lower(User.display_name).like(pattern))
        )
    if role is not None:
        statement = statement.where(User.roles.any(UserRole.role == role))
    # the list shows each person's roles: one more query for the page, not one per row
    statement = statement.order_by(User.id).options(selectinload(User.roles))
    return paginate(session, statement, page=page, per_page=per_page)
