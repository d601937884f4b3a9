"""The hours ledger (服务时长记录): a line per attended shift, corrections as lines of their own.

A shift's line is written when the leader checks the volunteer out or marks them as having come; it
counts the time inside the shift (check-in to check-out when both are known, else the planned length).
Until the team verifies a line it follows the latest record; once verified it is never changed, and a
correction is a new line with a note. Only verified lines go on a certificate. A leader does not
verify their own lines: another leader or an admin does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import is_admin
from core import audit, clock
from core.db import rowcount
from core.errors import N_, FieldErrors, PermissionDenied
from volunteers.access import access_team, can_lead_team, get_team, is_member, require_signed_in
from volunteers.models import HoursKind, HoursRecord, Shift, Signup, Team

LONGEST_CORRECTION = 24 * 60


def served_minutes(shift: Shift, signup: Signup) -> int:
    """Minutes served: check-in to check-out within the shift's time, or the shift's planned length."""
    if signup.checked_in_at is None or signup.checked_out_at is None:
        return shift.minutes
    start, end = max(signup.checked_in_at, shift.starts_at), min(signup.checked_out_at, shift.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


def record_shift_hours(
    session: Session, actor: User | None, shift: Shift, signup: Signup, now: datetime
) -> HoursRecord:
    """Write the ledger line of an attended sign-up, or bring it up to date while it is unverified."""
    record = session.scalar(select(HoursRecord).where(HoursRecord.signup_id == signup.id))
    if record is None:
        record = HoursRecord(
            user_id=signup.user_id, team_id=shift.team_id, shift_id=shift.id, signup_id=signup.id
        )
        record.kind, record.served_on, record.activity = (
            HoursKind.shift,
            clock.local(shift.starts_at).date(),
            shift.title,
        )
        session.add(record)
    elif record.verified_at is not None:
        return record
    record.minutes, record.recorded_at, record.recorded_by_id = (
        served_minutes(shift, signup),
        now,
        actor.id if actor else None,
    )
    return record


def _serves_team(session: Session, team_id: int, user_id: int) -> bool:
    """An active member of the team, or someone who signed up for one of its shifts or has hours in it
    (a volunteer of an open team need not join it, and may have left since)."""
    if is_member(session, team_id, user_id):
        return True
    signed_up = (
        select(Signup.id).join(Shift, Shift.id == Signup.shift_id).where(Shift.team_id == team_id)
    ).where(Signup.user_id == user_id)
    served = select(HoursRecord.id).where(HoursRecord.team_id == team_id, HoursRecord.user_id == user_id)
    return any(session.scalar(query.limit(1)) is not None for query in (signed_up, served))


def adjust_hours(
    session: Session,
    actor: User | None,
    *,
    team_id: int,
    user_id: int,
    minutes: int,
    note: str,
    served_on: date | None = None,
) -> HoursRecord:
    """Add a correction line (调整时长) of ``minutes`` (negative to take time off), with a note. Audited."""
    team = access_team(session, actor, team_id, lead=True)
    errors = FieldErrors()
    if minutes == 0 or abs(minutes) > LONGEST_CORRECTION:
        errors.add("minutes", N_("A correction is between one minute and 24 hours, more or less."))
    if not note.strip():
        errors.add("note", N_("Say why the hours are corrected."))
    if not _serves_team(session, team.id, user_id):  # the form's hidden id can be anyone's, or no one's
        errors.add("user_id", N_("Hours are corrected only for someone who serves this team."))
    errors.raise_if_any()
    now = clock.now()
    record = HoursRecord(
        user_id=user_id, team_id=team.id, kind=HoursKind.adjustment, minutes=minutes, note=note.strip()[:500]
    )
    record.served_on, record.activity = served_on or clock.local(now).date(), note.strip()[:120]
    record.recorded_at, record.recorded_by_id = now, actor.id if actor else None
    session.add(record)
    audit.record(
        session,
        actor,
        "hours.adjust",
        "team",
        team.id,
        user_id=user_id,
        minutes=minutes,
        note=note.strip()[:200],
    )
    return record


def verify_hours(session: Session, actor: User | None, *, team_id: int, record_ids: Iterable[int]) -> int:
    """Verify ledger lines of the team (核实时长); a leader's own lines wait for another. How many."""
    team = access_team(session, actor, team_id, lead=True)
    assert actor is not None
    statement = update(HoursRecord).where(
        HoursRecord.team_id == team.id,
        HoursRecord.id.in_(list(record_ids)),
        HoursRecord.verified_at.is_(None),
    )
    if not is_admin(actor):
        statement = statement.where(HoursRecord.user_id != actor.id)
    count = rowcount(session.execute(statement.values(verified_at=clock.now(), verified_by_id=actor.id)))
    audit.record(session, actor, "hours.verify", "team", team.id, lines=count)
    return count


# --- what pages show --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoursLine:
    id: int
    user_id: int
    name: str
    team_id: int
    team_name: str
    served_on: date
    activity: str
    kind: HoursKind
    minutes: int
    note: str
    verified_at: datetime | None

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


SHOWN_NAME = func.coalesce(func.nullif(User.display_name, ""), User.username)


def _lines() -> Select[Any]:
    return (
        select(HoursRecord.id, User.id, SHOWN_NAME, Team.id, Team.name, HoursRecord.served_on)
        .add_columns(HoursRecord.activity, HoursRecord.kind, HoursRecord.minutes, HoursRecord.note)
        .add_columns(HoursRecord.verified_at)
        .join(User, User.id == HoursRecord.user_id)
        .join(Team, Team.id == HoursRecord.team_id)
        .order_by(HoursRecord.served_on, HoursRecord.id)
    )


def _to_lines(session: Session, statement: Select[Any]) -> list[HoursLine]:
    return [HoursLine(*row) for row in session.execute(statement)]


def hours_of(
    session: Session, actor: User | None, *, user_id: int, team_id: int | None = None
) -> list[HoursLine]:
    """A volunteer's ledger (all teams, or one): for themselves, that team's leaders and admins."""
    person = require_signed_in(actor)
    own = person.id == user_id or is_admin(person)
    if not own and (team_id is None or not can_lead_team(person, get_team(session, team_id))):
        raise PermissionDenied()
    statement = _lines().where(HoursRecord.user_id == user_id)
    if team_id is not None:
        statement = statement.where(HoursRecord.team_id == team_id)
    return _to_lines(session, statement)


def team_hours(session: Session, actor: User | None, *, team_id: int) -> list[HoursLine]:
    """Every ledger line of a team, for its leaders (the hours export, the verification list)."""
    access_team(session, actor, team_id, lead=True)
    return _to_lines(session, _lines().where(HoursRecord.team_id == team_id))


def total_minutes(lines: Iterable[HoursLine], *, verified_only: bool = False) -> int:
    """The minutes of ``lines`` added up (累计时长), only the verified ones if asked."""
    return sum(line.minutes for line in lines if line.verified or not verified_only)
