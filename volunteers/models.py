"""Tables of the volunteers feature (城市志愿者服务队): teams, shifts, sign-ups, hours, certificates.

Invariants live in the database, not only in Python:
- a shift's ``taken`` (confirmed sign-ups plus offers still held) stays between 0 and its capacity
  (CHECK), and every change to it happens under the shift's row lock (see ``volunteers.lifecycle``);
- a volunteer has at most one active sign-up per shift (a partial unique index: a cancelled, late
  cancelled or expired sign-up does not block signing up again);
- places in a shift's line (``position``) are unique per shift and handed out from the shift's own
  counter under its lock, so the waitlist is in commit order on PostgreSQL too, where sequence ids
  are not.

Grid cells are kept as 15-digit codes: ``volunteers`` never imports ``grid``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column
from core.errors import N_
from core.types import intpk


class JoinPolicy(enum.Enum):
    open = "open"  # anyone joins at once
    approval = "approval"  # a leader approves each request

    @property
    def label(self) -> str:
        return JOIN_POLICY_LABELS[self]


JOIN_POLICY_LABELS = {
    JoinPolicy.open: N_("Anyone may join"),
    JoinPolicy.approval: N_("A leader approves each new member"),
}


class MemberRole(enum.Enum):
    member = "member"  # 队员
    leader = "leader"  # 队长 (co-leaders are leaders too)

    @property
    def label(self) -> str:
        return MEMBER_ROLE_LABELS[self]


MEMBER_ROLE_LABELS = {MemberRole.member: N_("Member"), MemberRole.leader: N_("Team leader")}


class MemberStatus(enum.Enum):
    requested = "requested"  # waiting for a leader (teams that approve members)
    active = "active"

    @property
    def label(self) -> str:
        return MEMBER_STATUS_LABELS[self]


MEMBER_STATUS_LABELS = {MemberStatus.requested: N_("Asked to join"), MemberStatus.active: N_("Member")}


class Skill(enum.Enum):
    """Skills a shift may require and a volunteer may declare."""

    first_aid = "first_aid"  # 急救
    elderly_care = "elderly_care"  # 助老
    child_care = "child_care"  # 儿童看护
    sign_language = "sign_language"  # 手语
    driving = "driving"  # 驾驶
    electrical = "electrical"  # 电工
    translation = "translation"  # 外语翻译
    counselling = "counselling"  # 心理疏导

    @property
    def label(self) -> str:
        return SKILL_LABELS[self]


SKILL_LABELS = {
    Skill.first_aid: N_("First aid"),
    Skill.elderly_care: N_("Care for the elderly"),
    Skill.child_care: N_("Looking after children"),
    Skill.sign_language: N_("Sign language"),
    Skill.driving: N_("Driving"),
    Skill.electrical: N_("Electrical work"),
    Skill.translation: N_("Foreign-language interpreting"),
    Skill.counselling: N_("Counselling"),
}


class ShiftStatus(enum.Enum):
    scheduled = "scheduled"
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return SHIFT_STATUS_LABELS[self]


SHIFT_STATUS_LABELS = {ShiftStatus.scheduled: N_("Scheduled"), ShiftStatus.cancelled: N_("Cancelled")}


class SignupStatus(enum.Enum):
    """A sign-up's states; the allowed moves are the table in ``volunteers.lifecycle``."""

    pending_approval = "pending_approval"  # needs a leader (too many no-shows); holds no place
    waitlisted = "waitlisted"  # 候补
    offered = "offered"  # a freed place held for them until offer_expires_at
    confirmed = "confirmed"  # 已报名
    expired = "expired"  # did not accept the offer in time
    cancelled = "cancelled"
    late_cancelled = "late_cancelled"  # cancelled inside the cancellation window
    attended = "attended"  # 已签到
    no_show = "no_show"  # 缺席

    @property
    def label(self) -> str:
        return SIGNUP_STATUS_LABELS[self]


