"""The committee's profiles, consultations with their timeline, meetings, resolutions and votes."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, enum_column
from core.errors import N_
from core.types import intpk


class CommitteeProfile(Base):
    """What the public committee page says about a member (群议委委员): title, expertise, term."""

    __tablename__ = "committee_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(String(60), default="")  # 退休干部, 城市规划专家 …
    expertise: Mapped[str] = mapped_column(String(200), default="")
    biography: Mapped[str] = mapped_column(Text, default="")
    term_start: Mapped[date | None]
    term_end: Mapped[date | None]


class State(enum.Enum):
    """Where a consultation stands (DESIGN.md): each move is in ``lifecycle.TRANSITIONS``."""

    draft = "draft"  # 草拟
    collecting = "collecting"  # 征集意见
    deliberating = "deliberating"  # 议事
    agreed = "agreed"  # 形成共识
    not_agreed = "not_agreed"  # 未形成共识
    handed_off = "handed_off"  # 转办
    closed = "closed"  # 办结

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.draft: N_("Draft"),
    State.collecting: N_("Collecting views"),
    State.deliberating: N_("In deliberation"),
    State.agreed: N_("Agreed"),
    State.not_agreed: N_("Not agreed"),
    State.handed_off: N_("Handed to the grid"),
    State.closed: N_("Closed"),
}


class ScopeKind(enum.Enum):
    cell = "cell"  # one grid cell (网格)
    community = "community"  # a street's community (街道社区)


class Consultation(Base):
    __tablename__ = "consultations"
    __table_args__ = (Index("ix_consultations_state", "state", "updated_at"),)

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(120))
    question: Mapped[str] = mapped_column(Text)  # 议题: what must be decided
    background: Mapped[str] = mapped_column(Text, default="")  # Markdown as written
    background_html: Mapped[str] = mapped_column(Text, default="")
    scope_kind: Mapped[ScopeKind] = mapped_column(enum_column(ScopeKind, "consultation_scope"))
    cell_code: Mapped[str | None] = mapped_column(String(15), index=True)
    street: Mapped[str] = mapped_column(String(40), default="")
    community: Mapped[str] = mapped_column(String(40), default="")
    convener_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    input_deadline: Mapped[datetime | None]
    # the forum thread where every side speaks: one consultation per thread
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_threads.id", ondelete="SET NULL"), unique=True
    )
    state: Mapped[State] = mapped_column(enum_column(State, "consultation_state"), default=State.draft)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Step(Base):
    """One move on a consultation's public timeline: who, when, from which state to which, and why."""

    __tablename__ = "consultation_steps"

    id: Mapped[intpk]
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[State | None] = mapped_column(enum_column(State, "step_from_state"))
    to_state: Mapped[State | None] = mapped_column(enum_column(State, "step_to_state"))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )  # None: the system
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class Follower(Base):
    """Someone who asked to be told when the consultation moves (participants are told anyway)."""

    __tablename__ = "consultation_followers"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    since: Mapped[datetime]


class Meeting(Base):
    """A meeting of the consultation (议事会): when, where, the agenda, who was invited and came, and the
    minutes, published after it."""

    __tablename__ = "consultation_meetings"

    id: Mapped[intpk]
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(120))
    agenda: Mapped[str] = mapped_column(Text, default="")
    invited: Mapped[str] = mapped_column(Text, default="")  # the parties asked to come
    attendance: Mapped[str] = mapped_column(Text, default="")  # who came
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_html: Mapped[str] = mapped_column(Text, default="")
    minutes_published_at: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(default=0)  # calendar apps see a changed meeting as one event
    created_at: Mapped[datetime]


class ResolutionState(enum.Enum):
    drafting = "drafting"
    voting = "voting"
    adopted = "adopted"
    rejected = "rejected"


class Resolution(Base):
    """The committee's resolution (决议): drafted by the convener, voted on by the members."""

    __tablename__ = "resolutions"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    text_html: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ResolutionState] = mapped_column(
        enum_column(ResolutionState, "resolution_state"), default=ResolutionState.drafting
    )
    members_at_vote: Mapped[int] = mapped_column(default=0)  # the quorum's base, fixed when the vote opens
    vote_opened_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]


class Choice(enum.Enum):
    for_ = "for"  # 赞成
    against = "against"  # 反对
    abstain = "abstain"  # 弃权

    @property
    def label(self) -> str:
        return CHOICE_LABELS[self]


CHOICE_LABELS = {Choice.for_: N_("For"), Choice.against: N_("Against"), Choice.abstain: N_("Abstain")}


class ResolutionVote(Base):
    """One committee member's vote on a resolution: one per member, changed while the vote is open."""

    __tablename__ = "resolution_votes"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("resolutions.consultation_id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    choice: Mapped[Choice] = mapped_column(enum_column(Choice, "resolution_choice"))
    cast_at: Mapped[datetime]
