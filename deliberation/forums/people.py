"""What one person has written in the forums (their page), and who may see their photos."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accounts.models import User
from core import files, markdown
from core.db import rows_as
from core.pages import Page, paginate
from deliberation.forums.access import can_see_text
from deliberation.forums.models import Post, Thread
from deliberation.forums.threads import PHOTO_OWNER


@dataclass(frozen=True)
class Contribution:
    """One post on a person's page: where it was and what it said (an excerpt)."""

    post_id: int
    thread_id: int
    thread_title: str
    number: int
    excerpt: str
    created_at: datetime


def contributions(
    session: Session, viewer: User | None, author: User, *, page: int, per_page: int = 30
) -> Page[Contribution]:
    """A person's posts, newest first; hidden ones only for their author and moderators, deleted never."""
    statement = (
        select(Post.id, Post.thread_id, Thread.title, Post.number, Post.body, Post.created_at, Post.hidden_at)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == author.id, Post.deleted_at.is_(None))
        .order_by(Post.created_at.desc(), Post.id.desc())
    )
    if not can_see_text(viewer, author_id=author.id, hidden=True, deleted=False):
        statement = statement.where(Post.hidden_at.is_(None))
    found = paginate(session, statement, page=page, per_page=per_page, rows=True)
    items = [
        Contribution(pid, tid, title, number, markdown.plain(body), created)
        for pid, tid, title, number, body, created, _hidden in found.items
    ]
    return Page(items, found.number, found.per_page, found.total)


def threads_started(session: Session, author: User, *, limit: int = 20) -> list[tuple[int, str, datetime]]:
    """The threads a person started: (id, title, when), newest first."""
    rows = session.execute(
        select(Thread.id, Thread.title, Thread.created_at)
        .where(Thread.author_id == author.id)
        .order_by(Thread.created_at.desc())
        .limit(limit)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _may_see_photo(session: Session, actor: Any, owner_id: str) -> bool:
    post = session.get(Post, int(owner_id)) if owner_id.isdecimal() else None
    if post is None:
        return False
    return can_see_text(
        actor,
        author_id=post.author_id,
        hidden=post.hidden_at is not None,
        deleted=post.deleted_at is not None,
    )


files.register_owner(PHOTO_OWNER, _may_see_photo)


@dataclass(frozen=True)
class JoinedThread:
    """A thread a person started or replied in, for their 我的参与 page."""

    id: int
    title: str
    last_activity_at: datetime | None
    started: bool


def threads_joined(session: Session, user_id: int, *, limit: int = 20) -> list[JoinedThread]:
    """The threads a person started or wrote in (deleted posts aside), latest activity first."""
    wrote = select(Post.thread_id).where(Post.author_id == user_id, Post.deleted_at.is_(None))
    statement = (
        select(Thread.id, Thread.title, Thread.last_activity_at, Thread.author_id == user_id)
        .where(or_(Thread.author_id == user_id, Thread.id.in_(wrote)))
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
        .limit(limit)
    )
    return rows_as(JoinedThread, session.execute(statement))
