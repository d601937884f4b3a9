"""Who may do what with forum posts and threads: predicates for templates (to hide buttons), and the
``access_*`` functions services call before they change anything (the guard)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.permissions import is_moderator
from core import clock
from core.errors import N_, NotFound, PermissionDenied
from deliberation.forums.models import Post, Thread


def can_moderate(actor: User | None) -> bool:
    """Moderators (and admins) hide, restore, lock, pin and move (版主)."""
    return is_moderator(actor)


def can_see_text(actor: User | None, *, author_id: int, hidden: bool, deleted: bool) -> bool:
    """A hidden post's text is for its author and the moderators only; a deleted one's for nobody."""
    if deleted:
        return False
    if not hidden:
        return True
    return actor is not None and (actor.id == author_id or can_moderate(actor))


class Lockable(Protocol):
    @property
    def is_locked(self) -> bool: ...


def can_reply(actor: User | None, thread: Lockable) -> bool:
    """Anyone logged in may reply, unless the thread is locked (moderators still may)."""
    return actor is not None and actor.is_active and (not thread.is_locked or can_moderate(actor))


def can_edit(actor: User | None, post: Post, window_minutes: int, now: datetime | None = None) -> bool:
    """Only the author edits, within the edit window, a post that is neither hidden nor deleted."""
    if actor is None or actor.id != post.author_id or post.hidden_at or post.deleted_at:
        return False
    return (now or clock.now()) - post.created_at <= timedelta(minutes=window_minutes)


def can_delete(actor: User | None, post: Post) -> bool:
    return actor is not None and actor.id == post.author_id and post.deleted_at is None


def require_moderator(actor: User | None) -> User:
    if not can_moderate(actor):
        raise PermissionDenied()
    assert actor is not None
    return actor


def access_thread(session: Session, thread_id: int) -> Thread:
    """The thread or ``NotFound`` (threads are public: nothing more to check to read one)."""
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise NotFound()
    return thread


def access_thread_for_reply(session: Session, actor: User | None, thread_id: int) -> Thread:
    """The thread, locked for this transaction (its post numbers and counts change), if ``actor`` may
    reply; ``PermissionDenied`` with the reason otherwise."""
    thread = session.get(Thread, thread_id, with_for_update=True)
    if thread is None:
        raise NotFound()
    if actor is None:
        raise PermissionDenied()
    if not can_reply(actor, thread):
        raise PermissionDenied(N_("This thread is locked: no new replies."))
    return thread


def access_post(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound()
    return post
