"""Open311 API keys: admins issue one per city app or partner, and revoke it when the app goes away.

Only a SHA-256 digest of a key is stored, with its first characters so that admins can tell keys
apart; the key itself is shown once, when it is issued. A key is 32 random bytes, so a fast hash is
enough (nothing to guess from a dictionary) and looking one up per request stays one indexed read.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from accounts.models import User
from accounts.permissions import require_admin
from core import audit, clock
from core.db import Base, rows_as
from core.errors import N_, Conflict, FieldErrors, NotFound
from core.types import intpk

PREFIX = "gz311_"
NAME_MAX = 80


class ApiKey(Base):
    """A key a city app sends as ``api_key`` when it files a service request (POST)."""

    __tablename__ = "open311_keys"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(NAME_MAX))  # whose app: 城管通 App, 12345 热线 …
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the whole key
    shown: Mapped[str] = mapped_column(String(16))  # the key's first characters, to tell keys apart
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]


@dataclass(frozen=True)
class KeyRow:
    """A key as the admin page lists it (never the key itself: it is not kept)."""

    id: int
    name: str
    shown: str
    created_at: datetime
    revoked_at: datetime | None


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def _issue(session: Session, actor: User | None, name: str) -> tuple[ApiKey, str]:
    name = name.strip()
    errors = FieldErrors()
    if not 2 <= len(name) <= NAME_MAX:
        errors.add("name", N_("Name the app or partner in 2 to %(max)s characters."), max=NAME_MAX)
    errors.raise_if_any()
    key = PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name,
        digest=digest(key),
        shown=key[: len(PREFIX) + 4],
        created_at=clock.now(),
        created_by_id=actor.id if actor else None,
    )
    session.add(row)
    session.flush()  # the audit row names the key
    audit.record(session, actor, "open311.key_issue", "open311_key", row.id, name=name)
    return row, key


def issue_key(session: Session, actor: User | None, name: str) -> tuple[ApiKey, str]:
    """Issue a key for an app (admins only); returns the row and the key, which is never stored."""
    return _issue(session, require_admin(actor), name)


def issue_key_from_console(session: Session, name: str) -> tuple[ApiKey, str]:
    """``gongzhi apikey NAME``: whoever runs the command on the server is trusted as an operator."""
    return _issue(session, None, name)


def revoke_key(session: Session, actor: User | None, key_id: int) -> ApiKey:
    """Revoke a key (admins only): from now on it is refused with 403. Revoking twice is refused."""
    admin = require_admin(actor)
    row = session.get(ApiKey, key_id, with_for_update=True)
    if row is None:
        raise NotFound()
    if row.revoked_at is not None:
        raise Conflict(N_("This key was revoked already."))
    row.revoked_at = clock.now()
    audit.record(session, admin, "open311.key_revoke", "open311_key", row.id, name=row.name)
    return row


def find_active_key(session: Session, key: str) -> ApiKey | None:
    """The unrevoked key a request presents, or None (unknown, revoked or empty)."""
    if not key.startswith(PREFIX):
        return None
    return session.scalar(select(ApiKey).where(ApiKey.digest == digest(key), ApiKey.revoked_at.is_(None)))


def list_keys(session: Session) -> list[KeyRow]:
    """Every key, newest first, revoked ones too (so the audit trail reads)."""
    statement = select(ApiKey.id, ApiKey.name, ApiKey.shown, ApiKey.created_at, ApiKey.revoked_at)
    return rows_as(KeyRow, session.execute(statement.order_by(ApiKey.id.desc())))
