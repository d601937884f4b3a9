"""Notifications: a bell in the app for everyone, and e-mail or SMS for those who ask for it.

``notify(session, user_ids, kind, target_kind, target_id, params)`` stores one row per person in the
caller's transaction. Delivery by e-mail or SMS is a job per notification and channel, written in the
same transaction, so a rollback sends nothing and a crash loses nothing. The job's handler (it renders
the text in the reader's language, so it lives in ``web``) goes through a ``Channel``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from accounts.models import Notification, NotificationPreference, User
from core import clock, jobs
from core.db import rowcount
from core.errors import N_, NotFound
from core.pages import Page, paginate

CHANNELS = ("email", "sms")
DELIVER_JOB = "notification.deliver"


@dataclass(frozen=True)
class Kind:
    """A kind of notification: its name in code, its label on the settings page, its text (msgids),
    and the kind of object it is about (``web`` links each target kind to a page)."""

    name: str
    label: str
    text: str
    target: str


KINDS: dict[str, Kind] = {}


def define_kind(name: str, label: str, text: str, *, target: str) -> Kind:
    """Declare a notification kind (at import time, in the package that sends it)."""
    kind = Kind(name, label, text, target)
    KINDS[name] = kind
    return kind


define_kind("role_granted", N_("A role was given to me"), N_("You are now: %(role)s."), target="user")


def notify(
    session: Session,
    user_ids: Iterable[int],
    kind: str,
    target_kind: str,
    target_id: object,
    params: dict[str, Any] | None = None,
) -> list[Notification]:
    """Tell each person once (通知). E-mail and SMS go out as jobs for those who chose them."""
    declared = KINDS.get(kind)
    if declared is None:
        raise ValueError(f"unknown notification kind {kind!r}")
    if declared.target != target_kind:
        raise ValueError(f"notification kind {kind!r} is about a {declared.target}, not a {target_kind}")
    now = clock.now()
    people = sorted(set(user_ids))
    created = [
        Notification(
            user_id=uid,
            kind=kind,
            target_kind=target_kind,
            target_id=str(target_id),
            params=params or {},
            created_at=now,
        )
        for uid in people
    ]
    session.add_all(created)
    session.flush()  # the delivery jobs name the notifications by id
    wanted = _channels_wanted(session, people, kind)
    for notification in created:
        for channel in wanted.get(notification.user_id, ()):
            jobs.enqueue(
                session,
                DELIVER_JOB,
                {"notification_id": notification.id, "channel": channel},
                key=f"notification:{notification.id}:{channel}",
            )
    return created


def _channels_wanted(session: Session, user_ids: list[int], kind: str) -> dict[int, list[str]]:
    """Channels each person chose for ``kind`` *and* gave an address for."""
    rows = session.execute(
        select(NotificationPreference, User.email, User.phone)
        .join(User, User.id == NotificationPreference.user_id)
        .where(NotificationPreference.user_id.in_(user_ids), NotificationPreference.kind == kind)
    ).all()
    wanted: dict[int, list[str]] = {}
    for preference, email, phone in rows:
        channels = [
            c
            for c, chosen, address in (("email", preference.email, email), ("sms", preference.sms, phone))
            if chosen and address
        ]
        if channels:
            wanted[preference.user_id] = channels
    return wanted


def unread_about(
    session: Session, user_ids: Iterable[int], kinds: Iterable[str], target_kind: str, target_id: object
) -> set[int]:
    """Who among ``user_ids`` already has an unread notification of ``kinds`` about this target: the
    people a feature that tells "once until read" leaves out."""
    people = list(set(user_ids))
    if not people:
        return set()
    rows = session.scalars(
        select(Notification.user_id).where(
            Notification.user_id.in_(people),
            Notification.kind.in_(list(kinds)),
            Notification.target_kind == target_kind,
            Notification.target_id == str(target_id),
            Notification.read_at.is_(None),
        )
    )
    return set(rows)


def unread_count(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def notifications_for(
    session: Session, user: User, *, page: int = 1, per_page: int = 20
) -> Page[Notification]:
    """A person's notifications, newest first."""
    statement = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc())
    return paginate(session, statement, page=page, per_page=per_page)


def can_read_notification(actor: User | None, notification: Notification) -> bool:
    """Only the person told may see or mark a notification."""
    return actor is not None and notification.user_id == actor.id


def access_notification(session: Session, actor: User | None, notification_id: int) -> Notification:
    """The notification if ``actor`` may see it. ``NotFound`` for someone else's too: what others are
    told is private, so its existence is never confirmed."""
    notification = session.get(Notification, notification_id)
    if notification is None or not can_read_notification(actor, notification):
        raise NotFound()
    return notification


def mark_read(session: Session, user: User, notification_id: int | None = None) -> int:
    """Mark one notification (or, with None, all of them) read. Only one's own: others are NotFound."""
    if notification_id is not None:
        notification = access_notification(session, user, notification_id)
        if notification.read_at is not None:
            return 0
        notification.read_at = clock.now()
        return 1
    statement = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    return rowcount(session.execute(statement.values(read_at=clock.now())))


def preferences(session: Session, user: User) -> dict[str, set[str]]:
    """For every kind, the channels (besides the app) this person chose."""
    chosen: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for row in session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id)
    ):
        if row.kind in chosen:
            chosen[row.kind] = {c for c in CHANNELS if getattr(row, c)}
    return chosen


def set_preferences(session: Session, user: User, chosen: dict[str, set[str]]) -> None:
    """Store which kinds go out by e-mail or SMS. A channel without an address is not offered, so not kept."""
    available = {"email": bool(user.email), "sms": bool(user.phone)}
    for kind in KINDS:
        channels = {c for c in chosen.get(kind, set()) if available.get(c)}
        row = session.get(NotificationPreference, (user.id, kind))
        if row is None:
            row = NotificationPreference(user_id=user.id, kind=kind)
            session.add(row)
        row.email, row.sms = "email" in channels, "sms" in channels


def get_for_delivery(session: Session, notification_id: int) -> tuple[Notification, User] | None:
    """The notification and its reader, for a delivery job (None if either is gone)."""
    row = session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.id == notification_id)
    ).first()
    return (row[0], row[1]) if row else None


def mark_delivered(session: Session, notification_id: int, channel: str) -> None:
    column = Notification.emailed_at if channel == "email" else Notification.texted_at
    session.execute(
        update(Notification).where(Notification.id == notification_id).values({column: clock.now()})
    )
