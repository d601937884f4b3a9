"""Login: like registration (``grid.residents.sign_up``) and the password change, a service that
manages its own transactions.

It reads the user, verifies the hash outside any transaction (argon2 is slow, and on SQLite a write
transaction would hold the database for all of it), then writes. A failed attempt is counted in its
own short transaction, because the request's transaction rolls back on a 4xx. Failures are counted per
submitted username, existing or not, so a lockout never tells whether an account exists, and per IP.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import LoginFailure, User
from accounts.passwords import Hasher
from accounts.registration import username_key
from core import clock, site_settings
from core.db import Sessions, run_write
from core.errors import N_, Invalid, RateLimited

# failures older than this are forgotten before counting a new one
FAILURE_MEMORY = timedelta(hours=1)


@dataclass(frozen=True)
class LoginResult:
    user_id: int
    auth_epoch: int


class LockedOut(RateLimited):
    """Too many wrong passwords; ``until`` is when the next attempt will be heard."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        seconds = (until - clock.now()).total_seconds()
        super().__init__(
            int(seconds) + 1, N_("Too many wrong passwords. You can try again after %(until)s."), until=until
        )


def failure_keys(username: str, ip: str) -> list[tuple[str, str]]:
    """The (scope, key) rows one attempt counts against. Usernames are hashed: never store what was typed."""
    account = hashlib.sha256(username_key(username).encode()).hexdigest()
    return [("account", account), ("ip", ip[:64])]


def _active_lock(session: Session, keys: list[tuple[str, str]]) -> datetime | None:
    now = clock.now()
    until = None
    for scope, key in keys:
        row = session.get(LoginFailure, (scope, key))
        if row and row.locked_until and row.locked_until > now:
            until = max(until or row.locked_until, row.locked_until)
    return until


def authenticate(sessions: Sessions, hasher: Hasher, username: str, password: str, ip: str) -> LoginResult:
    """Check a username and password (登录). ``Invalid`` for any wrong pair, ``LockedOut`` while locked."""
    keys = failure_keys(username, ip)
    with sessions.read() as session:
        if until := _active_lock(session, keys):
            raise LockedOut(until)
        user = session.scalar(select(User).where(User.username_key == username_key(username)))
        seen_hash = user.password_hash if user and user.is_active else None
    if not hasher.verify(seen_hash, password):  # outside any transaction
        until = run_write(sessions, lambda s: record_failure(s, keys))
        if until:
            raise LockedOut(until)
        raise Invalid("password", N_("The username or password is not correct."))
    assert user is not None and seen_hash is not None
    new_hash = hasher.hash(password) if hasher.needs_rehash(seen_hash) else None
    return run_write(sessions, lambda s: record_success(s, user.id, keys[0], seen_hash, new_hash))


def record_failure(session: Session, keys: list[tuple[str, str]]) -> datetime | None:
    """Count one wrong password against each key; return the lock's end if one now applies."""
    now = clock.now()
    settings = site_settings.all_values(session)
    thresholds = {"account": settings["lockout.account_failures"], "ip": settings["lockout.ip_failures"]}
    until = None
    for scope, key in keys:
        row = session.get(LoginFailure, (scope, key), with_for_update=True)
        if row is None:
            row = LoginFailure(scope=scope, key=key, failures=0, last_failed_at=now)
            session.add(row)
        elif now - row.last_failed_at > FAILURE_MEMORY and not (row.locked_until and row.locked_until > now):
            row.failures = 0
        row.failures += 1
        row.last_failed_at = now
        over = row.failures - thresholds[scope]
        if over >= 0:
            seconds = min(settings["lockout.base_seconds"] * 2**over, settings["lockout.max_seconds"])
            row.locked_until = now + timedelta(seconds=seconds)
            until = max(until or row.locked_until, row.locked_until)
    return until


def record_success(
    session: Session, user_id: int, account_key: tuple[str, str], seen_hash: str, new_hash: str | None
) -> LoginResult:
    """Forget the account's failures, note the login, and store a rehash made with today's parameters."""
    user = session.get(User, user_id, with_for_update=True)
    assert user is not None
    row = session.get(LoginFailure, account_key)
    if row is not None:
        session.delete(row)
    user.last_login_at = clock.now()
    if new_hash and user.password_hash == seen_hash:  # a password change meanwhile wins
        user.password_hash = new_hash
    return LoginResult(user.id, user.auth_epoch)
