"""Shifts (志愿服务班次): one-off and weekly, edited or cancelled by the team's leaders; the shift lists.

A weekly series is a rule (``Series``) and one row per week: every occurrence keeps its own capacity,
sign-ups and changes, and the series only says where they came from. Times are stored in UTC; a
series repeats at the same Asia/Shanghai wall-clock time. Changing the time or place tells everyone
signed up; lowering the capacity below the places taken moves the latest back to the waitlist first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from accounts.models import User
from core import audit, clock
from core.errors import N_, FieldErrors, Invalid, NotFound
from core.pages import Page, paginate
from volunteers.access import access_shift, access_team, can_lead_team, get_team, lock_shifts
from volunteers.lifecycle import ACTIVE, move
from volunteers.models import (
    Series,
    Shift,
    ShiftSkill,
    ShiftStatus,
    Signup,
    SignupStatus,
    Skill,
    Team,
    TeamCell,
)
from volunteers.notices import tell
from volunteers.waitlist import demote_over_capacity, fill_free_places, movable_places

CELL_CODE = re.compile(r"^\d{15}$")
LONGEST = timedelta(hours=24)
MAX_CAPACITY = 1000
MAX_WEEKS = 52


@dataclass(frozen=True)
class ShiftDraft:
    """What a shift form carries, parsed: aware datetimes, whole numbers, skills."""

    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    description: str = ""
    skills: frozenset[Skill] = field(default_factory=frozenset)
    min_age: int | None = None
    signup_deadline: datetime | None = None  # None: until the start
    opens_hours_before: int | None = None  # popular shifts: sign-up opens this long before
    cell_code: str | None = None

    @property
    def deadline(self) -> datetime:
        return self.signup_deadline or self.starts_at


def check_draft(
    session: Session, team: Team, draft: ShiftDraft, now: datetime, *, times_changed: bool = True
) -> None:
    """``Invalid`` naming every wrong field, before anything is written."""
    errors = FieldErrors()
    for name, value, longest in (("title", draft.title, 120), ("place", draft.place, 200)):
        if not value.strip() or len(value.strip()) > longest:
            errors.add(name, N_("This field is required (at most %(max)s characters)."), max=longest)
    _check_times(errors, draft, now, times_changed)
    if not 1 <= draft.capacity <= MAX_CAPACITY:
        errors.add("capacity", N_("Between 1 and %(max)s volunteers."), max=MAX_CAPACITY)
    if draft.min_age is not None and not 1 <= draft.min_age <= 99:
        errors.add("min_age", N_("A minimum age is between 1 and 99."))
    if draft.opens_hours_before is not None and not 1 <= draft.opens_hours_before <= 720:
        errors.add("opens_hours_before", N_("Between 1 and 720 hours before the start."))
    _check_cell(session, errors, team, draft.cell_code)
    errors.raise_if_any()


def _check_times(errors: FieldErrors, draft: ShiftDraft, now: datetime, times_changed: bool) -> None:
    if times_changed and draft.starts_at <= now:
        errors.add("starts_at", N_("A shift starts in the future."))
    if not draft.starts_at < draft.ends_at <= draft.starts_at + LONGEST:
        errors.add("ends_at", N_("A shift ends after it starts, within 24 hours."))
    if draft.deadline > draft.starts_at:
        errors.add("signup_deadline", N_("Sign-up closes at the start at the latest."))


def _check_cell(session: Session, errors: FieldErrors, team: Team, code: str | None) -> None:
    if code is None:
        return
    served = set(session.scalars(select(TeamCell.cell_code).where(TeamCell.team_id == team.id)))
    if not CELL_CODE.match(code) or (served and code not in served):
        errors.add("cell_code", N_("Choose one of the grid cells the team serves."))


def _new_shift(team: Team, actor: User | None, draft: ShiftDraft, now: datetime) -> Shift:
    shift = Shift(team_id=team.id, status=ShiftStatus.scheduled, taken=0, next_position=0, revision=0)
    shift.created_at, shift.created_by_id = now, actor.id if actor else None
    _apply(shift, draft, now)
    shift.skills = [ShiftSkill(skill=skill) for skill in sorted(draft.skills, key=lambda s: s.value)]
    return shift


def _apply(shift: Shift, draft: ShiftDraft, now: datetime) -> None:
    shift.title, shift.place, shift.description = (
        draft.title.strip(),
        draft.place.strip(),
        draft.description.strip(),
    )
    shift.starts_at, shift.ends_at, shift.signup_deadline = draft.starts_at, draft.ends_at, draft.deadline
    shift.min_age, shift.opens_hours_before, shift.cell_code = (
        draft.min_age,
        draft.opens_hours_before,
        draft.cell_code,
    )
    shift.updated_at = now


def create_shift(session: Session, actor: User | None, *, team_id: int, draft: ShiftDraft) -> Shift:
    """Post a one-off shift (发布班次). The team's leaders; audited."""
    team = access_team(session, actor, team_id, lead=True)
    now = clock.now()
    check_draft(session, team, draft, now)
    shift = _new_shift(team, actor, draft, now)
    shift.capacity = draft.capacity
    session.add(shift)
    session.flush()  # the audit row names the shift by id
    audit.record(session, actor, "shift.create", "shift", shift.id, title=shift.title)
    return shift