SIGNUP_STATUS_LABELS = {
    SignupStatus.pending_approval: N_("Waiting for a leader's approval"),
    SignupStatus.waitlisted: N_("On the waiting list"),
    SignupStatus.offered: N_("A place is offered"),
    SignupStatus.confirmed: N_("Signed up"),
    SignupStatus.expired: N_("Offer ran out"),
    SignupStatus.cancelled: N_("Cancelled"),
    SignupStatus.late_cancelled: N_("Cancelled late"),
    SignupStatus.attended: N_("Came"),
    SignupStatus.no_show: N_("Did not come"),
}

# A cancelled, late-cancelled or expired sign-up is history: it does not block signing up again.
ENDED = (SignupStatus.cancelled, SignupStatus.late_cancelled, SignupStatus.expired)
_ENDED_SQL = ", ".join(f"'{status.value}'" for status in ENDED)


class HoursKind(enum.Enum):
    shift = "shift"  # served on a shift
    adjustment = "adjustment"  # a leader's correction, with a note

    @property
    def label(self) -> str:
        return HOURS_KIND_LABELS[self]


HOURS_KIND_LABELS = {HoursKind.shift: N_("Shift"), HoursKind.adjustment: N_("Correction")}


class IdType(enum.Enum):
    """Identity documents a 志愿服务记录证明 may name."""

    resident_id = "resident_id"  # 居民身份证
    hk_macao_permit = "hk_macao_permit"  # 港澳居民居住证 / 来往内地通行证
    taiwan_permit = "taiwan_permit"  # 台湾居民居住证 / 来往大陆通行证
    passport = "passport"  # 护照

    @property
    def label(self) -> str:
        return ID_TYPE_LABELS[self]


ID_TYPE_LABELS = {
    IdType.resident_id: N_("Resident identity card"),
    IdType.hk_macao_permit: N_("Hong Kong or Macao resident permit"),
    IdType.taiwan_permit: N_("Taiwan resident permit"),
    IdType.passport: N_("Passport"),
}


class CertificateStatus(enum.Enum):
    applied = "applied"  # 申请
    accepted = "accepted"  # 受理
    issued = "issued"  # 出具
    declined = "declined"

    @property
    def label(self) -> str:
        return CERTIFICATE_STATUS_LABELS[self]


CERTIFICATE_STATUS_LABELS = {
    CertificateStatus.applied: N_("Applied for"),
    CertificateStatus.accepted: N_("Accepted, being prepared"),
    CertificateStatus.issued: N_("Issued"),
    CertificateStatus.declined: N_("Declined"),
}


class Team(Base):
    """A volunteer team (志愿服务队). Null overrides read as the site settings."""

    __tablename__ = "volunteer_teams"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # the organisation named on its certificates (出具证明的组织)
    organisation: Mapped[str] = mapped_column(String(120))
    join_policy: Mapped[JoinPolicy] = mapped_column(enum_column(JoinPolicy, "volunteer_join_policy"))
    cancel_window_hours: Mapped[int | None]
    offer_hours: Mapped[int | None]
    no_show_limit: Mapped[int | None]
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    # only the (few) leaders, for can_lead_team; loaded when asked, never by default
    leaders: Mapped[list[Membership]] = relationship(
        primaryjoin="and_(Team.id == Membership.team_id, Membership.role == 'leader', "
        "Membership.status == 'active')",
        viewonly=True,
    )


class TeamCell(Base):
    """A grid cell a team serves, by its 15-digit code."""

    __tablename__ = "volunteer_team_cells"
    __table_args__ = (CheckConstraint("length(cell_code) = 15", name="cell_code_has_15_digits"),)

    team_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_teams.id", ondelete="CASCADE"), primary_key=True
    )
    cell_code: Mapped[str] = mapped_column(String(15), primary_key=True, index=True)


class Membership(Base):
    """A person in a team, as member or leader; a request waits in ``requested``."""

    __tablename__ = "volunteer_memberships"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole, "volunteer_member_role"))
    status: Mapped[MemberStatus] = mapped_column(enum_column(MemberStatus, "volunteer_member_status"))
    since: Mapped[datetime]


