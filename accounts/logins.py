"""Logins as records (登录记录): each signed-in browser is a row the login cookie points at.

Logging out ends the row, so a copy of the cookie stops working at once; "log out on other devices",
a password change and a suspension end the rows they concern. The signed-in person, their roles, the
login and the bell's unread count are found in one indexed query per request (``find_viewer``), from
a statement built once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, contains_eager

from accounts.models import Login, Notification, User
from core import audit, clock
from core.db import rowcount
from core.errors import NotFound

MAX_AGE = timedelta(days=14)  # also the cookie's lifetime


@dataclass(frozen=True)
class NewLogin:
    """What the login cookie carries: the row's id and the random secret whose hash the row keeps."""

    login_id: int
    secret: str


@dataclass(frozen=True)
class Device:
    """A signed-in browser as the person's device list shows it."""

    id: int
    created_at: datetime
    ip: str
    user_agent: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_login(session: Session, user_id: int, *, ip: str = "", user_agent: str = "") -> NewLogin:
    """Record a new login for ``user_id`` (the caller has checked the password)."""
    secret = secrets.token_urlsafe(24)
    login = Login(
        user_id=user_id,
        secret_hash=_hash(secret),
        created_at=clock.now(),
        ip=ip[:64],
        user_agent=user_agent[:200],
    )
    session.add(login)
    session.flush()  # the cookie names the login by id
    return NewLogin(login.id, secret)


class Viewer(NamedTuple):
    """The signed-in person behind a request, with their roles loaded."""

    user: User
    login_id: int
    unread: int  # their unread notifications when the request began (the bell in the header)


UNREAD = (
    select(func.count())
    .select_from(Notification)
    .where(Notification.user_id == User.id, Notification.read_at.is_(None))
    .correlate(User)
    .scalar_subquery()
)
VIEWER = (
    select(User, Login.secret_hash, UNREAD.label("unread"))
    .join(Login, Login.user_id == User.id)
    .outerjoin(User.roles)
    .options(contains_eager(User.roles))
    .where(
        Login.id == bindparam("login"),
        Login.ended_at.is_(None),
        Login.created_at > bindparam("since"),
        User.is_active,
    )
)


def find_viewer(session: Session, login_id: int, secret: str) -> Viewer | None:
    """The active user behind a login cookie, with their roles and unread count, in one query; None
    if the login has ended."""
    row = session.execute(VIEWER, {"login": login_id, "since": clock.now() - MAX_AGE}).unique().first()
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(secret)):
        return None
    return Viewer(row.User, login_id, row.unread)


def end_login(session: Session, login_id: int) -> None:
    """Log one browser out (退出登录)."""
    session.execute(
        update(Login).where(Login.id == login_id, Login.ended_at.is_(None)).values(ended_at=clock.now())
    )


def end_logins(session: Session, user_id: int, *, keep: int | None = None) -> int:
    """End every login of ``user_id`` but ``keep``; returns how many ended."""
    statement = update(Login).where(Login.user_id == user_id, Login.ended_at.is_(None))
    if keep is not None:
        statement = statement.where(Login.id != keep)
    return rowcount(session.execute(statement.values(ended_at=clock.now())))


def end_other_logins(session: Session, user: User, current_login_id: int) -> int:
    """Log out everywhere else (退出其他登录); audited."""
    ended = end_logins(session, user.id, keep=current_login_id)
    audit.record(session, user, "account.end_other_logins", "user", user.id, ended=ended)
    return ended


def devices_of(session: Session, user_id: int) -> list[Device]:
    """A person's active logins, newest first (the "your devices" list)."""
    rows = session.execute(
        select(Login.id, Login.created_at, Login.ip, Login.user_agent)
        .where(Login.user_id == user_id, Login.ended_at.is_(None), Login.created_at > clock.now() - MAX_AGE)
        .order_by(Login.id.desc())
    )
    return [Device(*row) for row in rows]


def end_device(session: Session, user: User, login_id: int) -> None:
    """End one of one's own logins from the device list; someone else's is ``NotFound``."""
    owner = session.scalar(select(Login.user_id).where(Login.id == login_id, Login.ended_at.is_(None)))
    if owner != user.id:
        raise NotFound()
    end_login(session, login_id)


def prune(session: Session) -> int:
    """Forget logins that ended or expired more than a day ago."""
    cutoff = clock.now() - MAX_AGE - timedelta(days=1)
    ended = clock.now() - timedelta(days=1)
    statement = delete(Login).where(or_(Login.created_at < cutoff, Login.ended_at < ended))
    return rowcount(session.execute(statement))
