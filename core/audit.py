"""The audit log of privileged actions, written in the same transaction as the action it records."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import JSON, Index, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import clock
from core.db import Base
from core.pages import Page, paginate
from core.types import intpk


class Actor(Protocol):
    id: int
    username: str


class AuditEntry(Base):
    """One privileged act. The actor's name is copied so the log reads the same after renames."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target", "target_kind", "target_id"),)

    id: Mapped[intpk]
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None]
    actor_name: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    target_kind: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    target_kind: str,
    target_id: object,
    note: str = "",
    **details: Any,
) -> AuditEntry:
    """Add an audit row for ``action`` on ``target``; it commits or rolls back with the action."""
    # Flush the acts before this one so ids follow the order of acts: the unit of work may reorder
    # pending rows of one flush when a pending object was discarded in between (grant, then revoke).
    session.flush()
    entry = AuditEntry(
        at=clock.now(),
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else "system",
        action=action,
        target_kind=target_kind,
        target_id=str(target_id),
        note=note[:500],
        details=details,
    )
    session.add(entry)
    return entry


def list_entries(session: Session, *, page: int = 1, per_page: int = 50) -> Page[AuditEntry]:
    """Newest first."""
    return paginate(session, select(AuditEntry).order_by(AuditEntry.id.desc()), page=page, per_page=per_page)


def list_entries_for(
    session: Session, target_kind: str, target_id: object, *, limit: int = 20
) -> tuple[list[AuditEntry], int]:
    """The newest entries about one object (an admin's view of a user's history)."""
    where = (AuditEntry.target_kind == target_kind, AuditEntry.target_id == str(target_id))
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    rows = session.scalars(select(AuditEntry).where(*where).order_by(AuditEntry.id.desc()).limit(limit)).all()
    return list(rows), total
