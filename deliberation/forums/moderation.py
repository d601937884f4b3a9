"""Moderation (版主): reports, the queue, hiding with a public reason, restoring, locking, pinning and
moving threads. Every act is in the audit log, and the author is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.notifications import define_kind, notify
from core import audit, clock, markdown
from core.db import rowcount
from core.errors import N_, FieldErrors, Invalid, PermissionDenied
from deliberation.forums.access import access_post, access_thread, require_moderator
from deliberation.forums.models import Board, Post, Report, Thread

REASON_MAX = 200
define_kind(
    "forum_moderated",
    N_("Moderation of something I wrote"),
    N_("A moderator acted in «%(thread)s»: %(action)s"),
    target="forum_thread",
)
HIDDEN = N_("your post was hidden")
RESTORED = N_("your post is shown again")
LOCKED = N_("your thread was locked")
UNLOCKED = N_("your thread is open again")
MOVED = N_("your thread was moved to another board")


def _reason(errors: FieldErrors, reason: str, field: str = "reason", limit: int = REASON_MAX) -> str:
    reason = " ".join(reason.split())
    if not reason:
        errors.add(field, N_("Say why."))
    elif len(reason) > limit:
        errors.add(field, N_("At most %(max)s characters."), max=limit)
    return reason


def report_post(session: Session, actor: User | None, post_id: int, reason: str) -> Report:
    """Report a post to the moderators (举报), with a reason; one open report per person per post."""
    if actor is None:
        raise PermissionDenied()
    post = access_post(session, post_id)
    errors = FieldErrors()
    reason = _reason(errors, reason, limit=500)
    errors.raise_if_any()
    report = Report(post_id=post.id, reporter_id=actor.id, reason=reason, created_at=clock.now())
    try:
        with session.begin_nested():
            session.add(report)
    except IntegrityError:
        raise Invalid(
            "reason", N_("You have reported this post already; a moderator will look at it.")
        ) from None
    return report


@dataclass(frozen=True)
class QueueItem:
    """A reported post in the moderators' queue, with its open reports' count and latest reason."""

    post_id: int
    thread_id: int
    thread_title: str
    number: int
    author_name: str
    author_username: str
    excerpt: str
    hidden: bool
    reports: int
    latest_reason: str
    first_reported_at: datetime


def report_queue(session: Session, actor: User | None, *, limit: int = 50) -> list[QueueItem]:
    """Reported posts not yet dealt with, oldest first (the queue 版主 work through)."""
    require_moderator(actor)
    open_reports = (
        select(
            Report.post_id,
            func.count().label("reports"),
            func.max(Report.reason).label("reason"),
            func.min(Report.created_at).label("first"),
        )
        .where(Report.resolved_at.is_(None))
        .group_by(Report.post_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Post.id,
            Post.thread_id,
            Thread.title,
            Post.number,
            User.display_name,
            User.username,
            Post.body,
            Post.hidden_at,
            open_reports.c.reports,
            open_reports.c.reason,
            open_reports.c.first,
        )
        .join(open_reports, open_reports.c.post_id == Post.id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(User, User.id == Post.author_id)
        .order_by(open_reports.c.first)
        .limit(limit)
    )
    return [
        QueueItem(
            pid,
            tid,
            title,
            number,
            name or username,
            username,
            markdown.plain(body),
            hidden is not None,
            n,
            reason,
            first,
        )
        for pid, tid, title, number, name, username, body, hidden, n, reason, first in rows
    ]


def open_report_count(session: Session) -> int:
    return (
        session.scalar(select(func.count(func.distinct(Report.post_id))).where(Report.resolved_at.is_(None)))
        or 0
    )


def _resolve(session: Session, moderator: User, post_id: int, outcome: str) -> int:
    statement = (
        update(Report)
        .where(Report.post_id == post_id, Report.resolved_at.is_(None))
        .values(resolved_at=clock.now(), resolved_by_id=moderator.id, outcome=outcome)
    )
    return rowcount(session.execute(statement))


def _tell_author(session: Session, moderator: User, author_id: int, thread: Thread, action: str) -> None:
    if author_id != moderator.id:
        notify(
            session,
            [author_id],
            "forum_moderated",
            "forum_thread",
            thread.id,
            {"thread": thread.title, "action": action},
        )


def hide_post(session: Session, actor: User | None, post_id: int, reason: str) -> Post:
    """Hide a post with a public reason ("此帖因…被隐藏"); its open reports are resolved."""
    moderator = require_moderator(actor)
    post = access_post(session, post_id)
    errors = FieldErrors()
    reason = _reason(errors, reason)
    errors.raise_if_any()
    post.hidden_at, post.hidden_by_id, post.hidden_reason = clock.now(), moderator.id, reason
    _resolve(session, moderator, post.id, "hidden")
    thread = access_thread(session, post.thread_id)
    audit.record(session, moderator, "forum_post.hide", "forum_post", post.id, reason, thread=thread.id)
    _tell_author(session, moderator, post.author_id, thread, HIDDEN)
    return post


def restore_post(session: Session, actor: User | None, post_id: int) -> Post:
    """Show a hidden post again."""
    moderator = require_moderator(actor)
    post = access_post(session, post_id)
    if post.hidden_at is None:
        return post
    post.hidden_at, post.hidden_by_id, post.hidden_reason = None, None, ""
    thread = access_thread(session, post.thread_id)
    audit.record(session, moderator, "forum_post.restore", "forum_post", post.id, thread=thread.id)
    _tell_author(session, moderator, post.author_id, thread, RESTORED)
    return post


def dismiss_reports(session: Session, actor: User | None, post_id: int) -> int:
    """Close a post's open reports without hiding it; returns how many were closed."""
    moderator = require_moderator(actor)
    access_post(session, post_id)
    closed = _resolve(session, moderator, post_id, "dismissed")
    audit.record(session, moderator, "forum_report.dismiss", "forum_post", post_id, reports=closed)
    return closed


