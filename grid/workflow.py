"""The case workflow, as one table the page, the service and the tests read (DESIGN.md):
``reported → registered (立案) | rejected (不予立案) → dispatched (派遣) → handled (处置反馈) → verified
(核查) → closed (结案)``, a failed check going back to ``dispatched`` (返工).

Only grid staff of the case's cell and admins move a case. Every step records who, when, a note and
optional photos; followers are told, and asked at 核查 whether the problem is really solved. Each
change is published as ``CaseStatusChanged`` for the consultation or thread the case came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.notifications import define_kind, notify
from core import audit, clock, events, files
from core.errors import N_, Conflict, FieldErrors, Invalid
from grid import access, cases, taxonomy
from grid.cells import find_cell
from grid.models import Case, CaseSource, CaseState, CaseStep, Department, RosterEntry

NOTE_MAX = 2000
S = CaseState

define_kind(
    "case_moved",
    N_("A case I follow moved on"),
    N_("Case %(number)s «%(title)s» is now: %(state)s."),
    target="grid_case",
)
define_kind(
    "case_confirm",
    N_("A case I follow was handled: is it really solved?"),
    N_("Case %(number)s «%(title)s» was reported handled. Is the problem really solved? Tell the checker."),
    target="grid_case",
)


@dataclass(frozen=True)
class CaseStatusChanged:
    """Published at each move, inside its transaction, for the consultation or thread the case came from."""

    case_id: int
    number: str
    title: str
    source: CaseSource
    source_ref: str | None
    from_state: CaseState
    to_state: CaseState
    note: str
    follower_ids: frozenset[int]


@dataclass
class MoveInput:
    """What a move's form carries; each move reads the fields it needs."""

    note: str = ""
    cell_code: str = ""
    class_id: int | None = None
    department_id: int | None = None
    assignee: str = ""
    due_at: datetime | None = None
    photos: list[files.Upload] | None = None


Apply = Callable[[Session, User, Case, MoveInput, FieldErrors], dict[str, Any]]


@dataclass(frozen=True)
class Transition:
    action: str
    source: CaseState
    target: CaseState
    label: str  # msgid of the button
    note_required: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition("register", S.reported, S.registered, N_("Register it (立案)")),
    Transition("reject", S.reported, S.rejected, N_("Do not register it (不予立案)"), note_required=True),
    Transition("dispatch", S.registered, S.dispatched, N_("Dispatch it (派遣)")),
    Transition("handle", S.dispatched, S.handled, N_("Report it handled (处置反馈)"), note_required=True),
    Transition("pass", S.handled, S.verified, N_("The check passed (核查通过)")),
    Transition("rework", S.handled, S.dispatched, N_("Send it back (返工)"), note_required=True),
    Transition("close", S.verified, S.closed, N_("Close it (结案)")),
)
STEP_LABELS = {
    "report": N_("Reported"),
    "register": N_("Registered (立案)"),
    "reject": N_("Not registered (不予立案)"),
    "dispatch": N_("Dispatched (派遣)"),
    "handle": N_("Handled (处置反馈)"),
    "pass": N_("Check passed (核查)"),
    "rework": N_("Sent back for rework (返工)"),
    "close": N_("Closed (结案)"),
    "overdue": N_("Past its due date"),
    "extension_asked": N_("More time asked for (延期申请)"),
    "extended": N_("Due date extended (延期)"),
    "extension_refused": N_("More time refused"),
    "note": N_("Note"),
    "forwarded": N_("Sent to the city's system"),
    "city_report": N_("The city's system reports"),
}
# the order the step indicator shows (rejected is the other branch of registered)
STEPS = (S.reported, S.registered, S.dispatched, S.handled, S.verified, S.closed)


def moves_from(state: CaseState) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source is state]


def moves_for(
    session: Session, actor: User | None, case: access.CaseLike, state: CaseState
) -> list[Transition]:
    """The moves ``actor`` may make on the case now (none for anyone who may not work it)."""
    return moves_from(state) if access.can_work(session, actor, case) else []


def move(
    session: Session,
    actor: User | None,
    case_id: int,
    action: str,
    given: MoveInput,
    *,
    upload_dir: Path | None = None,
    max_photo_bytes: int = 10 * 1024 * 1024,
) -> Case:
    """Make one move with its note and photos; followers are told and the source hears of it.

    The case row is locked first, so two staff pressing the same button move it once: the second
    gets ``Conflict``. ``Invalid`` names every wrong field before anything is written.
    """
    case = access.access_to_work(session, actor, case_id)
    assert actor is not None
    transition = next((t for t in moves_from(case.state) if t.action == action), None)
    if transition is None:
        raise Conflict(
            N_("This case is now «%(state)s»: that step is not possible from here. Reload the page."),
            state=case.state.label,
        )
    note = given.note.strip()
    errors = FieldErrors()
    if len(note) > NOTE_MAX:
        errors.add("note", N_("At most %(max)s characters."), max=NOTE_MAX)
    elif transition.note_required and not note:
        errors.add("note", N_("Say why, for everyone who follows this case."))
    changes = APPLY[action](session, actor, case, given, errors)
    prepared = files.prepare_photos(errors, given.photos or [], upload_dir, max_photo_bytes, limit=4)
    errors.raise_if_any()
    for column, value in changes.items():
        setattr(case, column, value)
    step = write_step(session, case, actor, action, transition.target, note, due_at=case.due_at)
    files.keep_all(
        session, upload_dir, prepared, owner_kind=cases.STEP_PHOTOS, owner_id=step.id, uploaded_by_id=actor.id
    )
    audit.record(session, actor, f"case.{action}", "grid_case", case.id, note, number=case.number)
    return case


