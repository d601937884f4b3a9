"""有道理 ("that makes sense"): one per person per post, held by the table's primary key."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import User
from core import clock
from core.errors import N_, Conflict, PermissionDenied
from deliberation.forums.access import access_post
from deliberation.forums.models import Post, Reaction


def toggle_reaction(session: Session, actor: User | None, post_id: int) -> tuple[bool, int]:
    """Say (or take back) that a post makes sense; returns whether the actor now does, and the count.

    Two presses at once from two tabs land once: the second insert meets the primary key.
    """
    if actor is None:
        raise PermissionDenied()
    post = access_post(session, post_id)
    if post.hidden_at or post.deleted_at:
        raise Conflict(N_("This post is no longer shown, so it cannot be marked."))
    if post.author_id == actor.id:
        raise PermissionDenied(N_("You cannot mark your own post."))
    if session.get(Reaction, (post.id, actor.id)) is not None:
        session.execute(delete(Reaction).where(Reaction.post_id == post.id, Reaction.user_id == actor.id))
        return False, _count(session, post.id, -1)
    try:
        with session.begin_nested():
            session.add(Reaction(post_id=post.id, user_id=actor.id, created_at=clock.now()))
    except IntegrityError:  # the same person in another tab a moment earlier
        return True, post.reaction_count
    return True, _count(session, post.id, +1)


def _count(session: Session, post_id: int, change: int) -> int:
    session.execute(
        update(Post).where(Post.id == post_id).values(reaction_count=Post.reaction_count + change)
    )
    return session.scalar(select(Post.reaction_count).where(Post.id == post_id)) or 0
