"""Posts (发言): replying with a stance, quoting, a page of a thread, its arguments side by side, new
posts for the live poll, editing within the window with history, and deleting (the place stays)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, exists, select, update
from sqlalchemy.orm import Session, aliased

from accounts.models import StakeholderGroup, User
from accounts.notifications import define_kind
from core import clock, markdown, site_settings
from core.errors import N_, FieldErrors, Invalid, NotFound, PermissionDenied
from deliberation.forums import following
from deliberation.forums.access import (
    access_post,
    access_thread,
    access_thread_for_reply,
    can_delete,
    can_edit,
    can_moderate,
    can_see_text,
)
from deliberation.forums.models import Board, Post, PostVersion, Reaction, Stance
from deliberation.forums.threads import check_text

PER_PAGE = 50
EDIT_WINDOW = site_settings.int_setting(
    "forums.edit_window_minutes",
    30,
    0,
    7 * 24 * 60,
    N_("Minutes after posting during which an author may edit a forum post"),
)
define_kind(
    "forum_reply",
    N_("New replies in a thread I follow"),
    N_("New replies in «%(thread)s»."),
    target="forum_thread",
)
define_kind(
    "forum_reply_to_you",
    N_("A reply to something I wrote"),
    N_("%(name)s replied to you in «%(thread)s»."),
    target="forum_thread",
)


@dataclass(frozen=True)
class PostView:
    """A post as a thread page shows it to one viewer. ``body_html`` is None when the viewer may not
    read it (hidden for others, or deleted): the text never reaches the page."""

    id: int
    number: int
    author_id: int
    author_name: str
    author_username: str
    author_group: StakeholderGroup
    stance: Stance | None
    reply_to_number: int | None
    body_html: str | None
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    hidden: bool
    hidden_reason: str
    reaction_count: int
    reacted: bool
    editable: bool
    deletable: bool


replied = aliased(Post)
POSTS = (
    select(
        Post.id,
        Post.number,
        Post.author_id,
        User.display_name,
        User.username,
        Post.author_group,
        Post.stance,
        replied.number.label("reply_to_number"),
        Post.body_html,
        Post.created_at,
        Post.edited_at,
        Post.deleted_at,
        Post.hidden_at,
        Post.hidden_reason,
        Post.reaction_count,
        exists().where(Reaction.post_id == Post.id, Reaction.user_id == bindparam("viewer")).label("reacted"),
    )
    .join(User, User.id == Post.author_id)
    .outerjoin(replied, replied.id == Post.reply_to_id)
    .where(Post.thread_id == bindparam("thread"))
    .order_by(Post.number)
)
BETWEEN = POSTS.where(Post.number.between(bindparam("first"), bindparam("last")))
AFTER = POSTS.where(Post.number > bindparam("after")).limit(PER_PAGE)
WITH_STANCE = POSTS.where(Post.stance.is_not(None), Post.deleted_at.is_(None))


def _views(session: Session, viewer: User | None, rows: Iterable[Any]) -> list[PostView]:
    # only a signed-in author may edit: a visitor's page does not look the edit window up
    window = timedelta(minutes=site_settings.get(session, EDIT_WINDOW.name)) if viewer else timedelta(0)
    now = clock.now()
    return [_view(row, viewer, now, window) for row in rows]


def _view(row: Row[Any], viewer: User | None, now: datetime, window: timedelta) -> PostView:
    hidden, deleted = row.hidden_at is not None, row.deleted_at is not None
    visible = can_see_text(viewer, author_id=row.author_id, hidden=hidden, deleted=deleted)
    mine = viewer is not None and viewer.id == row.author_id and not hidden and not deleted
    return PostView(
        id=row.id,
        number=row.number,
        author_id=row.author_id,
        author_name=row.display_name or row.username,
        author_username=row.username,
        author_group=row.author_group,
        stance=row.stance,
        reply_to_number=row.reply_to_number,
        body_html=row.body_html if visible else None,
        created_at=row.created_at,
        edited_at=row.edited_at,
        deleted=deleted,
        hidden=hidden,
        hidden_reason=row.hidden_reason if hidden else "",
        reaction_count=row.reaction_count,
        reacted=bool(row.reacted),
        editable=mine and now - row.created_at <= window,
        deletable=mine,
    )


def pages_of(post_count: int) -> int:
    return max(1, -(-post_count // PER_PAGE))


def page_of_posts(session: Session, viewer: User | None, thread_id: int, page: int) -> list[PostView]:
    """One page of a thread's conversation (50 posts), found by post number: no offset to count past."""
    first = (max(1, page) - 1) * PER_PAGE + 1
    params = {"thread": thread_id, "first": first, "last": first + PER_PAGE - 1, "viewer": _viewer_id(viewer)}
    return _views(session, viewer, session.execute(BETWEEN, params))


def posts_after(session: Session, viewer: User | None, thread_id: int, after: int) -> list[PostView]:
    """The posts after number ``after`` (the live poll asks for them every few seconds)."""
    params = {"thread": thread_id, "after": after, "viewer": _viewer_id(viewer)}
    return _views(session, viewer, session.execute(AFTER, params))


def arguments(session: Session, viewer: User | None, thread_id: int) -> dict[Stance, list[PostView]]:
    """The thread's posts that take a stance, by stance: 赞成 and 反对 side by side, 补充 and 提问 below."""
    found: dict[Stance, list[PostView]] = {stance: [] for stance in Stance}
    rows = session.execute(WITH_STANCE, {"thread": thread_id, "viewer": _viewer_id(viewer)})
    for view in _views(session, viewer, rows):
        if view.stance is not None:
            found[view.stance].append(view)
    return found


