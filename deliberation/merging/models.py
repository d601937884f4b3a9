"""The merge (四意合一) of a consultation: its participants, their short statements and their votes,
and the cached analysis the report page reads."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from accounts.models import StakeholderGroup
from core.db import Base, enum_column
from core.errors import N_
from core.types import intpk

STATEMENT_MAX = 280  # characters: short enough to read and vote on in a few seconds on a phone


class StatementStatus(enum.Enum):
    """Where a statement stands with the committee's moderation."""

    pending = "pending"  # 待审核: shown and voted on, unless the merge requires approval first
    accepted = "accepted"  # 已采纳
    duplicate = "duplicate"  # 重复: rejected, leaves the analysis
    off_topic = "off_topic"  # 离题: rejected, leaves the analysis

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def rejected(self) -> bool:
        return self in (StatementStatus.duplicate, StatementStatus.off_topic)


STATUS_LABELS = {
    StatementStatus.pending: N_("Awaiting review"),
    StatementStatus.accepted: N_("Accepted"),
    StatementStatus.duplicate: N_("Rejected as a duplicate"),
    StatementStatus.off_topic: N_("Rejected as off topic"),
}


class VoteValue(enum.IntEnum):
    """A vote as Pol.is codes it, so the analysis reads the column as it is."""

    agree = 1  # 同意
    pass_ = 0  # 跳过
    disagree = -1  # 不同意

    @property
    def label(self) -> str:
        return VOTE_LABELS[self]


VOTE_LABELS = {VoteValue.agree: N_("Agree"), VoteValue.disagree: N_("Disagree"), VoteValue.pass_: N_("Pass")}


class Merge(Base):
    """A consultation's merge: its moderation setting, the committee's merged opinion (共识意见) and the
    cached analysis (refreshed by a job, never on a page view). The row appears with the first write."""

    __tablename__ = "merges"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    require_approval: Mapped[bool] = mapped_column(default=False)
    opinion: Mapped[str] = mapped_column(Text, default="")  # Markdown as written
    opinion_html: Mapped[str] = mapped_column(Text, default="")
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # deliberation.merging.snapshot
    report_at: Mapped[datetime | None]
    report_votes: Mapped[int] = mapped_column(default=0)  # votes the cached analysis counted
    report_seconds: Mapped[float] = mapped_column(default=0.0)  # how long it took to compute
    created_at: Mapped[datetime]


class Participant(Base):
    """Someone who took part in a merge: a user, or a voter imported from a Pol.is export (an external
    id and the group the groups file declared)."""

    __tablename__ = "merge_participants"
    __table_args__ = (
        UniqueConstraint("consultation_id", "user_id", name="uq_merge_participants_user"),
        UniqueConstraint("consultation_id", "external_id", name="uq_merge_participants_external"),
        CheckConstraint("user_id IS NOT NULL OR external_id IS NOT NULL", name="someone"),
    )

    id: Mapped[intpk]
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("merges.consultation_id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(80))
    group: Mapped[StakeholderGroup | None] = mapped_column(
        "stakeholder_group", enum_column(StakeholderGroup, "merge_participant_group")
    )
    created_at: Mapped[datetime]


class Statement(Base):
    """A short statement (观点) to vote on, at most 280 characters when written here."""

    __tablename__ = "merge_statements"
    __table_args__ = (
        Index("ix_merge_statements_shown", "consultation_id", "status"),
        UniqueConstraint("consultation_id", "external_id", name="uq_merge_statements_external"),
    )

    id: Mapped[intpk]
    consultation_id: Mapped[int] = mapped_column(ForeignKey("merges.consultation_id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("merge_participants.id", ondelete="SET NULL"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(40))  # a Pol.is comment-id
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[StatementStatus] = mapped_column(
        enum_column(StatementStatus, "merge_statement_status"), default=StatementStatus.pending
    )
    created_at: Mapped[datetime]
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Vote(Base):
    """One participant's vote on one statement (the primary key: one each, changed in place), with the
    stakeholder group the voter had when voting: every count uses that recorded group."""

    __tablename__ = "merge_votes"
    __table_args__ = (
        CheckConstraint("value IN (-1, 0, 1)", name="value"),
        Index("ix_merge_votes_participant", "participant_id"),
    )

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("merge_statements.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("merge_participants.id", ondelete="CASCADE"), primary_key=True
    )
    # the merge again, so the analysis reads every vote of a merge by one index
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("merges.consultation_id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int] = mapped_column(SmallInteger)
    group: Mapped[StakeholderGroup | None] = mapped_column(
        "stakeholder_group", enum_column(StakeholderGroup, "merge_vote_group")
    )
    cast_at: Mapped[datetime]
