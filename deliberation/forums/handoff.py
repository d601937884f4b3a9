"""转办网格 from a forum thread: a moderator or a committee member hands a thread's issue to the grid.

The thread's voices and followers follow the case; the thread page then shows the case's history. A
thread that is a consultation's is handed over from the consultation, once its resolution is adopted.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import is_committee_member, is_moderator
from core import audit
from core.errors import N_, Conflict, Invalid, NotFound, PermissionDenied
from deliberation.consultations.models import Consultation
from deliberation.forums import following
from deliberation.forums.models import Board, Post, Thread
from grid import cases, handoff
from grid.models import Case, CaseSource

NOTE_MAX = 1000


def can_hand_off(actor: User | None) -> bool:
    """Moderators and committee members hand threads to the grid."""
    return is_moderator(actor) or is_committee_member(actor)


def hand_off_thread(
    session: Session, actor: User | None, thread_id: int, *, class_id: int | None, note: str = ""
) -> Case:
    """Open a case from a thread (its opening post is the description); at most once per thread."""
    if not can_hand_off(actor):
        raise PermissionDenied()
    thread = session.get(Thread, thread_id, with_for_update=True)
    if thread is None:
        raise NotFound()
    if session.scalar(select(Consultation.id).where(Consultation.thread_id == thread.id)) is not None:
        raise Conflict(N_("This thread is a consultation's: hand it to the grid from the consultation."))
    if cases.case_for_source(session, CaseSource.forum, str(thread.id)) is not None:
        raise Conflict(N_("This thread has been handed to the grid already."))
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise Invalid("note", N_("At most %(max)s characters."), max=NOTE_MAX)
    opening = session.scalar(select(Post.body).where(Post.thread_id == thread.id, Post.number == 1))
    voices = set(session.scalars(select(Post.author_id).where(Post.thread_id == thread.id).distinct()))
    case = handoff.hand_off(
        session,
        actor,
        source=CaseSource.forum,
        source_ref=str(thread.id),
        title=thread.title,
        description=opening or "",
        followers=voices | following.followers(session, thread.id, thread.board_id),
        cell_code=_board_cell(session, thread),
        class_id=class_id,
        note=note,
    )
    audit.record(session, actor, "thread.hand_off", "forum_thread", thread.id, case=case.number)
    return case


def _board_cell(session: Session, thread: Thread) -> str | None:
    return session.scalar(select(Board.cell_code).where(Board.id == thread.board_id))