def _viewer_id(viewer: User | None) -> int:
    return viewer.id if viewer is not None else -1


def locate(session: Session, post_id: int) -> tuple[int, int, int]:
    """(thread id, page, number) of a post, for a link straight to it."""
    row = session.execute(select(Post.thread_id, Post.number).where(Post.id == post_id)).first()
    if row is None:
        raise NotFound()
    return row.thread_id, (row.number - 1) // PER_PAGE + 1, row.number


def quote_text(session: Session, viewer: User | None, post_id: int) -> str:
    """The Markdown that quotes a post in a reply: its visible text, attributed, or nothing."""
    post = access_post(session, post_id)
    if not can_see_text(
        viewer,
        author_id=post.author_id,
        hidden=post.hidden_at is not None,
        deleted=post.deleted_at is not None,
    ):
        return ""
    author = session.get(User, post.author_id)
    name = author.name if author else ""
    lines = "\n".join(f"> {line}" for line in markdown.plain(post.body, 300).splitlines())
    return f"> **{name}** (#{post.number}):\n{lines}\n\n"


def post_reply(
    session: Session,
    actor: User | None,
    *,
    thread_id: int,
    body: str,
    stance: str = "",
    reply_to_id: int | None = None,
) -> Post:
    """Reply in a thread (回复), optionally taking a stance and answering one post.

    The thread's row is locked while the post takes the next number, so two replies at once never get
    the same one. Followers are told once per thread until they read it.
    """
    errors = FieldErrors()
    check_text(errors, body)
    chosen = None
    if stance:
        try:
            chosen = Stance(stance)
        except ValueError:
            errors.add("stance", N_("Choose a stance from the list, or none."))
    errors.raise_if_any()
    thread = access_thread_for_reply(session, actor, thread_id)
    assert actor is not None
    replied_to = _reply_target(session, thread.id, reply_to_id)
    now = clock.now()
    thread.post_count += 1
    thread.last_activity_at = now
    post = Post(
        thread_id=thread.id,
        number=thread.post_count,
        author_id=actor.id,
        author_group=actor.group,
        stance=chosen,
        reply_to_id=replied_to.id if replied_to else None,
        body=body,
        body_html=markdown.render(body),
        created_at=now,
    )
    session.add(post)
    session.execute(update(Board).where(Board.id == thread.board_id).values(last_activity_at=now))
    session.flush()  # notifications and the search feed name the post
    _tell(session, actor, thread.id, thread.board_id, thread.title, replied_to)
    return post


def _reply_target(session: Session, thread_id: int, reply_to_id: int | None) -> Post | None:
    if reply_to_id is None:
        return None
    target = session.get(Post, reply_to_id)
    if target is None or target.thread_id != thread_id:
        raise Invalid("body", N_("The post you reply to is not in this thread."))
    return target


def _tell(
    session: Session, actor: User, thread_id: int, board_id: int, title: str, replied_to: Post | None
) -> None:
    told: set[int] = set()
    if replied_to is not None and replied_to.author_id != actor.id:
        told = following.tell_once(
            session,
            {replied_to.author_id},
            "forum_reply_to_you",
            thread_id,
            {"thread": title, "name": actor.name},
        )
    others = following.followers(session, thread_id, board_id) - {actor.id} - told
    following.tell_once(session, others, "forum_reply", thread_id, {"thread": title})


def editable_post(session: Session, actor: User | None, post_id: int) -> Post:
    """One's own post, while the edit window is open; ``PermissionDenied`` saying so otherwise."""
    post = access_post(session, post_id)
    window = site_settings.get(session, EDIT_WINDOW.name)
    if not can_edit(actor, post, window):
        raise PermissionDenied(
            N_("Only the author can edit a post, and only within %(minutes)s minutes."), minutes=window
        )
    return post


def edit_post(session: Session, actor: User | None, post_id: int, body: str) -> Post:
    """Change one's own post within the edit window (修改); the earlier text is kept as history."""
    post = editable_post(session, actor, post_id)
    errors = FieldErrors()
    check_text(errors, body)
    errors.raise_if_any()
    if body == post.body:
        return post
    session.add(
        PostVersion(
            post_id=post.id,
            body=post.body,
            body_html=post.body_html,
            written_at=post.edited_at or post.created_at,
        )
    )
    post.body, post.body_html, post.edited_at = body, markdown.render(body), clock.now()
    return post


def delete_post(session: Session, actor: User | None, post_id: int) -> Post:
    """Withdraw one's own post (删除): its place stays, marked "该帖已删除"; its text is shown to nobody."""
    post = access_post(session, post_id)
    if not can_delete(actor, post):
        raise PermissionDenied()
    post.deleted_at = clock.now()
    return post


@dataclass(frozen=True)
class Version:
    body_html: str
    written_at: datetime
    current: bool


def history(session: Session, viewer: User | None, post_id: int) -> tuple[Post, list[Version]]:
    """Every text a post has had, newest first. A hidden post's history is for its author and the
    moderators, a deleted one's for the moderators (``NotFound`` for anyone else)."""
    post = access_post(session, post_id)
    hidden, deleted = post.hidden_at is not None, post.deleted_at is not None
    if not (
        can_see_text(viewer, author_id=post.author_id, hidden=hidden, deleted=deleted) or can_moderate(viewer)
    ):
        raise NotFound()
    access_thread(session, post.thread_id)
    earlier = session.execute(
        select(PostVersion.body_html, PostVersion.written_at)
        .where(PostVersion.post_id == post.id)
        .order_by(PostVersion.id.desc())
    )
    current = Version(post.body_html, post.edited_at or post.created_at, True)
    return post, [current, *(Version(html, at, False) for html, at in earlier)]
