"""The mediation tables: disputes, their parties, mediation meetings and the private timeline.

Invariants the database holds, not only Python: an accepted case has a mediator (CHECK); a referral
target exactly when the outcome is a referral (CHECK); a party is a registered person or a named
outside party, never both or neither (CHECK); a person is a party to a dispute once (unique).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, enum_column
from core.errors import N_
from core.types import intpk


class DisputeKind(enum.Enum):
    """What the dispute is about (纠纷类型)."""

    neighbours = "neighbours"  # 邻里纠纷
    property_management = "property_management"  # 物业纠纷
    vendors = "vendors"  # 商户摊贩
    noise = "noise"  # 噪音扰民
    parking = "parking"  # 停车纠纷
    other = "other"  # 其他

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    DisputeKind.neighbours: N_("Between neighbours"),
    DisputeKind.property_management: N_("With the property management"),
    DisputeKind.vendors: N_("With vendors or shops"),
    DisputeKind.noise: N_("Noise"),
    DisputeKind.parking: N_("Parking"),
    DisputeKind.other: N_("Something else"),
}


class DisputeStatus(enum.Enum):
    """Where a case stands; the moves between them are ``deliberation.mediation.lifecycle``."""

    applied = "applied"  # 已申请
    accepted = "accepted"  # 已受理
    declined = "declined"  # 不予受理
    in_mediation = "in_mediation"  # 调解中
    agreed = "agreed"  # 达成协议
    failed = "failed"  # 调解不成
    referred = "referred"  # 已转介
    closed = "closed"  # 已结案

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    DisputeStatus.applied: N_("Applied, waiting for the chair"),
    DisputeStatus.accepted: N_("Accepted, mediator assigned"),
    DisputeStatus.declined: N_("Not taken up"),
    DisputeStatus.in_mediation: N_("In mediation"),
    DisputeStatus.agreed: N_("Agreement reached"),
    DisputeStatus.failed: N_("Mediation did not succeed"),
    DisputeStatus.referred: N_("Referred elsewhere"),
    DisputeStatus.closed: N_("Case closed"),
}


class Outcome(enum.Enum):
    """How a case ended, kept once it is closed too: the public counts read it."""

    declined = "declined"
    agreed = "agreed"
    failed = "failed"
    referred = "referred"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.declined: N_("Not taken up"),
    Outcome.agreed: N_("Agreement reached"),
    Outcome.failed: N_("No agreement"),
    Outcome.referred: N_("Referred elsewhere"),
}


class Referral(enum.Enum):
    """Where a case the committee could not settle was sent (转介)."""

    legal_aid = "legal_aid"  # 法律援助
    court = "court"  # 人民法院
    hotline = "hotline"  # 12345 政务服务便民热线

    @property
    def label(self) -> str:
        return REFERRAL_LABELS[self]


REFERRAL_LABELS = {
    Referral.legal_aid: N_("Legal aid"),
    Referral.court: N_("The people's court"),
    Referral.hotline: N_("The 12345 citizen hotline"),
}


class Side(enum.Enum):
    applicant = "applicant"  # 申请人
    respondent = "respondent"  # 被申请人

    @property
    def label(self) -> str:
        return SIDE_LABELS[self]


SIDE_LABELS = {Side.applicant: N_("Applicant"), Side.respondent: N_("Other party")}


class Action(enum.Enum):
    """What someone does to a case; the table in ``lifecycle`` says from where, who, and to what."""

    apply = "apply"
    accept = "accept"
    decline = "decline"
    log_meeting = "log_meeting"
    propose = "propose"
    confirm = "confirm"
    agree = "agree"
    fail = "fail"
    consent = "consent"
    refer = "refer"
    close = "close"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.apply: N_("Applied for mediation"),
    Action.accept: N_("Accepted the case and assigned a mediator"),
    Action.decline: N_("Declined to take up the case"),
    Action.log_meeting: N_("Logged a mediation meeting"),
    Action.propose: N_("Proposed an agreement"),
    Action.confirm: N_("Confirmed the agreement"),
    Action.agree: N_("Every party confirmed: agreement reached"),
    Action.fail: N_("Recorded that mediation did not succeed"),
    Action.consent: N_("Answered whether the summary may be shared"),
    Action.refer: N_("Referred the case"),
    Action.close: N_("Closed the case"),
}


class Dispute(Base):
    """A case brought to the committee for mediation (调解申请). Private to its people."""

    __tablename__ = "disputes"
    __table_args__ = (
        CheckConstraint(
            "status IN ('applied', 'declined') OR mediator_id IS NOT NULL", name="accepted_has_mediator"
        ),
        CheckConstraint(
            "(outcome IS NOT NULL AND outcome = 'referred') = (referral IS NOT NULL)",
            name="referral_with_its_outcome",
        ),
        CheckConstraint("agreement_version >= 0", name="agreement_version_not_negative"),
        Index("ix_disputes_status", "status", "changed_at"),  # the chair's list, by where cases stand
        Index("ix_disputes_statistics", "filed_year", "kind", "outcome"),
    )

    id: Mapped[intpk]
    kind: Mapped[DisputeKind] = mapped_column(enum_column(DisputeKind, "dispute_kind"))
    status: Mapped[DisputeStatus] = mapped_column(enum_column(DisputeStatus, "dispute_status"))
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome, "dispute_outcome"))
    filed_year: Mapped[int]  # the year filed in Asia/Shanghai, which the public counts group by
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    account: Mapped[str] = mapped_column(Text)  # what happened, in the applicant's words
    wanted: Mapped[str] = mapped_column(Text)  # what the applicant would like to achieve
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    agreement_text: Mapped[str] = mapped_column(Text, default="")
    # a new proposal counts up, so a confirmation of an earlier text is no confirmation of this one
    agreement_version: Mapped[int] = mapped_column(default=0)
    agreement_proposed_at: Mapped[datetime | None]
    # what the parties may agree to share when mediation fails (a later grid hand-off reads it)
    shared_summary: Mapped[str] = mapped_column(Text, default="")
    referral: Mapped[Referral | None] = mapped_column(enum_column(Referral, "dispute_referral"))
    referral_note: Mapped[str] = mapped_column(String(500), default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    changed_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class DisputeParty(Base):
    """A party to a dispute: a registered person (who confirms in the app) or a named outside party."""

    __tablename__ = "dispute_parties"
    __table_args__ = (
        UniqueConstraint("dispute_id", "user_id", name="uq_dispute_parties_dispute_user"),
        CheckConstraint("(user_id IS NOT NULL) <> (outside_name <> '')", name="person_or_outside_party"),
    )

    id: Mapped[intpk]
    # no index of its own: the unique (dispute_id, user_id) serves lookups by dispute
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"))
    side: Mapped[Side] = mapped_column(enum_column(Side, "party_side"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    outside_name: Mapped[str] = mapped_column(String(60), default="")
    confirmed_version: Mapped[int | None]  # the agreement_version this party confirmed
    confirmed_at: Mapped[datetime | None]
    # consent to share the summary: None until asked and answered; given by the person in the app,
    # or for an outside party recorded by the mediator (who is then ``consent_recorded_by_id``)
    share_consent: Mapped[bool | None]
    consent_at: Mapped[datetime | None]
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class MediationMeeting(Base):
    """A mediation meeting (调解会): when, who came, what was said."""

    __tablename__ = "mediation_meetings"

    id: Mapped[intpk]
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    attended_party_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # DisputeParty ids
    mediator_attended: Mapped[bool] = mapped_column(default=True)
    others: Mapped[str] = mapped_column(String(200), default="")  # anyone else present, as written
    notes: Mapped[str] = mapped_column(Text)
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime]


class DisputeEvent(Base):
    """One step on a case's private timeline: who did what, from which state to which."""

    __tablename__ = "dispute_events"
    __table_args__ = (Index("ix_dispute_events_dispute", "dispute_id", "id"),)

    id: Mapped[intpk]
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # None: system
    action: Mapped[Action] = mapped_column(enum_column(Action, "dispute_action"))
    from_status: Mapped[DisputeStatus | None] = mapped_column(enum_column(DisputeStatus, "event_from_status"))
    to_status: Mapped[DisputeStatus] = mapped_column(enum_column(DisputeStatus, "event_to_status"))
    note: Mapped[str] = mapped_column(Text, default="")