def create_weekly_series(
    session: Session, actor: User | None, *, team_id: int, draft: ShiftDraft, weeks: int
) -> Series:
    """Post a shift that repeats every week for ``weeks`` weeks (每周例行班次), at the same local time."""
    team = access_team(session, actor, team_id, lead=True)
    now = clock.now()
    check_draft(session, team, draft, now)
    if not 1 <= weeks <= MAX_WEEKS:
        raise Invalid("weeks", N_("A weekly shift repeats for 1 to %(max)s weeks."), max=MAX_WEEKS)
    local = clock.local(draft.starts_at)
    series = Series(
        team_id=team.id, weekday=local.weekday(), local_start=f"{local:%H:%M}", first_day=local.date()
    )
    series.minutes, series.weeks = int((draft.ends_at - draft.starts_at).total_seconds() // 60), weeks
    series.created_at, series.created_by_id = now, actor.id if actor else None
    session.add(series)
    session.flush()  # its shifts name the series by id
    for week in range(weeks):
        shift = _new_shift(team, actor, _week_later(draft, week), now)
        shift.capacity, shift.series_id = draft.capacity, series.id
        session.add(shift)
    audit.record(
        session, actor, "series.create", "team", team.id, series_id=series.id, title=draft.title, weeks=weeks
    )
    return series


def _week_later(draft: ShiftDraft, weeks: int) -> ShiftDraft:
    """The draft moved ``weeks`` weeks on at the same Asia/Shanghai wall-clock time."""
    local = clock.local(draft.starts_at)
    moved_day = local.date() + timedelta(weeks=weeks)
    start = datetime.combine(moved_day, time(local.hour, local.minute), tzinfo=local.tzinfo).astimezone(UTC)
    delta = start - draft.starts_at
    deadline = draft.signup_deadline + delta if draft.signup_deadline else None
    return replace(draft, starts_at=start, ends_at=draft.ends_at + delta, signup_deadline=deadline)


def edit_shift(session: Session, actor: User | None, *, shift_id: int, draft: ShiftDraft) -> Shift:
    """Change a shift (修改班次). Those signed up are told of a new time or place; a lower capacity
    moves the latest sign-ups back to the waitlist, a higher one offers places to those waiting."""
    shift = access_shift(session, actor, shift_id, lead=True, lock=True)
    now = clock.now()
    _check_editable(shift, now)
    times_changed = (draft.starts_at, draft.ends_at) != (shift.starts_at, shift.ends_at)
    check_draft(session, get_team(session, shift.team_id), draft, now, times_changed=times_changed)
    _check_capacity(session, shift, draft.capacity)
    moved = times_changed or draft.place.strip() != shift.place
    _apply(shift, draft, now)
    _set_skills(shift, draft.skills)
    shift.revision += 1
    _change_capacity(session, shift, draft.capacity, now)
    if moved:
        tell(session, _people_signed_up(session, shift.id), "volunteer_shift_changed", shift)
    audit.record(session, actor, "shift.edit", "shift", shift.id, title=shift.title, capacity=shift.capacity)
    return shift


def _check_editable(shift: Shift, now: datetime) -> None:
    if shift.status is ShiftStatus.cancelled:
        raise Invalid("shift", N_("%(shift)s is cancelled."), shift=shift.title)
    if shift.starts_at <= now:
        raise Invalid("shift", N_("%(shift)s has started and can no longer be changed."), shift=shift.title)


def _check_capacity(session: Session, shift: Shift, capacity: int) -> None:
    kept = shift.taken - movable_places(session, shift.id)  # checked in already: those places stay
    if capacity < kept:
        raise Invalid("capacity", N_("%(count)s volunteers have checked in already."), count=kept)


def _change_capacity(session: Session, shift: Shift, capacity: int, now: datetime) -> None:
    if capacity < shift.taken:
        demote_over_capacity(session, shift, capacity, now)  # first: the CHECK holds at every flush
        shift.capacity = capacity
    else:
        shift.capacity = capacity
        fill_free_places(session, shift, now)


def _set_skills(shift: Shift, wanted: frozenset[Skill]) -> None:
    for row in [row for row in shift.skills if row.skill not in wanted]:
        shift.skills.remove(row)
    shift.skills.extend(
        ShiftSkill(skill=skill) for skill in sorted(wanted - shift.required_skills, key=lambda s: s.value)
    )


def _people_signed_up(session: Session, shift_id: int) -> list[int]:
    statement = select(Signup.user_id).where(Signup.shift_id == shift_id, Signup.status.in_(ACTIVE))
    return list(session.scalars(statement))


def cancel_shift(session: Session, actor: User | None, *, shift_id: int) -> Shift:
    """Cancel a shift (取消班次): every sign-up is cancelled (never late) and its volunteer told."""
    shift = access_shift(session, actor, shift_id, lead=True, lock=True)
    _check_editable(shift, clock.now())
    _cancel(session, actor, shift, clock.now())
    return shift


def cancel_series(session: Session, actor: User | None, *, shift_id: int) -> list[Shift]:
    """Cancel this occurrence of a weekly shift and every later one that has not started."""
    first = access_shift(session, actor, shift_id, lead=True)
    now = clock.now()
    _check_editable(first, now)
    if first.series_id is None:
        return [cancel_shift(session, actor, shift_id=shift_id)]
    later = select(Shift.id).where(
        Shift.series_id == first.series_id,
        Shift.starts_at >= first.starts_at,
        Shift.status == ShiftStatus.scheduled,
    )
    shifts = lock_shifts(session, session.scalars(later))  # several shifts: in id order, like everyone
    for shift in shifts:
        _cancel(session, actor, shift, now)
    return shifts


def _cancel(session: Session, actor: User | None, shift: Shift, now: datetime) -> None:
    affected = list(
        session.scalars(select(Signup).where(Signup.shift_id == shift.id, Signup.status.in_(ACTIVE)))
    )
    for signup in affected:
        move(shift, signup, SignupStatus.cancelled, now)
    shift.status, shift.updated_at, shift.revision = ShiftStatus.cancelled, now, shift.revision + 1
    tell(session, [s.user_id for s in affected], "volunteer_shift_cancelled", shift)
    audit.record(session, actor, "shift.cancel", "shift", shift.id, title=shift.title, signups=len(affected))


# --- what pages show --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftRow:
    """A shift in a list: what the list shows, places left included."""

    id: int
    title: str
    team_id: int
    team_name: str
    place: str
    cell_code: str | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int
    status: ShiftStatus

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken) if self.status is ShiftStatus.scheduled else 0