def write_step(
    session: Session,
    case: Case,
    actor: User | None,
    action: str,
    target: CaseState | None,
    note: str,
    *,
    due_at: datetime | None = None,
) -> CaseStep:
    """Write a history step (moving the state when ``target`` differs); tell followers and the source."""
    now = clock.now()
    step = CaseStep(
        case_id=case.id,
        action=action,
        from_state=case.state,
        to_state=target,
        actor_id=actor.id if actor else None,
        note=note,
        due_at=due_at if action in ("register", "dispatch", "extended") else None,
        at=now,
    )
    session.add(step)
    session.flush()  # photos name the step
    case.updated_at = now
    if target is None or target is case.state:
        return step
    source_state, case.state = case.state, target
    if target is S.closed:
        case.closed_at = now
    followers = frozenset(cases.follower_ids(session, case.id))
    kind = "case_confirm" if target is S.handled else "case_moved"
    params = {"number": case.number, "title": case.title, "state": target.label}
    notify(session, followers - ({actor.id} if actor else set()), kind, "grid_case", case.id, params)
    events.publish(
        session,
        CaseStatusChanged(
            case.id,
            case.number,
            case.title,
            case.source,
            case.source_ref,
            source_state,
            target,
            note,
            followers,
        ),
    )
    return step


Changes = dict[str, Any]


def _register(session: Session, actor: User, case: Case, given: MoveInput, errors: FieldErrors) -> Changes:
    """立案: the case gets its cell (one the actor staffs, unless an admin) and category, and a due date."""
    cell = find_cell(session, given.cell_code)
    if cell is None:
        errors.add("cell_code", N_("Choose the grid cell this case belongs to."))
    elif not access.can_work_in(session, actor, cell.id):
        errors.add("cell_code", N_("You can register cases only in cells you staff."))
    category = None
    try:
        category = taxonomy.pick_class(session, given.class_id or case.class_id)
    except Invalid as error:
        errors.errors.update(error.errors)
    if cell is None or category is None:
        return {}
    return {"cell_id": cell.id, "class_id": category.id, "due_at": taxonomy.due_from(category, clock.now())}


def _dispatch(session: Session, actor: User, case: Case, given: MoveInput, errors: FieldErrors) -> Changes:
    """派遣: to a department or to one of the cell's staff, with a due date (the category's by default)."""
    department = session.get(Department, given.department_id) if given.department_id else None
    assignee = None
    if given.assignee.strip():
        assignee = session.scalar(
            select(RosterEntry.user_id)
            .join(User, User.id == RosterEntry.user_id)
            .where(RosterEntry.cell_id == case.cell_id, User.username == given.assignee.strip())
            .limit(1)
        )
        if assignee is None:
            errors.add("assignee", N_("Dispatch to a person on this cell's roster, by username."))
    if given.department_id and department is None:
        errors.add("department_id", N_("Choose a department from the list."))
    if department is None and assignee is None and "assignee" not in errors.errors:
        errors.add("department_id", N_("Dispatch to a department or to a person."))
    if given.due_at is not None and given.due_at <= clock.now():
        errors.add("due_at", N_("A due date is in the future."))
    changes: Changes = {"department_id": department.id if department else None, "assignee_id": assignee}
    if given.due_at is not None:
        changes |= {"due_at": given.due_at, "overdue_at": None}
    return changes


def _nothing(session: Session, actor: User, case: Case, given: MoveInput, errors: FieldErrors) -> Changes:
    return {}  # a reject's reason is its note, which the table requires


def _handle(session: Session, actor: User, case: Case, given: MoveInput, errors: FieldErrors) -> Changes:
    return {"verify_round": case.verify_round + 1}  # followers answer for this round of 核查


def _rework(session: Session, actor: User, case: Case, given: MoveInput, errors: FieldErrors) -> Changes:
    return {"reworks": case.reworks + 1}


# each move checks what its form gave and returns the columns it changes, written only once all is well
APPLY: dict[str, Apply] = {
    "register": _register,
    "reject": _nothing,
    "dispatch": _dispatch,
    "handle": _handle,
    "pass": _nothing,
    "rework": _rework,
    "close": _nothing,
}