class Series(Base):
    """A weekly recurring shift: the rule its shifts were made from (each shift is a row of its own)."""

    __tablename__ = "volunteer_series"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_in_week"),
        CheckConstraint("weeks BETWEEN 1 AND 52", name="weeks_in_a_year"),
    )

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("volunteer_teams.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]  # Monday is 0, in Asia/Shanghai
    local_start: Mapped[str] = mapped_column(String(5))  # "HH:MM" wall-clock time
    minutes: Mapped[int]
    first_day: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int]
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Shift(Base):
    """One shift (班次). ``taken`` counts confirmed sign-ups plus offers still held."""

    __tablename__ = "volunteer_shifts"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("taken >= 0", name="taken_not_negative"),
        CheckConstraint("taken <= capacity", name="taken_within_capacity"),
        CheckConstraint("next_position >= 0", name="next_position_not_negative"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("signup_deadline <= starts_at", name="deadline_before_start"),
        CheckConstraint("min_age IS NULL OR min_age BETWEEN 1 AND 99", name="min_age_sensible"),
        CheckConstraint("cell_code IS NULL OR length(cell_code) = 15", name="cell_code_has_15_digits"),
        Index("ix_volunteer_shifts_team_starts", "team_id", "starts_at"),
    )

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("volunteer_teams.id", ondelete="CASCADE"))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteer_series.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200))
    cell_code: Mapped[str | None] = mapped_column(String(15))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)
    # the last place handed out in this shift's line, counted under the shift's row lock
    next_position: Mapped[int] = mapped_column(default=0)
    min_age: Mapped[int | None]
    signup_deadline: Mapped[datetime]
    opens_hours_before: Mapped[int | None]  # popular shifts: sign-up opens this long before the start
    status: Mapped[ShiftStatus] = mapped_column(enum_column(ShiftStatus, "volunteer_shift_status"))
    revision: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE: bumped by every edit
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    attendance_asked_at: Mapped[datetime | None]

    skills: Mapped[list[ShiftSkill]] = relationship(cascade="all, delete-orphan", order_by="ShiftSkill.skill")

    @property
    def required_skills(self) -> set[Skill]:
        return {row.skill for row in self.skills}

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class ShiftSkill(Base):
    __tablename__ = "volunteer_shift_skills"

    shift_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_shifts.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[Skill] = mapped_column(enum_column(Skill, "volunteer_skill"), primary_key=True)