ROW_COLUMNS = (
    Shift.id, Shift.title, Shift.team_id, Team.name, Shift.place, Shift.cell_code,
    Shift.starts_at, Shift.ends_at, Shift.capacity, Shift.taken, Shift.status,
)  # fmt: skip


def _rows() -> Select[*tuple[Any, ...]]:
    return select(*ROW_COLUMNS).join(Team, Team.id == Shift.team_id)


def list_upcoming_shifts(
    session: Session,
    *,
    day: date | None = None,
    team_id: int | None = None,
    cell_code: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page[ShiftRow]:
    """Scheduled shifts not yet over, soonest first; filtered by local day, team and grid cell."""
    statement = _rows().where(Shift.status == ShiftStatus.scheduled, Shift.ends_at > clock.now())
    if day is not None:
        start = datetime.combine(day, time(), tzinfo=clock.LOCAL_TZ).astimezone(UTC)
        statement = statement.where(Shift.starts_at >= start, Shift.starts_at < start + timedelta(days=1))
    if team_id is not None:
        statement = statement.where(Shift.team_id == team_id)
    if cell_code:
        served = select(TeamCell.team_id).where(TeamCell.cell_code == cell_code)
        statement = statement.where(
            or_(Shift.cell_code == cell_code, Shift.cell_code.is_(None) & Shift.team_id.in_(served))
        )
    found = paginate(
        session, statement.order_by(Shift.starts_at, Shift.id), page=page, per_page=per_page, rows=True
    )
    return Page([ShiftRow(*row) for row in found.items], found.number, found.per_page, found.total)


def shift_summaries(session: Session, shift_ids: list[int]) -> dict[int, ShiftRow]:
    """Several shifts by id in one query (a resolution's call for volunteers lists its shifts)."""
    if not shift_ids:
        return {}
    return {row.id: ShiftRow(*row) for row in session.execute(_rows().where(Shift.id.in_(shift_ids)))}


def find_shift(session: Session, shift_id: int) -> ShiftRow | None:
    """One shift's list row by id, or None: a primary-key lookup."""
    return shift_summaries(session, [shift_id]).get(shift_id)


@dataclass(frozen=True)
class ShiftView:
    """One shift for its page."""

    row: ShiftRow
    description: str
    min_age: int | None
    signup_deadline: datetime
    opens_at: datetime | None
    skills: tuple[Skill, ...]
    series_id: int | None


def shift_view(session: Session, shift_id: int) -> ShiftView:
    """A shift for its page, in two queries (the row, its skills); ``NotFound`` if missing."""
    extra = (
        Shift.description,
        Shift.min_age,
        Shift.signup_deadline,
        Shift.opens_hours_before,
        Shift.series_id,
    )
    found = session.execute(_rows().add_columns(*extra).where(Shift.id == shift_id)).first()
    if found is None:
        raise NotFound()
    row = ShiftRow(*found[: len(ROW_COLUMNS)])
    description, min_age, deadline, opens_hours, series_id = found[len(ROW_COLUMNS) :]
    opens = row.starts_at - timedelta(hours=opens_hours) if opens_hours is not None else None
    skills = tuple(
        session.scalars(
            select(ShiftSkill.skill).where(ShiftSkill.shift_id == shift_id).order_by(ShiftSkill.skill)
        )
    )
    return ShiftView(row, description, min_age, deadline, opens, skills, series_id)


def can_lead_shift(session: Session, actor: User | None, shift_id: int) -> bool:
    """Whether to show a shift's leader buttons (never the guard: the services check again)."""
    row = find_shift(session, shift_id)
    return row is not None and can_lead_team(actor, get_team(session, row.team_id))