def lock_thread(session: Session, actor: User | None, thread_id: int, locked: bool) -> Thread:
    """Lock a thread (no new replies) or open it again."""
    moderator = require_moderator(actor)
    thread = access_thread(session, thread_id)
    if thread.is_locked != locked:
        thread.is_locked = locked
        audit.record(
            session,
            moderator,
            "forum_thread.lock" if locked else "forum_thread.unlock",
            "forum_thread",
            thread.id,
        )
        _tell_author(session, moderator, thread.author_id, thread, LOCKED if locked else UNLOCKED)
    return thread


def pin_thread(session: Session, actor: User | None, thread_id: int, pinned: bool) -> Thread:
    """Pin a thread to the top of its board, or unpin it."""
    moderator = require_moderator(actor)
    thread = access_thread(session, thread_id)
    if thread.is_pinned != pinned:
        thread.is_pinned = pinned
        audit.record(
            session,
            moderator,
            "forum_thread.pin" if pinned else "forum_thread.unpin",
            "forum_thread",
            thread.id,
        )
    return thread


def move_thread(session: Session, actor: User | None, thread_id: int, board_slug: str) -> Thread:
    """Move a thread to another board; both boards' counts follow."""
    moderator = require_moderator(actor)
    thread = access_thread(session, thread_id)
    target = session.scalar(select(Board).where(Board.slug == board_slug))
    if target is None:
        raise Invalid("board", N_("Choose a board from the list."))
    if target.id == thread.board_id:
        return thread
    session.execute(
        update(Board).where(Board.id == thread.board_id).values(thread_count=Board.thread_count - 1)
    )
    session.execute(update(Board).where(Board.id == target.id).values(thread_count=Board.thread_count + 1))
    old = thread.board_id
    thread.board_id = target.id
    audit.record(
        session, moderator, "forum_thread.move", "forum_thread", thread.id, board_from=old, board_to=target.id
    )
    _tell_author(session, moderator, thread.author_id, thread, MOVED)
    return thread