class Signup(Base):
    """A volunteer's sign-up (报名) for a shift; ``position`` is their place in the shift's line."""

    __tablename__ = "volunteer_signups"
    __table_args__ = (
        Index(
            "uq_volunteer_signups_active",
            "shift_id",
            "user_id",
            unique=True,
            sqlite_where=text(f"status NOT IN ({_ENDED_SQL})"),
            postgresql_where=text(f"status NOT IN ({_ENDED_SQL})"),
        ),
        UniqueConstraint("shift_id", "position", name="uq_volunteer_signups_shift_position"),
        CheckConstraint("(status = 'offered') = (offer_expires_at IS NOT NULL)", name="offer_has_expiry"),
        Index("ix_volunteer_signups_shift_status", "shift_id", "status", "position"),
        Index("ix_volunteer_signups_user_status", "user_id", "status"),
    )

    id: Mapped[intpk]
    shift_id: Mapped[int] = mapped_column(ForeignKey("volunteer_shifts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[SignupStatus] = mapped_column(enum_column(SignupStatus, "volunteer_signup_status"))
    position: Mapped[int | None]  # None while pending approval: that holds no place in line
    offer_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    changed_at: Mapped[datetime]
    checked_in_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    reminded_eve_at: Mapped[datetime | None]
    reminded_day_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(String(200), default="")


class Profile(Base):
    """What a volunteer tells about themselves for the rules of shifts: birth date and skills."""

    __tablename__ = "volunteer_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]


class VolunteerSkill(Base):
    __tablename__ = "volunteer_skills"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[Skill] = mapped_column(enum_column(Skill, "volunteer_skill"), primary_key=True)


class HoursRecord(Base):
    """A line of a volunteer's hours ledger (服务时长记录); the team verifies each line."""

    __tablename__ = "volunteer_hours"
    __table_args__ = (
        CheckConstraint("kind = 'adjustment' OR signup_id IS NOT NULL", name="shift_hours_name_signup"),
        CheckConstraint("kind = 'shift' OR note <> ''", name="adjustment_has_note"),
        CheckConstraint("kind = 'adjustment' OR minutes >= 0", name="shift_minutes_not_negative"),
        Index("ix_volunteer_hours_user_team", "user_id", "team_id"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("volunteer_teams.id", ondelete="CASCADE"), index=True)
    # no ON DELETE: a ledger line keeps its shift and sign-up (shifts are cancelled, never deleted)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_shifts.id"))
    signup_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_signups.id"), unique=True)
    kind: Mapped[HoursKind] = mapped_column(enum_column(HoursKind, "volunteer_hours_kind"))
    minutes: Mapped[int]
    served_on: Mapped[date] = mapped_column(Date)  # in Asia/Shanghai
    activity: Mapped[str] = mapped_column(String(120))  # the shift's title when recorded
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Identity(Base):
    """The identity a certificate names, asked for only then. Kept here, never in ``users``; the number
    is not indexed, logged, audited or exported, and shown whole on the certificate only."""

    __tablename__ = "volunteer_identities"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    real_name: Mapped[str] = mapped_column(String(40))
    id_type: Mapped[IdType] = mapped_column(enum_column(IdType, "volunteer_id_type"))
    id_number: Mapped[str] = mapped_column(String(30))
    updated_at: Mapped[datetime]

    @property
    def masked_number(self) -> str:
        return mask_id_number(self.id_number)

    def __repr__(self) -> str:
        return (
            f"Identity(user_id={self.user_id!r}, id_type={self.id_type!r}, id_number={self.masked_number!r})"
        )


def mask_id_number(number: str) -> str:
    """All but the first three and last four characters hidden (fewer shown for short numbers)."""
    keep_head, keep_tail = (3, 4) if len(number) >= 10 else (1, 1)
    if len(number) <= keep_head + keep_tail:
        return "*" * len(number)
    return number[:keep_head] + "*" * (len(number) - keep_head - keep_tail) + number[-keep_tail:]


class Certificate(Base):
    """A certificate of service (志愿服务记录证明): applied for, accepted, then issued by the team.

    At issue it keeps what it certifies (the activities with their dates and hours, the organisation's
    name, the volunteer's name), so it reads the same later; the ID number stays in ``Identity``.
    """

    __tablename__ = "volunteer_certificates"
    __table_args__ = (
        CheckConstraint("status <> 'issued' OR number IS NOT NULL", name="issued_has_number"),
        # one application at a time per volunteer and team
        Index(
            "uq_volunteer_certificates_open",
            "team_id",
            "user_id",
            unique=True,
            sqlite_where=text("status IN ('applied', 'accepted')"),
            postgresql_where=text("status IN ('applied', 'accepted')"),
        ),
        Index("ix_volunteer_certificates_team_status", "team_id", "status"),
    )

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("volunteer_teams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[CertificateStatus] = mapped_column(
        enum_column(CertificateStatus, "volunteer_certificate_status")
    )
    purpose: Mapped[str] = mapped_column(String(200), default="")
    applied_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str] = mapped_column(String(500), default="")
    number: Mapped[str | None] = mapped_column(String(40), unique=True)
    issued_at: Mapped[datetime | None]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation: Mapped[str] = mapped_column(String(120), default="")
    real_name: Mapped[str] = mapped_column(String(40), default="")
    total_minutes: Mapped[int] = mapped_column(default=0)
    activities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class CalendarFeed(Base):
    """A personal iCalendar feed's secret. Only its SHA-256 is kept: the address is shown once."""

    __tablename__ = "volunteer_calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
