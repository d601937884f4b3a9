"""Following a thread or a board (关注), and telling followers once per thread until they read it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import User
from accounts.notifications import notify, unread_about
from core import clock
from deliberation.forums.models import Follow, FollowTarget

THREAD_NOTICES = ("forum_reply", "forum_reply_to_you", "forum_new_thread")


def is_following(session: Session, user: User | None, target: FollowTarget, target_id: int) -> bool:
    if user is None:
        return False
    return session.get(Follow, (user.id, target, target_id)) is not None


def follow(session: Session, user: User, target: FollowTarget, target_id: int) -> None:
    """Start following (idempotent: pressing twice, or two tabs at once, keeps one row)."""
    if is_following(session, user, target, target_id):
        return
    try:
        with session.begin_nested():
            session.add(Follow(user_id=user.id, target=target, target_id=target_id, created_at=clock.now()))
    except IntegrityError:
        pass  # the other tab won: followed either way


def unfollow(session: Session, user: User, target: FollowTarget, target_id: int) -> None:
    session.execute(
        delete(Follow).where(
            Follow.user_id == user.id, Follow.target == target, Follow.target_id == target_id
        )
    )


def followers(session: Session, thread_id: int, board_id: int) -> set[int]:
    """Who follows the thread or its board."""
    rows = session.scalars(
        select(Follow.user_id).where(
            or_(
                (Follow.target == FollowTarget.thread) & (Follow.target_id == thread_id),
                (Follow.target == FollowTarget.board) & (Follow.target_id == board_id),
            )
        )
    )
    return set(rows)


def tell_once(
    session: Session, user_ids: set[int], kind: str, thread_id: int, params: dict[str, Any]
) -> set[int]:
    """Notify ``user_ids`` about a thread, leaving out whoever has an unread notice about it already:
    one notification per thread until read, never one per post. Returns who was told."""
    told = user_ids - unread_about(session, user_ids, THREAD_NOTICES, "forum_thread", thread_id)
    if told:
        notify(session, told, kind, "forum_thread", thread_id, params)
    return told
