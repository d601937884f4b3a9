"""Cases (案件): opening one (the one place a case is created, whatever its source), a resident's own
report (随手拍), following, and the read path of the case page and the lists.

A case number is the year and a sequence (2026-000042), taken from a per-year counter row bumped in
place, so two cases opened at once never share a number.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from accounts.models import User
from accounts.notifications import define_kind, notify
from core import audit, clock, events, files
from core.db import rows_as
from core.errors import N_, Conflict, FieldErrors, Invalid, NotFound, PermissionDenied
from core.pages import Page, paginate
from grid import access, cells, taxonomy
from grid.models import (
    Case,
    CaseClass,
    CaseCounter,
    CaseFollower,
    CaseSource,
    CaseState,
    CaseStep,
    Department,
    GridCell,
    Residence,
    RosterEntry,
    case_number,
)

WORKING = (CaseState.registered, CaseState.dispatched)  # the states a due date runs in
TITLE_MAX, DESCRIPTION_MAX, ADDRESS_MAX, PHOTOS_MAX = 120, 4000, 200, 4
STEP_PHOTOS = "grid_case_step"

define_kind(
    "case_new",
    N_("A new case in a grid cell I staff"),
    N_("New case %(number)s in %(cell)s: «%(title)s»."),
    target="grid_case",
)


def _step_viewable(session: Session, actor: object, owner_id: str) -> bool:
    step = session.get(CaseStep, int(owner_id)) if owner_id.isdecimal() else None
    if step is None:
        return False
    case = session.get(Case, step.case_id)
    return case is not None and access.can_view(session, actor if isinstance(actor, User) else None, case)


files.register_owner(STEP_PHOTOS, _step_viewable)


@dataclass
class Opening:
    """What a new case is opened with, from whichever source."""

    source: CaseSource
    source_ref: str | None
    title: str
    description: str = ""
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    class_id: int | None = None
    cell_id: int | None = None
    suggested_cell_id: int | None = None
    reporter_id: int | None = None
    staff_only: bool = False
    followers: set[int] = field(default_factory=set)
    note: str = ""


@dataclass(frozen=True)
class CaseOpened:
    """Published by ``open_case`` inside its transaction (the connector enqueues the forward on it)."""

    case_id: int
    staff_only: bool


def _next_sequence(session: Session, year: int) -> int:
    if session.get(CaseCounter, year) is None:
        try:
            with session.begin_nested():
                session.add(CaseCounter(year=year, last=0))
        except IntegrityError:  # another case took the year's first number meanwhile
            pass
    bumped = session.execute(
        update(CaseCounter)
        .where(CaseCounter.year == year)
        .values(last=CaseCounter.last + 1)
        .returning(CaseCounter.last)
    )
    return int(bumped.scalar_one())


def open_case(session: Session, actor: User | None, opening: Opening) -> Case:
    """Create a case in state ``reported`` with its first step and followers; its cell's staff are told,
    and ``CaseOpened`` is published in the same transaction (a public case is forwarded to the city).

    ``Conflict`` when the source has handed this reference over already (the unique source reference).
    """
    now = clock.now()
    case = Case(
        year=clock.local(now).year,
        sequence=0,
        source=opening.source,
        source_ref=opening.source_ref,
        title=opening.title,
        description=opening.description,
        address=opening.address,
        lat=opening.lat,
        lng=opening.lng,
        class_id=opening.class_id,
        cell_id=opening.cell_id,
        suggested_cell_id=opening.suggested_cell_id,
        reporter_id=opening.reporter_id,
        staff_only=opening.staff_only,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            case.sequence = _next_sequence(session, case.year)
            session.add(case)
            session.flush()
    except IntegrityError:
        raise Conflict(N_("This has been handed to the grid already.")) from None
    step = CaseStep(
        case_id=case.id,
        action="report",
        to_state=CaseState.reported,
        actor_id=actor.id if actor else None,
        note=opening.note,
        at=now,
    )
    session.add(step)
    session.add_all(
        CaseFollower(case_id=case.id, user_id=uid, since=now) for uid in sorted(opening.followers)
    )
    session.flush()
    _tell_cell_staff(session, case)
    events.publish(session, CaseOpened(case.id, case.staff_only))
    audit.record(
        session, actor, "case.open", "grid_case", case.id, number=case.number, source=case.source.value
    )
    return case


def _tell_cell_staff(session: Session, case: Case) -> None:
    cell_id = case.cell_id or case.suggested_cell_id
    if cell_id is None:
        return
    cell = session.get(GridCell, cell_id)
    assert cell is not None
    staff = set(session.scalars(select(RosterEntry.user_id).where(RosterEntry.cell_id == cell_id)))
    params = {"number": case.number, "cell": cell.name, "title": case.title}
    notify(session, staff, "case_new", "grid_case", case.id, params)


def first_step_id(session: Session, case_id: int) -> int:
    return session.scalar(select(func.min(CaseStep.id)).where(CaseStep.case_id == case_id)) or 0


def report_problem(
    session: Session,
    actor: User | None,
    *,
    ref: str,
    class_id: int | None,
    title: str,
    description: str,
    address: str,
    lat: float | None,
    lng: float | None,
    photos: list[files.Upload] | None = None,
    upload_dir: Path | None = None,
    max_photo_bytes: int = 10 * 1024 * 1024,
) -> Case:
    """A resident's own report (随手拍): a ``reported`` case with no cell until 立案, which they follow.

    ``ref`` is the form's one-time reference: pressing "send" twice opens one case (the second press
    gets the first case back). ``Invalid`` names every wrong field before anything is written.
    """
    if actor is None or not actor.is_active:
        raise PermissionDenied()
    ref = ref.strip()[:40]
    if ref:
        earlier = session.scalar(
            select(Case).where(Case.source == CaseSource.resident, Case.source_ref == f"{actor.id}:{ref}")
        )
        if earlier is not None:
            return earlier
    title, description, address = title.strip(), description.strip(), address.strip()
    errors = FieldErrors()
    category = _check_category(session, errors, class_id)
    if not 4 <= len(title) <= TITLE_MAX:
        errors.add("title", N_("Say in 4 to %(max)s characters what is wrong."), max=TITLE_MAX)
    if len(description) > DESCRIPTION_MAX:
        errors.add("description", N_("At most %(max)s characters."), max=DESCRIPTION_MAX)
    _check_place(errors, address, lat, lng)
    prepared = files.prepare_photos(errors, photos or [], upload_dir, max_photo_bytes, limit=PHOTOS_MAX)
    errors.raise_if_any()
    suggested = cells.nearest_cell(session, lat, lng) if lat is not None and lng is not None else None
    if suggested is None:
        suggested = session.scalar(select(Residence.cell_id).where(Residence.user_id == actor.id))
    case = open_case(
        session,
        actor,
        Opening(
            source=CaseSource.resident,
            source_ref=f"{actor.id}:{ref or uuid.uuid4().hex}",
            title=title,
            description=description,
            address=address,
            lat=lat,
            lng=lng,
            class_id=category.id if category else None,
            suggested_cell_id=suggested,
            reporter_id=actor.id,
            followers={actor.id},
        ),
    )
    files.keep_all(
        session,
        upload_dir,
        prepared,
        owner_kind=STEP_PHOTOS,
        owner_id=first_step_id(session, case.id),
        uploaded_by_id=actor.id,
    )
    return case


def _check_category(session: Session, errors: FieldErrors, class_id: int | None) -> taxonomy.ClassRow | None:
    try:
        return taxonomy.pick_class(session, class_id)
    except Invalid as error:
        errors.errors.update(error.errors)
        return None


def _check_place(errors: FieldErrors, address: str, lat: float | None, lng: float | None) -> None:
    if len(address) > ADDRESS_MAX:
        errors.add("address", N_("At most %(max)s characters."), max=ADDRESS_MAX)
    located = lat is not None and lng is not None
    if located and not (-90 <= lat <= 90 and -180 <= lng <= 180):  # type: ignore[operator]
        errors.add("address", N_("This location is not on the map. Type the address instead."))
    elif not address and not located:
        errors.add("address", N_("Give the address, or let the phone give its location."))


# --- following -------------------------------------------------------------------------------------


def follower_ids(session: Session, case_id: int) -> set[int]:
    return set(session.scalars(select(CaseFollower.user_id).where(CaseFollower.case_id == case_id)))


def is_following(session: Session, user: User | None, case_id: int) -> bool:
    return user is not None and session.get(CaseFollower, (case_id, user.id)) is not None


def follow(session: Session, actor: User | None, case_id: int, on: bool) -> None:
    """Follow a case (told at each step, asked at 核查) or stop."""
    if actor is None or not actor.is_active:
        raise PermissionDenied()
    access.access_to_view(session, actor, case_id)
    if on and not is_following(session, actor, case_id):
        session.add(CaseFollower(case_id=case_id, user_id=actor.id, since=clock.now()))
    elif not on:
        session.execute(
            delete(CaseFollower).where(CaseFollower.case_id == case_id, CaseFollower.user_id == actor.id)
        )


# --- the read path ---------------------------------------------------------------------------------

_major = aliased(CaseClass)
_reporter = aliased(User)
_assignee = aliased(User)
_suggested = aliased(GridCell)


@dataclass(frozen=True)
class CaseRow:
    """A case as lists show it."""

    id: int
    year: int
    sequence: int
    title: str
    state: CaseState
    source: CaseSource
    class_name: str | None
    cell_code: str | None
    cell_name: str | None
    address: str
    due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    staff_only: bool

    @property
    def number(self) -> str:
        return case_number(self.year, self.sequence)

    def is_overdue(self, now: datetime) -> bool:
        """Past its due date while still with the grid or the department (not once handled)."""
        return self.due_at is not None and self.state in WORKING and self.due_at < now


@dataclass(frozen=True)
class CaseView(CaseRow):
    """A case as its own page shows it."""

    description: str
    class_id: int | None
    class_code: str | None
    major_name: str | None
    cell_id: int | None
    suggested_cell_id: int | None
    suggested_cell_code: str | None
    suggested_cell_name: str | None
    lat: float | None
    lng: float | None
    source_ref: str | None
    reporter_id: int | None
    reporter_name: str | None
    department_id: int | None
    department_name: str | None
    department_contact: str | None
    assignee_id: int | None
    assignee_name: str | None
    extensions: int
    reworks: int
    verify_round: int
    closed_at: datetime | None


ROW_COLUMNS = (
    Case.id,
    Case.year,
    Case.sequence,
    Case.title,
    Case.state,
    Case.source,
    CaseClass.name,
    GridCell.code,
    GridCell.name,
    Case.address,
    Case.due_at,
    Case.created_at,
    Case.updated_at,
    Case.staff_only,
)
ROWS = (
    select(*ROW_COLUMNS)
    .outerjoin(CaseClass, CaseClass.id == Case.class_id)
    .outerjoin(GridCell, GridCell.id == Case.cell_id)
)
VIEW = (
    select(
        *ROW_COLUMNS,
        Case.description,
        Case.class_id,
        CaseClass.code,
        _major.name,
        Case.cell_id,
        Case.suggested_cell_id,
        _suggested.code,
        _suggested.name,
        Case.lat,
        Case.lng,
        Case.source_ref,
        Case.reporter_id,
        _reporter.display_name,
        Case.department_id,
        Department.name,
        Department.contact,
        Case.assignee_id,
        _assignee.display_name,
        Case.extensions,
        Case.reworks,
        Case.verify_round,
        Case.closed_at,
    )
    .outerjoin(CaseClass, CaseClass.id == Case.class_id)
    .outerjoin(_major, _major.id == CaseClass.parent_id)
    .outerjoin(GridCell, GridCell.id == Case.cell_id)
    .outerjoin(_suggested, _suggested.id == Case.suggested_cell_id)
    .outerjoin(_reporter, _reporter.id == Case.reporter_id)
    .outerjoin(Department, Department.id == Case.department_id)
    .outerjoin(_assignee, _assignee.id == Case.assignee_id)
    .where(Case.id == bindparam("case_id"))
)


def case_view(session: Session, actor: User | None, case_id: int) -> CaseView:
    """One case for its page, in one query; ``NotFound`` when there is none or ``actor`` may not see it."""
    row = session.execute(VIEW, {"case_id": case_id}).first()
    found = rows_as(CaseView, [row])[0] if row is not None else None
    if found is None or not access.can_view(session, actor, found):
        raise NotFound()
    return found


@dataclass(frozen=True)
class StepRow:
    """One step of a case's history."""

    id: int
    action: str
    from_state: CaseState | None
    to_state: CaseState | None
    actor_name: str | None
    note: str
    due_at: datetime | None
    at: datetime


