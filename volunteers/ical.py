"""A volunteer's personal calendar feed (iCalendar, RFC 5545) of their shifts, at a secret address.

The address carries a random token; only its SHA-256 is stored, so the address is shown once, when
it is made, and making a new one (or revoking it) ends the old one. Event UIDs are one per shift and
never change, so a calendar that reads the feed again updates its event instead of showing the shift
twice; SEQUENCE follows the shift's revision, and a cancelled shift stays in the feed as CANCELLED so
calendars take it away.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accounts.models import User
from core import clock
from core.errors import NotFound
from volunteers.access import require_signed_in
from volunteers.models import CalendarFeed, Shift, ShiftStatus, Signup, SignupStatus, Team

S = SignupStatus
UID_DOMAIN = "volunteers.gongzhi"
HISTORY = timedelta(days=90)  # how far back the feed reaches
IN_CALENDAR = (S.confirmed, S.offered, S.attended, S.no_show)
EVENT_STATUS = {
    S.confirmed: "CONFIRMED",
    S.attended: "CONFIRMED",
    S.no_show: "CONFIRMED",
    S.offered: "TENTATIVE",
}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(session: Session, actor: User | None) -> str:
    """Make the acting volunteer's feed address (订阅日历), ending any earlier one; returns its token."""
    person = require_signed_in(actor)
    token = secrets.token_urlsafe(24)
    feed = session.get(CalendarFeed, person.id) or CalendarFeed(user_id=person.id)
    feed.token_hash, feed.created_at = _digest(token), clock.now()
    session.add(feed)
    return token


def revoke_feed(session: Session, actor: User | None) -> None:
    """Stop the acting volunteer's feed: its address answers ``NotFound`` from now on."""
    person = require_signed_in(actor)
    feed = session.get(CalendarFeed, person.id)
    if feed is not None:
        session.delete(feed)


def has_feed(session: Session, user_id: int) -> bool:
    """Whether the volunteer has a calendar address that works."""
    return session.get(CalendarFeed, user_id) is not None


def feed_owner(session: Session, token: str) -> int:
    """Whose feed ``token`` opens; ``NotFound`` for an unknown or revoked one."""
    user_id = session.scalar(select(CalendarFeed.user_id).where(CalendarFeed.token_hash == _digest(token)))
    if user_id is None:
        raise NotFound()
    return user_id


def event_uid(shift_id: int) -> str:
    """The shift's UID in every feed, now and later."""
    return f"shift-{shift_id}@{UID_DOMAIN}"


def calendar_for_token(session: Session, token: str, *, name: str = "Gongzhi") -> bytes:
    """The feed behind ``token`` as iCalendar bytes (the address needs no login: the token is the key)."""
    return calendar_of(session, feed_owner(session, token), name=name)


def calendar_of(session: Session, user_id: int, *, name: str = "Gongzhi") -> bytes:
    """A volunteer's shifts from ``HISTORY`` ago on: theirs, offered to them, or cancelled by the team."""
    calendar = Calendar()
    calendar.add("prodid", "-//Gongzhi//Volunteer shifts//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for shift, team_name, status in _entries(session, user_id, clock.now() - HISTORY):
        calendar.add_component(_event(shift, team_name, status))
    return bytes(calendar.to_ical())


def _entries(session: Session, user_id: int, since: datetime) -> list[tuple[Shift, str, SignupStatus]]:
    statement = (
        select(Shift, Team.name, Signup.status)
        .join(Signup, Signup.shift_id == Shift.id)
        .join(Team, Team.id == Shift.team_id)
        .where(Signup.user_id == user_id, Shift.ends_at > since)
        .where(or_(Signup.status.in_(IN_CALENDAR), Shift.status == ShiftStatus.cancelled))
        .order_by(Shift.starts_at, Shift.id, Signup.id)
    )
    chosen: dict[int, tuple[Shift, str, SignupStatus]] = {}
    for shift, team_name, status in session.execute(statement):
        if shift.id not in chosen or status in IN_CALENDAR:  # one event per shift, whatever its history
            chosen[shift.id] = (shift, team_name, status)
    return list(chosen.values())


def _event(shift: Shift, team_name: str, status: SignupStatus) -> Event:
    event = Event()
    event.add("uid", event_uid(shift.id))
    event.add("dtstamp", shift.updated_at)
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    event.add("summary", shift.title)
    event.add("location", shift.place)
    event.add("description", f"{team_name}\n{shift.description}".strip())
    event.add("sequence", shift.revision)
    cancelled = shift.status is ShiftStatus.cancelled
    event.add("status", "CANCELLED" if cancelled else EVENT_STATUS.get(status, "CONFIRMED"))
    return event
