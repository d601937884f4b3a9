"""Threads (话题): starting one with its opening post and photos, a board's list, a thread's header."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, distinct, func, select, update
from sqlalchemy.orm import Session

from accounts.models import StakeholderGroup, User
from accounts.notifications import define_kind
from core import clock, files, markdown
from core.db import rows_as
from core.errors import N_, FieldErrors, NotFound, PermissionDenied
from core.pages import Page, clamp
from deliberation.forums import following
from deliberation.forums.models import Board, FollowTarget, Post, Thread

TITLE_MAX, BODY_MAX, PHOTOS_MAX = 120, 20_000, 4
PHOTO_OWNER = "forum_post"

define_kind(
    "forum_new_thread",
    N_("A new thread on a board I follow"),
    N_("New thread on a board you follow: «%(thread)s»."),
    target="forum_thread",
)


@dataclass(frozen=True)
class ThreadRow:
    """A thread as a board's list shows it."""

    id: int
    title: str
    author_name: str
    author_username: str
    created_at: datetime
    last_activity_at: datetime
    post_count: int
    is_pinned: bool
    is_locked: bool

    @property
    def replies(self) -> int:
        return max(0, self.post_count - 1)


@dataclass(frozen=True)
class ThreadView:
    """A thread's header on its own page."""

    id: int
    title: str
    board_id: int
    board_slug: str
    board_title: str
    author_id: int
    author_name: str
    author_username: str
    created_at: datetime
    last_activity_at: datetime
    post_count: int
    is_pinned: bool
    is_locked: bool
    cell_code: str | None


LIST_COLUMNS = (
    Thread.id,
    Thread.title,
    User.display_name,
    User.username,
    Thread.created_at,
    Thread.last_activity_at,
    Thread.post_count,
    Thread.is_pinned,
    Thread.is_locked,
)
BOARD_LIST = (
    select(*LIST_COLUMNS)
    .join(User, User.id == Thread.author_id)
    .where(Thread.board_id == bindparam("board"))
    .order_by(Thread.is_pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
)
HEADER = (
    select(
        Thread.id,
        Thread.title,
        Board.id,
        Board.slug,
        Board.title,
        Thread.author_id,
        User.display_name,
        User.username,
        Thread.created_at,
        Thread.last_activity_at,
        Thread.post_count,
        Thread.is_pinned,
        Thread.is_locked,
        Board.cell_code,
    )
    .join(Board, Board.id == Thread.board_id)
    .join(User, User.id == Thread.author_id)
    .where(Thread.id == bindparam("thread"))
)
PARTICIPANTS = (
    select(Post.author_group, func.count(distinct(Post.author_id)))
    .where(Post.thread_id == bindparam("thread"))
    .group_by(Post.author_group)
)


BOARD_PAGE = BOARD_LIST.limit(bindparam("limit")).offset(bindparam("offset"))
BOARD_TOTAL = select(func.count()).select_from(Thread).where(Thread.board_id == bindparam("board"))


def threads_of_board(session: Session, board_id: int, *, page: int, per_page: int = 30) -> Page[ThreadRow]:
    """A board's threads: pinned first, then the newest activity (最新动态). The page and the total
    come from statements built once (``core.pages.paginate`` derives its two per call)."""
    number = clamp(page)
    total = session.scalar(BOARD_TOTAL, {"board": board_id}) or 0
    bounds = {"board": board_id, "limit": per_page, "offset": (number - 1) * per_page}
    return Page(rows_as(ThreadRow, session.execute(BOARD_PAGE, bounds)), number, per_page, total)


def thread_view(session: Session, thread_id: int) -> ThreadView:
    found = rows_as(ThreadView, session.execute(HEADER, {"thread": thread_id}))
    if not found:
        raise NotFound()
    return found[0]


def participants(session: Session, thread_id: int) -> dict[StakeholderGroup, int]:
    """How many people of each stakeholder group took part, by the group each had when posting."""
    counts = dict(session.execute(PARTICIPANTS, {"thread": thread_id}).all())
    return {group: counts.get(group, 0) for group in StakeholderGroup}


def recent_threads(session: Session, *, cell_code: str | None = None, limit: int = 5) -> list[ThreadRow]:
    """The threads with the newest activity, city-wide or on one grid cell's board (the home page)."""
    statement = select(*LIST_COLUMNS).join(User, User.id == Thread.author_id)
    if cell_code is not None:
        statement = statement.join(Board, Board.id == Thread.board_id).where(Board.cell_code == cell_code)
    statement = statement.order_by(Thread.last_activity_at.desc(), Thread.id.desc()).limit(limit)
    return rows_as(ThreadRow, session.execute(statement))


def check_text(errors: FieldErrors, body: str, field: str = "body") -> None:
    """A post's text: not empty, not over the limit."""
    if not body.strip():
        errors.add(field, N_("Write something first."))
    elif len(body) > BODY_MAX:
        errors.add(field, N_("A post has at most %(max)s characters."), max=BODY_MAX)


def start_thread(
    session: Session,
    actor: User | None,
    *,
    board_slug: str,
    title: str,
    body: str,
    photos: list[files.Upload] | None = None,
    upload_dir: Path | None = None,
    max_photo_bytes: int = 10 * 1024 * 1024,
) -> Thread:
    """Start a thread (发起话题) with its opening post and up to four photos; the author follows it.

    ``Invalid`` names every field that is wrong before anything is written.
    """
    if actor is None or not actor.is_active:
        raise PermissionDenied()
    board = session.scalar(select(Board).where(Board.slug == board_slug))
    if board is None:
        raise NotFound()
    errors = FieldErrors()
    if not 2 <= len(title.strip()) <= TITLE_MAX:
        errors.add("title", N_("A title has 2 to %(max)s characters."), max=TITLE_MAX)
    check_text(errors, body)
    prepared = files.prepare_photos(errors, photos or [], upload_dir, max_photo_bytes, limit=PHOTOS_MAX)
    errors.raise_if_any()
    now = clock.now()
    thread = Thread(
        board_id=board.id, title=title.strip(), author_id=actor.id, created_at=now, last_activity_at=now
    )
    session.add(thread)
    session.flush()  # the opening post and the photos name the thread
    post = opening_post(session, actor, thread, body, now)
    files.keep_all(
        session, upload_dir, prepared, owner_kind=PHOTO_OWNER, owner_id=post.id, uploaded_by_id=actor.id
    )
    session.execute(
        update(Board)
        .where(Board.id == board.id)
        .values(thread_count=Board.thread_count + 1, last_activity_at=now)
    )
    following.follow(session, actor, FollowTarget.thread, thread.id)
    board_followers = following.followers(session, thread.id, board.id) - {actor.id}
    following.tell_once(session, board_followers, "forum_new_thread", thread.id, {"thread": thread.title})
    return thread


def opening_post(session: Session, actor: User, thread: Thread, body: str, now: datetime) -> Post:
    post = Post(
        thread_id=thread.id,
        number=1,
        author_id=actor.id,
        author_group=actor.group,
        body=body,
        body_html=markdown.render(body),
        created_at=now,
    )
    thread.post_count = 1
    session.add(post)
    session.flush()  # the photos belong to the post by id
    return post


def photos_of(session: Session, post_ids: list[int]) -> dict[str, list[files.FileSummary]]:
    """The photos of several posts in one query."""
    return files.summaries_for(session, PHOTO_OWNER, list(post_ids))
