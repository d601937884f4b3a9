"""The forum's tables. Counts a page shows (posts, reactions) are kept on the row they count, updated
under the thread's lock, so lists never count rows; invariants live in constraints."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from accounts.models import StakeholderGroup
from core.db import Base, enum_column
from core.errors import N_
from core.types import intpk


class BoardKind(enum.Enum):
    cell = "cell"  # one board per grid cell (网格)
    theme = "theme"  # city-wide themes: 市容环境, 停车, 垃圾分类, 摊点 …


class Stance(enum.Enum):
    """What a reply does in the debate; a thread can be read as its arguments side by side."""

    support = "support"  # 赞成
    oppose = "oppose"  # 反对
    addition = "addition"  # 补充
    question = "question"  # 提问

    @property
    def label(self) -> str:
        return STANCE_LABELS[self]


STANCE_LABELS = {
    Stance.support: N_("For"),
    Stance.oppose: N_("Against"),
    Stance.addition: N_("Addition"),
    Stance.question: N_("Question"),
}


class Board(Base):
    __tablename__ = "forum_boards"
    __table_args__ = (
        CheckConstraint("(kind = 'cell') = (cell_code IS NOT NULL)", name="cell_board_has_a_cell"),
    )

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[BoardKind] = mapped_column(enum_column(BoardKind, "board_kind"))
    cell_code: Mapped[str | None] = mapped_column(String(15), unique=True)
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    thread_count: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Thread(Base):
    __tablename__ = "forum_threads"
    __table_args__ = (
        # a board's list: pinned first, then newest activity, one index seek per page
        Index("ix_forum_threads_board_list", "board_id", "is_pinned", "last_activity_at"),
        Index("ix_forum_threads_activity", "last_activity_at"),
        CheckConstraint("post_count >= 0", name="post_count_not_negative"),
    )

    id: Mapped[intpk]
    board_id: Mapped[int] = mapped_column(ForeignKey("forum_boards.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(120))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    post_count: Mapped[int] = mapped_column(default=0)
    is_pinned: Mapped[bool] = mapped_column(default=False)
    is_locked: Mapped[bool] = mapped_column(default=False)


class Post(Base):
    """One contribution; number 1 opens the thread. Hidden and deleted posts keep their place."""

    __tablename__ = "forum_posts"
    __table_args__ = (
        UniqueConstraint("thread_id", "number", name="uq_forum_posts_thread_number"),
        Index("ix_forum_posts_author", "author_id", "created_at"),
        CheckConstraint("reaction_count >= 0", name="reaction_count_not_negative"),
    )

    id: Mapped[intpk]
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    number: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # the group the author spoke for when posting: participation counts read this, not today's group
    author_group: Mapped[StakeholderGroup] = mapped_column(enum_column(StakeholderGroup, "post_author_group"))
    stance: Mapped[Stance | None] = mapped_column(enum_column(Stance, "post_stance"))
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)  # the Markdown as written
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitized when written (core.markdown)
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str] = mapped_column(String(200), default="")
    reaction_count: Mapped[int] = mapped_column(default=0)


class PostVersion(Base):
    """An earlier text of an edited post, kept so anyone can see what changed."""

    __tablename__ = "forum_post_versions"

    id: Mapped[intpk]
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime]  # when this text was first shown


class Reaction(Base):
    """One "有道理" (that makes sense) per person per post, held by the primary key."""

    __tablename__ = "forum_reactions"

    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime]


class Report(Base):
    """Someone's report of a post to the moderators; one open report per person per post."""

    __tablename__ = "forum_reports"
    __table_args__ = (
        Index(
            "uq_forum_reports_open",
            "post_id",
            "reporter_id",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
        Index("ix_forum_reports_queue", "resolved_at", "created_at"),
    )

    id: Mapped[intpk]
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(20), default="")  # "hidden" or "dismissed"


class FollowTarget(enum.Enum):
    thread = "thread"
    board = "board"


class Follow(Base):
    """Someone follows a thread or a board: told of replies, at most once per thread until read."""

    __tablename__ = "forum_follows"
    __table_args__ = (Index("ix_forum_follows_target", "target", "target_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    target: Mapped[FollowTarget] = mapped_column(enum_column(FollowTarget, "follow_target"), primary_key=True)
    target_id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
