"""Due dates: asking for more time (延期), which the cell's 网格长 or an admin decides, and the sweep that
flags cases past their due date and tells the cell's staff once.

Every extension is counted on the case for the monthly assessment; the queue's "overdue" view reads the
due date itself, so a case is shown late even before the sweep has run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.notifications import define_kind, notify
from accounts.permissions import is_admin
from core import audit, clock
from core.db import run_write
from core.errors import N_, Conflict, FieldErrors, NotFound, PermissionDenied
from core.jobs import JobContext, handler
from core.schedules import EveryMinutes, every
from grid import access
from grid.cases import WORKING
from grid.models import Case, Extension, RosterEntry, RosterRole
from grid.workflow import NOTE_MAX, write_step

OVERDUE_JOB = "grid.flag_overdue"
OVERDUE_BATCH = 200  # late cases per transaction of the sweep

define_kind(
    "case_overdue",
    N_("A case in a cell I staff is past its due date"),
    N_("Case %(number)s «%(title)s» is past its due date."),
    target="grid_case",
)
define_kind(
    "case_extension_asked",
    N_("Someone asks for more time on a case in a cell I lead"),
    N_("More time is asked for on case %(number)s «%(title)s»: decide it."),
    target="grid_case",
)
define_kind(
    "case_extension_decided",
    N_("My request for more time on a case was decided"),
    N_("Your request for more time on case %(number)s was %(decision)s."),
    target="grid_case",
)


def open_request(session: Session, case_id: int) -> Extension | None:
    """The request for more time waiting for a decision, if any."""
    return session.scalar(select(Extension).where(Extension.case_id == case_id, Extension.approved.is_(None)))


def ask_for_time(
    session: Session, actor: User | None, case_id: int, *, due_at: datetime | None, reason: str
) -> Extension:
    """Ask to move a working case's due date later (延期申请), with the reason; the 网格长 is asked."""
    case = access.access_to_work(session, actor, case_id)
    assert actor is not None
    reason = reason.strip()
    errors = FieldErrors()
    if case.state not in WORKING or case.due_at is None:
        raise Conflict(N_("Only a registered or dispatched case has a due date to move."))
    if due_at is None or due_at <= case.due_at:
        errors.add("due_at", N_("Choose a date after the current due date."))
    if not reason:
        errors.add("reason", N_("Say why more time is needed."))
    elif len(reason) > NOTE_MAX:
        errors.add("reason", N_("At most %(max)s characters."), max=NOTE_MAX)
    errors.raise_if_any()
    assert due_at is not None
    extension = Extension(
        case_id=case.id, requested_by_id=actor.id, requested_at=clock.now(), due_at=due_at, reason=reason
    )
    try:
        with session.begin_nested():
            session.add(extension)
    except IntegrityError:
        raise Conflict(N_("A request for more time is waiting for a decision already.")) from None
    write_step(session, case, actor, "extension_asked", None, reason, due_at=due_at)
    leaders = set(
        session.scalars(
            select(RosterEntry.user_id).where(
                RosterEntry.cell_id == case.cell_id, RosterEntry.role == RosterRole.leader
            )
        )
    )
    params = {"number": case.number, "title": case.title}
    notify(session, leaders - {actor.id}, "case_extension_asked", "grid_case", case.id, params)
    return extension


def can_decide(session: Session, actor: User | None, cell_id: int | None, extension: Extension) -> bool:
    """The cell's 网格长 decides, never on their own request; admins decide any."""
    if is_admin(actor):
        return True
    return (
        actor is not None
        and actor.id != extension.requested_by_id
        and cell_id in access.led_cells(session, actor)
    )


def decide(session: Session, actor: User | None, case_id: int, *, approve: bool, note: str = "") -> Case:
    """Approve (the due date moves, counted as an extension) or refuse the waiting request."""
    case = access.get_case(session, case_id, lock=True)
    if not access.can_view(session, actor, case):
        raise NotFound()
    extension = open_request(session, case.id)
    if extension is None:
        raise Conflict(N_("No request for more time is waiting. Reload the page."))
    if not can_decide(session, actor, case.cell_id, extension):
        raise PermissionDenied()
    assert actor is not None
    extension.approved, extension.decided_by_id, extension.decided_at = approve, actor.id, clock.now()
    if approve:
        case.due_at, case.overdue_at = extension.due_at, None
        case.extensions += 1
    action = "extended" if approve else "extension_refused"
    write_step(session, case, actor, action, None, note.strip()[:NOTE_MAX], due_at=extension.due_at)
    audit.record(session, actor, f"case.{action}", "grid_case", case.id, number=case.number)
    decision = N_("approved") if approve else N_("refused")
    if extension.requested_by_id is not None:
        params = {"number": case.number, "decision": decision}
        notify(session, [extension.requested_by_id], "case_extension_decided", "grid_case", case.id, params)
    return case


def flag_overdue(session: Session, now: datetime, limit: int | None = None) -> int:
    """Mark working cases past their due date, once each, and tell their cell's staff; returns how many
    (at most ``limit``: the sweep works in batches, each its own short transaction)."""
    late = list(
        session.scalars(
            select(Case)
            .where(Case.state.in_(WORKING), Case.due_at < now, Case.overdue_at.is_(None))
            .order_by(Case.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for case in late:
        session.execute(update(Case).where(Case.id == case.id).values(overdue_at=now))
        write_step(session, case, None, "overdue", None, "")
        staff = set(session.scalars(select(RosterEntry.user_id).where(RosterEntry.cell_id == case.cell_id)))
        notify(
            session, staff, "case_overdue", "grid_case", case.id, {"number": case.number, "title": case.title}
        )
    return len(late)


@handler(OVERDUE_JOB, timeout=60)
def run_flag_overdue(context: JobContext, payload: dict[str, Any]) -> None:
    """The scheduled sweep (every ten minutes), a batch per transaction until none is left: on a city's
    data one transaction over thousands of late cases held SQLite's write lock past the job's timeout,
    so it never finished and every login meanwhile answered 503 (issue #26)."""
    now = clock.now()
    while (
        run_write(context.sessions, lambda session: flag_overdue(session, now, OVERDUE_BATCH))
        == OVERDUE_BATCH
    ):
        pass


every(OVERDUE_JOB, OVERDUE_JOB, EveryMinutes(10))
