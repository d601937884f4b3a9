"""Convening a consultation (召集协商): its question, background, scope and input deadline, with a
forum thread of its own, or raised from a thread that already exists."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import User
from core import audit, clock, markdown
from core.errors import N_, FieldErrors, Invalid, NotFound, PermissionDenied
from deliberation.consultations.access import can_convene
from deliberation.consultations.lifecycle import record_step
from deliberation.consultations.models import Consultation, ScopeKind, State
from deliberation.forums.boards import open_cell_board, open_theme_board
from deliberation.forums.models import Thread
from deliberation.forums.threads import start_thread
from grid.cells import find_cell
from grid.models import GridCell

TITLE_MAX, QUESTION_MAX, BACKGROUND_MAX = 120, 1000, 20_000
# where a community-wide consultation talks, since it has no cell board of its own
CITY_BOARD = ("xieshang", "协商议事", "群议委协商议题的讨论区：每个议题一个话题，各方在这里摆事实、讲道理。")


def _check(
    errors: FieldErrors, *, title: str, question: str, background: str, deadline: datetime | None
) -> None:
    if not 2 <= len(title.strip()) <= TITLE_MAX:
        errors.add("title", N_("A title has 2 to %(max)s characters."), max=TITLE_MAX)
    if not question.strip():
        errors.add("question", N_("Say what must be decided."))
    elif len(question) > QUESTION_MAX:
        errors.add("question", N_("At most %(max)s characters."), max=QUESTION_MAX)
    if len(background) > BACKGROUND_MAX:
        errors.add("background", N_("At most %(max)s characters."), max=BACKGROUND_MAX)
    if deadline is not None and deadline <= clock.now():
        errors.add("deadline", N_("The deadline for views must be in the future."))


def _scope(session: Session, errors: FieldErrors, scope: str) -> tuple[ScopeKind, GridCell | None, str, str]:
    """A scope is a cell (its 15-digit code) or a community ("street/community" of existing cells)."""
    cell = find_cell(session, scope) if scope.isdecimal() else None
    if cell is not None:
        return ScopeKind.cell, cell, cell.street, cell.community
    street, _, community = scope.partition("/")
    known = session.scalar(
        select(GridCell.id).where(GridCell.street == street, GridCell.community == community).limit(1)
    )
    if not known:
        errors.add("scope", N_("Choose a grid cell or a community from the list."))
    return ScopeKind.community, None, street, community


def convene(
    session: Session,
    actor: User | None,
    *,
    title: str,
    question: str,
    background: str = "",
    scope: str,
    deadline: datetime | None = None,
    thread_id: int | None = None,
) -> Consultation:
    """Convene a consultation (召集协商), as a draft. Without ``thread_id`` it gets a thread of its own on
    its cell's board, where every side speaks; with one, it is raised from that thread, once."""
    if not can_convene(actor):
        raise PermissionDenied()
    assert actor is not None
    errors = FieldErrors()
    _check(errors, title=title, question=question, background=background, deadline=deadline)
    kind, cell, street, community = _scope(session, errors, scope)
    thread = _existing_thread(session, errors, thread_id) if thread_id is not None else None
    errors.raise_if_any()
    now = clock.now()
    consultation = Consultation(
        title=title.strip(),
        question=question.strip(),
        background=background,
        background_html=markdown.render(background),
        scope_kind=kind,
        cell_code=cell.code if cell else None,
        street=street,
        community=community,
        convener_id=actor.id,
        input_deadline=deadline,
        state=State.draft,
        created_at=now,
        updated_at=now,
    )
    if thread is None:
        thread = _new_thread(session, actor, consultation, cell)
    consultation.thread_id = thread.id
    try:
        with session.begin_nested():
            session.add(consultation)
    except IntegrityError:  # another member raised the same thread a moment earlier
        raise Invalid("thread", N_("This thread is already a consultation.")) from None
    record_step(session, consultation, "convene", None, actor, "")
    audit.record(session, actor, "consultation.convene", "consultation", consultation.id, thread=thread.id)
    return consultation


def _existing_thread(session: Session, errors: FieldErrors, thread_id: int) -> Thread:
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise NotFound()
    if session.scalar(select(Consultation.id).where(Consultation.thread_id == thread_id)) is not None:
        errors.add("thread", N_("This thread is already a consultation."))
    return thread


def _new_thread(session: Session, actor: User, consultation: Consultation, cell: GridCell | None) -> Thread:
    """The consultation's own thread, on its cell's board (or the city-wide one for a community)."""
    board = open_cell_board(session, cell.code, cell.name) if cell else open_theme_board(session, *CITY_BOARD)
    session.flush()  # the board needs its id for the thread
    body = consultation.question + ("\n\n" + consultation.background if consultation.background else "")
    return start_thread(session, actor, board_slug=board.slug, title=consultation.title, body=body)


RAISED_FROM = select(Consultation.id).where(Consultation.thread_id == bindparam("thread"))


def raising_thread(session: Session, thread_id: int) -> int | None:
    """The consultation a thread was raised into, if any (the thread page shows the link)."""
    return session.scalar(RAISED_FROM, {"thread": thread_id})
