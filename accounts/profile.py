"""What a person changes about their own account: password, and ending their other logins."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.passwords import Hasher
from accounts.registration import check_password
from core import audit
from core.db import Sessions, run_write
from core.errors import N_, Conflict, FieldErrors, Invalid, NotFound


def change_password(
    sessions: Sessions, hasher: Hasher, user_id: int, *, current: str, new: str, new_again: str
) -> int:
    """Change a password (修改密码) and end every other login; return the new auth epoch.

    Manages its own transactions like login: both hashes run outside any transaction.
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
    if not hasher.verify(seen_hash, current):
        raise Invalid("current", N_("Your current password is not correct."))
    new_hash = hasher.hash(new)

    def store(session: Session) -> int:
        user = session.get(User, user_id, with_for_update=True)
        if user is None:
            raise NotFound()
        if user.password_hash != seen_hash:
            raise Conflict(N_("Your password was changed meanwhile. Log in again."))
        user.password_hash = new_hash
        user.auth_epoch += 1
        audit.record(session, user, "account.password_change", "user", user.id)
        return user.auth_epoch

    return run_write(sessions, store)


def set_locale(session: Session, user: User, locale: str) -> None:
    """Remember the language a person reads the site in: their e-mails and SMS are written in it."""
    user.locale = locale


def end_other_logins(session: Session, user: User) -> int:
    """Log out everywhere else (退出其他登录): bump the epoch that login cookies carry."""
    user.auth_epoch += 1
    audit.record(session, user, "account.end_other_logins", "user", user.id)
    return user.auth_epoch
