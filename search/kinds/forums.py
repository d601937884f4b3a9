"""Forum threads and replies (共话家园) as search documents.

A thread's document is its title and opening post; a reply's is its own text (its thread's title is
shown, never indexed with it, or every reply would match the thread's title). Hidden and deleted posts
are never documents, and ``live`` leaves them out again at result time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from accounts.models import User
from core.errors import N_
from deliberation.forums.models import Board, Post, Thread
from search.registry import Document, Live, Searchable, Watch

TEXT = ("body", "hidden_at", "deleted_at")


def thread_documents(session: Session, ids: Sequence[int]) -> Mapping[int, Document]:
    opening = and_(Post.thread_id == Thread.id, Post.number == 1)
    rows = session.execute(
        select(
            Thread.id,
            Thread.title,
            Thread.created_at,
            Board.cell_code,
            Post.body,
            Post.hidden_at,
            Post.deleted_at,
        )
        .join(Board, Board.id == Thread.board_id)
        .outerjoin(Post, opening)
        .where(Thread.id.in_(ids))
    )
    return {
        row.id: Document(
            title=row.title,
            body="" if row.hidden_at or row.deleted_at else row.body or "",
            updated_at=row.created_at,
            cells=(row.cell_code,) if row.cell_code else (),
        )
        for row in rows
    }


def thread_live(session: Session, actor: User | None, ids: Sequence[int]) -> Mapping[int, Live]:
    """Threads are public; the title, board, lock and last activity as they are now."""
    rows = session.execute(
        select(Thread.id, Thread.title, Thread.is_locked, Thread.last_activity_at, Board.title.label("board"))
        .join(Board, Board.id == Thread.board_id)
        .where(Thread.id.in_(ids))
    )
    return {
        row.id: Live(
            title=row.title,
            link_kind="forum_thread",
            link_id=row.id,
            state=N_("Locked") if row.is_locked else "",
            context=row.board,
            when=row.last_activity_at,
        )
        for row in rows
    }


def thread_ids(session: Session) -> Iterable[int]:
    return session.scalars(select(Thread.id).order_by(Thread.id))


def reply_documents(session: Session, ids: Sequence[int]) -> Mapping[int, Document]:
    rows = session.execute(
        select(Post.id, Post.body, Post.created_at, Board.cell_code)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Board, Board.id == Thread.board_id)
        .where(Post.id.in_(ids), Post.number > 1, Post.hidden_at.is_(None), Post.deleted_at.is_(None))
    )
    return {
        row.id: Document(
            title="",
            body=row.body,
            updated_at=row.created_at,
            cells=(row.cell_code,) if row.cell_code else (),
        )
        for row in rows
    }


def reply_live(session: Session, actor: User | None, ids: Sequence[int]) -> Mapping[int, Live]:
    """Replies anyone may read: neither hidden by a moderator nor withdrawn (checked again here)."""
    rows = session.execute(
        select(Post.id, Post.created_at, Thread.title, Board.title.label("board"))
        .join(Thread, Thread.id == Post.thread_id)
        .join(Board, Board.id == Thread.board_id)
        .where(Post.id.in_(ids), Post.hidden_at.is_(None), Post.deleted_at.is_(None))
    )
    return {
        row.id: Live(
            title=row.title,
            link_kind="forum_post",
            link_id=row.id,
            state=N_("Reply"),
            context=row.board,
            when=row.created_at,
        )
        for row in rows
    }


def reply_ids(session: Session) -> Iterable[int]:
    return session.scalars(select(Post.id).where(Post.number > 1).order_by(Post.id))


THREADS = Searchable(
    kind="forum_thread",
    group="discussion",
    watches=(
        Watch(Thread, keys=lambda row: [row.id], tracked=("title", "board_id")),
        # the opening post is the thread's body
        Watch(
            Post,
            keys=lambda row: [row.thread_id] if row.number == 1 else [],
            columns=("thread_id", "number"),
            tracked=TEXT,
        ),
    ),
    documents=thread_documents,
    live=thread_live,
    all_ids=thread_ids,
)

REPLIES = Searchable(
    kind="forum_post",
    group="discussion",
    watches=(
        Watch(Post, keys=lambda row: [row.id] if row.number > 1 else [], columns=("number",), tracked=TEXT),
    ),
    documents=reply_documents,
    live=reply_live,
    all_ids=reply_ids,
)

SEARCHABLES = (THREADS, REPLIES)
