"""Login (登录): like registration (``grid.residents.sign_up``) and the password change, a service
that manages its own transactions.

Each attempt first *reserves* itself as a failure, in its own short write transaction, before any
password is hashed: a key that is locked refuses the attempt without hashing, and no more than the
limit are ever checked, however many arrive at once (the row is locked: ``FOR UPDATE`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite). A right password then refunds its reservation and records the login.

What is counted, following OWASP's authentication guidance:

- per (username, address): a few wrong passwords (``lockout.pair_failures``), then growing delays
  for that address only, so nobody can lock the owner out from another address;
- per username, from every address: a much higher limit (``lockout.account_failures``) against a
  slow distributed guess;
- per address, for every username: ``lockout.ip_failures``, against one address trying many names.

Usernames are counted hashed, existing or not, so a lockout never tells whether an account exists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from accounts.logins import NewLogin, start_login
from accounts.models import LoginFailure, User
from accounts.passwords import Hasher
from accounts.registration import username_key
from core import clock, site_settings
from core.db import Sessions, run_write
from core.errors import N_, Invalid, RateLimited

# failures older than this are forgotten before counting a new one
FAILURE_MEMORY = timedelta(hours=1)
THRESHOLDS = {
    "pair": "lockout.pair_failures",
    "account": "lockout.account_failures",
    "ip": "lockout.ip_failures",
}

Key = tuple[str, str]


@dataclass(frozen=True)
class LoginResult:
    user_id: int
    login: NewLogin


class LockedOut(RateLimited):
    """Too many wrong passwords; ``until`` is when the next attempt will be heard."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        seconds = (until - clock.now()).total_seconds()
        super().__init__(
            int(seconds) + 1, N_("Too many wrong passwords. You can try again after %(until)s."), until=until
        )


def failure_keys(username: str, ip: str) -> list[Key]:
    """The (scope, key) rows one attempt counts against. Usernames are hashed: never store what was typed."""
    account = hashlib.sha256(username_key(username).encode()).hexdigest()
    pair = hashlib.sha256(f"{account}|{ip}".encode()).hexdigest()
    return [("pair", pair), ("account", account), ("ip", ip[:64])]


def authenticate(
    sessions: Sessions, hasher: Hasher, username: str, password: str, ip: str, user_agent: str = ""
) -> LoginResult:
    """Check a username and password and record the login. ``Invalid`` for any wrong pair,
    ``LockedOut`` while a key is locked (then no password is checked at all)."""
    keys = failure_keys(username, ip)
    until = run_write(sessions, lambda s: reserve_attempt(s, keys))
    with sessions.read() as session:
        user = session.scalar(select(User).where(User.username_key == username_key(username)))
        seen_hash = user.password_hash if user and user.is_active else None
    if not hasher.verify(seen_hash, password):  # outside any transaction
        if until:
            raise LockedOut(until)
        raise Invalid("password", N_("The username or password is not correct."))
    assert user is not None and seen_hash is not None
    new_hash = hasher.hash(password) if hasher.needs_rehash(seen_hash) else None
    return run_write(
        sessions,
        lambda s: record_success(s, user.id, keys, seen_hash, new_hash, ip=ip, user_agent=user_agent),
    )


def reserve_attempt(session: Session, keys: list[Key]) -> datetime | None:
    """Count one attempt against every key before its password is checked (it is refunded if right).

    ``LockedOut`` if any key is locked now. Returns when the lock this attempt set ends, if it reached a
    limit (the lock then holds for the attempts after it).
    """
    now = clock.now()
    settings = site_settings.all_values(session)
    rows = [_locked_row(session, scope, key, now) for scope, key in keys]
    locks = [row.locked_until for row in rows if row.locked_until and row.locked_until > now]
    if locks:
        raise LockedOut(max(locks))
    until = None
    for row in rows:
        if now - row.last_failed_at > FAILURE_MEMORY:
            row.failures = 0
        row.failures += 1
        row.last_failed_at = now
        over = row.failures - settings[THRESHOLDS[row.scope]]
        if over >= 0:
            seconds = min(settings["lockout.base_seconds"] * 2**over, settings["lockout.max_seconds"])
            row.locked_until = now + timedelta(seconds=seconds)
            until = max(until or row.locked_until, row.locked_until)
    return until


def _locked_row(session: Session, scope: str, key: str, now: datetime) -> LoginFailure:
    """The failure row of a key, created if missing, locked for this transaction."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {"scope": scope, "key": key, "failures": 0, "last_failed_at": now}
    session.execute(
        insert(LoginFailure).values(**values).on_conflict_do_nothing()
    )  # two first attempts at once
    row = session.get(LoginFailure, (scope, key), with_for_update=True, populate_existing=True)
    assert row is not None
    return row


def refund_attempt(session: Session, keys: list[Key]) -> None:
    """The attempt's password was right: it was no failure, so each count loses this attempt only.

    Nothing is reset: attempts reserved at the same moment are still in flight, and a success in the
    middle of a burst must not buy the burst another round of guesses. Old failures are forgotten
    after ``FAILURE_MEMORY`` instead.
    """
    for scope, key in keys:
        row = session.get(LoginFailure, (scope, key), with_for_update=True)
        if row is None:
            continue
        row.failures = max(0, row.failures - 1)
        threshold = site_settings.get(session, THRESHOLDS[scope])
        if row.failures < threshold and row.locked_until and row.locked_until > clock.now():
            row.locked_until = None  # the lock was this attempt's own reservation


def record_success(
    session: Session,
    user_id: int,
    keys: list[Key],
    seen_hash: str,
    new_hash: str | None,
    *,
    ip: str = "",
    user_agent: str = "",
) -> LoginResult:
    """Refund the attempt, note the login, store a rehash made with today's parameters, start a login."""
    user = session.get(User, user_id, with_for_update=True)
    assert user is not None
    refund_attempt(session, keys)
    user.last_login_at = clock.now()
    if new_hash and user.password_hash == seen_hash:  # a password change meanwhile wins
        user.password_hash = new_hash
    return LoginResult(user.id, start_login(session, user.id, ip=ip, user_agent=user_agent))