HISTORY = (
    select(
        CaseStep.id,
        CaseStep.action,
        CaseStep.from_state,
        CaseStep.to_state,
        func.coalesce(func.nullif(User.display_name, ""), User.username),
        CaseStep.note,
        CaseStep.due_at,
        CaseStep.at,
    )
    .outerjoin(User, User.id == CaseStep.actor_id)
    .where(CaseStep.case_id == bindparam("case_id"))
    .order_by(CaseStep.id)
)


def history(session: Session, case_id: int) -> list[StepRow]:
    """Every step of a case, oldest first (the reader checked the case may be seen)."""
    return rows_as(StepRow, session.execute(HISTORY, {"case_id": case_id}))


def step_photos(session: Session, steps: list[StepRow]) -> dict[str, list[files.FileSummary]]:
    return files.summaries_for(session, STEP_PHOTOS, [s.id for s in steps])


def list_public(
    session: Session,
    *,
    state: CaseState | None = None,
    cell_code: str = "",
    page: int = 1,
    per_page: int = 30,
) -> Page[CaseRow]:
    """The public list: every case but the staff-only ones, newest activity first."""
    statement = ROWS.where(Case.staff_only.is_(False))
    if state is not None:
        statement = statement.where(Case.state == state)
    if cell_code:
        statement = statement.where(GridCell.code == cell_code)
    statement = statement.order_by(Case.updated_at.desc(), Case.id.desc())
    found = paginate(session, statement, page=page, per_page=per_page, rows=True)
    return Page(rows_as(CaseRow, found.items), found.number, found.per_page, found.total)


