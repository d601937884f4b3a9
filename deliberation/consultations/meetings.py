"""Meetings of a consultation (议事会): scheduled by the convener or the chair, with an agenda and the
parties invited; after it, who came and the minutes, published (text and a file). Each has an .ics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from icalendar import Calendar, Event
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from accounts.models import User
from core import clock, files, markdown
from core.db import rows_as
from core.errors import N_, FieldErrors, Invalid, NotFound
from deliberation.consultations.access import access_to_steer, get_consultation
from deliberation.consultations.lifecycle import record_step
from deliberation.consultations.models import Consultation, Meeting

MINUTES_OWNER = "consultation_meeting"
TEXT_MAX = 20_000


@dataclass(frozen=True)
class MeetingView:
    id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    agenda: str
    invited: str
    attendance: str
    minutes_html: str
    minutes_published_at: datetime | None

    @property
    def is_past(self) -> bool:
        return self.ends_at <= clock.now()


OF_CONSULTATION = (
    select(
        Meeting.id,
        Meeting.starts_at,
        Meeting.ends_at,
        Meeting.place,
        Meeting.agenda,
        Meeting.invited,
        Meeting.attendance,
        Meeting.minutes_html,
        Meeting.minutes_published_at,
    )
    .where(Meeting.consultation_id == bindparam("consultation"))
    .order_by(Meeting.starts_at)
)


def meetings_of(session: Session, consultation_id: int) -> list[MeetingView]:
    return rows_as(MeetingView, session.execute(OF_CONSULTATION, {"consultation": consultation_id}))


def schedule_meeting(
    session: Session,
    actor: User | None,
    consultation_id: int,
    *,
    starts_at: datetime | None,
    ends_at: datetime | None,
    place: str,
    agenda: str = "",
    invited: str = "",
) -> Meeting:
    """Schedule a meeting (召开议事会); ``Invalid`` names each wrong field before anything is written."""
    consultation = access_to_steer(session, actor, consultation_id)
    errors = FieldErrors()
    if starts_at is None:
        errors.add("starts_at", N_("Give the date and time it starts."))
    if ends_at is None:
        errors.add("ends_at", N_("Give the time it ends."))
    elif starts_at is not None and ends_at <= starts_at:
        errors.add("ends_at", N_("It must end after it starts."))
    if not 2 <= len(place.strip()) <= 120:
        errors.add("place", N_("Say where (2 to 120 characters)."))
    for field, value in (("agenda", agenda), ("invited", invited)):
        if len(value) > TEXT_MAX:
            errors.add(field, N_("At most %(max)s characters."), max=TEXT_MAX)
    errors.raise_if_any()
    assert starts_at is not None and ends_at is not None
    meeting = Meeting(
        consultation_id=consultation.id,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        agenda=agenda.strip(),
        invited=invited.strip(),
        created_at=clock.now(),
    )
    session.add(meeting)
    record_step(session, consultation, "meeting", None, actor, place.strip())
    return meeting


def publish_minutes(
    session: Session,
    actor: User | None,
    meeting_id: int,
    *,
    attendance: str,
    minutes: str,
    upload: BinaryIO | None = None,
    upload_name: str = "",
    upload_dir: Path | None = None,
    max_bytes: int = 10 * 1024 * 1024,
) -> Meeting:
    """Publish who came and what was said (会议纪要), once the meeting has begun; a file may go with it."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    consultation = access_to_steer(session, actor, meeting.consultation_id)
    errors = FieldErrors()
    if meeting.starts_at > clock.now():
        errors.add("minutes", N_("Minutes are published after the meeting has begun."))
    if not minutes.strip():
        errors.add("minutes", N_("Write the minutes first."))
    elif len(minutes) > TEXT_MAX:
        errors.add("minutes", N_("At most %(max)s characters."), max=TEXT_MAX)
    prepared = _prepare(errors, upload, upload_name, upload_dir, max_bytes)
    errors.raise_if_any()
    meeting.attendance, meeting.minutes = attendance.strip(), minutes
    meeting.minutes_html, meeting.minutes_published_at = markdown.render(minutes), clock.now()
    meeting.revision += 1
    if prepared is not None and upload_dir is not None and actor is not None:
        files.keep(
            session,
            upload_dir,
            prepared,
            owner_kind=MINUTES_OWNER,
            owner_id=meeting.id,
            uploaded_by_id=actor.id,
        )
    record_step(session, consultation, "minutes", None, actor, "")
    return meeting


def _prepare(
    errors: FieldErrors, upload: BinaryIO | None, name: str, upload_dir: Path | None, max_bytes: int
) -> files.Prepared | None:
    if upload is None:
        return None
    try:
        return files.prepare(upload, name=name or "minutes", max_bytes=max_bytes)
    except Invalid as error:
        errors.errors.setdefault("file", error.errors["file"])
        return None


def minutes_files(session: Session, meeting_ids: list[int]) -> dict[str, list[files.FileSummary]]:
    return files.summaries_for(session, MINUTES_OWNER, list(meeting_ids))


def meeting_calendar(session: Session, meeting_id: int) -> tuple[bytes, str]:
    """The meeting as an iCalendar file (and a file name): a stable UID, its revision as SEQUENCE, so a
    calendar updates the one event instead of adding another."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    consultation = get_consultation(session, meeting.consultation_id)
    calendar = Calendar()
    calendar.add("prodid", "-//Gongzhi//consultation meetings//ZH")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"consultation-meeting-{meeting.id}@gongzhi")
    event.add("sequence", meeting.revision)
    event.add("summary", f"议事会：{consultation.title}")
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("dtstamp", meeting.created_at)
    event.add("location", meeting.place)
    if meeting.agenda:
        event.add("description", meeting.agenda)
    calendar.add_component(event)
    return calendar.to_ical(), f"meeting-{meeting.id}.ics"


def _public(session: Session, actor: object, owner_id: str) -> bool:
    """Published minutes are public like their consultation."""
    meeting = session.get(Meeting, int(owner_id)) if owner_id.isdecimal() else None
    return meeting is not None and meeting.minutes_published_at is not None


files.register_owner(MINUTES_OWNER, _public)


def consultation_of(session: Session, meeting_id: int) -> Consultation:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    return get_consultation(session, meeting.consultation_id)
