"""Daily housekeeping of ``accounts``: old login failures that lock nothing, logins long ended."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_

from accounts import logins
from accounts.login import FAILURE_MEMORY
from accounts.models import LoginFailure
from core import clock
from core.db import run_write
from core.jobs import JobContext, handler
from core.schedules import DailyAt, every


@handler("accounts.prune_login_failures", timeout=60)
def prune_login_failures(context: JobContext, payload: dict[str, Any]) -> None:
    """Delete failure counts older than their memory whose lockout has ended."""
    now = clock.now()
    statement = delete(LoginFailure).where(
        LoginFailure.last_failed_at < now - FAILURE_MEMORY,
        or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until < now),
    )
    run_write(context.sessions, lambda session: session.execute(statement))


every("accounts.prune_login_failures", "accounts.prune_login_failures", DailyAt(3, 50))


@handler("accounts.prune_logins", timeout=60)
def prune_logins(context: JobContext, payload: dict[str, Any]) -> None:
    """Delete login records that ended or expired more than a day ago."""
    run_write(context.sessions, logins.prune)


every("accounts.prune_logins", "accounts.prune_logins", DailyAt(3, 55))