AGREED_SOURCES = (CaseSource.consultation, CaseSource.forum, CaseSource.resident)
RECENTLY_CLOSED = (
    ROWS.where(Case.state == CaseState.closed, Case.staff_only.is_(False), Case.source.in_(AGREED_SOURCES))
    .order_by(Case.closed_at.desc(), Case.id.desc())
    .limit(bindparam("limit"))
)


def recently_closed(session: Session, limit: int = 5) -> list[CaseRow]:
    """Closed cases that residents raised or agreed on (the home page)."""
    return rows_as(CaseRow, session.execute(RECENTLY_CLOSED, {"limit": limit}))


def case_for_source(session: Session, source: CaseSource, source_ref: str) -> CaseRow | None:
    """The case a consultation, thread or dispute became, if any."""
    rows = rows_as(CaseRow, session.execute(ROWS.where(Case.source == source, Case.source_ref == source_ref)))
    return rows[0] if rows else None


def cases_for_sources(session: Session, source: CaseSource, refs: list[str]) -> dict[str, CaseRow]:
    """The cases several consultations or threads became, by reference, in one query."""
    if not refs:
        return {}
    statement = select(Case.source_ref, *ROW_COLUMNS).outerjoin(CaseClass, CaseClass.id == Case.class_id)
    statement = statement.outerjoin(GridCell, GridCell.id == Case.cell_id)
    statement = statement.where(Case.source == source, Case.source_ref.in_(refs))
    found = session.execute(statement).all()
    return dict(zip((str(r[0]) for r in found), rows_as(CaseRow, (r[1:] for r in found)), strict=True))


def followed_by(session: Session, user_id: int, *, limit: int = 50) -> list[CaseRow]:
    """The cases a person follows (reported, or took part in what became them), newest activity first."""
    statement = (
        ROWS.join(CaseFollower, CaseFollower.case_id == Case.id)
        .where(CaseFollower.user_id == user_id)
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return rows_as(CaseRow, session.execute(statement))
