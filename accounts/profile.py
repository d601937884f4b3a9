"""What a person changes about their own account: the password, the language notifications use."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounts.login import LockedOut, failure_keys, refund_attempt, reserve_attempt
from accounts.logins import end_logins
from accounts.models import User
from accounts.passwords import Hasher
from accounts.registration import check_password
from core import audit
from core.db import Sessions, run_write
from core.errors import N_, Conflict, FieldErrors, Invalid, NotFound


def change_password(
    sessions: Sessions,
    hasher: Hasher,
    user_id: int,
    *,
    current: str,
    new: str,
    new_again: str,
    login_id: int | None = None,
    ip: str = "",
) -> None:
    """Change a password (修改密码) and end every other login (``login_id`` is the one kept).

    Manages its own transactions like login, and counts a wrong current password like a wrong login
    (the same keys, reserved before hashing): a stolen cookie must not become a password oracle.
    """
    with sessions.read() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound()
        username, seen_hash = user.username, user.password_hash
    errors = FieldErrors()
    if not current:
        errors.add("current", N_("Enter your current password."))
    check_password(errors, new, username, field="new")
    if "new" not in errors and new != new_again:
        errors.add("new_again", N_("The two passwords do not match."))
    errors.raise_if_any()
    keys = failure_keys(username, ip)
    until = run_write(sessions, lambda s: reserve_attempt(s, keys))
    if not hasher.verify(seen_hash, current):
        if until:
            raise LockedOut(until)
        raise Invalid("current", N_("Your current password is not correct."))
    new_hash = hasher.hash(new)

    def store(session: Session) -> None:
        user = session.get(User, user_id, with_for_update=True)
        if user is None:
            raise NotFound()
        if user.password_hash != seen_hash:
            raise Conflict(N_("Your password was changed meanwhile. Log in again."))
        refund_attempt(session, keys)
        user.password_hash = new_hash
        end_logins(session, user.id, keep=login_id)
        audit.record(session, user, "account.password_change", "user", user.id)

    run_write(sessions, store)


def set_locale(session: Session, user: User, locale: str) -> None:
    """Remember the language a person reads the site in: their e-mails and SMS are written in it."""
    user.locale = locale
