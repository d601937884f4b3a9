"""Grid cells (单元网格) with their 网格六定 roster, residents' home cells, and the case queue: the
taxonomy of components and events, departments, cases with their steps, followers and confirmations.

A cell's code is the 15-digit unit-grid code: 6 digits of county (GB/T 2260), 3 of street or town,
3 of community, 3 of grid sequence.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.db import Base, enum_column
from core.errors import N_
from core.types import intpk


class RosterRole(enum.Enum):
    """The five posts of 网格六定's 定人员."""

    leader = "leader"  # 网格长
    deputy_leader = "deputy_leader"  # 副网格长
    sub_grid_leader = "sub_grid_leader"  # 分网格长
    responsible = "responsible"  # 网格责任员
    liaison = "liaison"  # 联络员

    @property
    def label(self) -> str:
        return ROSTER_LABELS[self]


ROSTER_LABELS = {
    RosterRole.leader: N_("Grid leader"),
    RosterRole.deputy_leader: N_("Deputy grid leader"),
    RosterRole.sub_grid_leader: N_("Sub-grid leader"),
    RosterRole.responsible: N_("Grid responsible officer"),
    RosterRole.liaison: N_("Liaison"),
}


class GridCell(Base):
    __tablename__ = "grid_cells"
    __table_args__ = (CheckConstraint("length(code) = 15", name="code_has_15_digits"),)

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(15), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    street: Mapped[str] = mapped_column(String(40))  # 街道
    community: Mapped[str] = mapped_column(String(40))  # 社区
    scope: Mapped[str] = mapped_column(Text, default="")  # 定范围
    patrol: Mapped[str] = mapped_column(Text, default="")  # 定巡查
    duties: Mapped[str] = mapped_column(Text, default="")  # 定内容 / 定责任
    standards: Mapped[str] = mapped_column(Text, default="")  # 定标准
    # the cell's centre (WGS-84), from which a located report's nearest cell is suggested
    centre_lat: Mapped[float | None] = mapped_column(Float)
    centre_lng: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime]

    roster: Mapped[list[RosterEntry]] = relationship(
        back_populates="cell", cascade="all, delete-orphan", order_by="RosterEntry.id"
    )

    @property
    def county_code(self) -> str:
        return self.code[:6]


class RosterEntry(Base):
    """One person holding one post in one cell. A cell has at most one 网格长."""

    __tablename__ = "grid_roster"
    __table_args__ = (
        UniqueConstraint("cell_id", "user_id", "role", name="uq_grid_roster_cell_user_role"),
        Index(
            "uq_grid_roster_one_leader",
            "cell_id",
            unique=True,
            sqlite_where=text("role = 'leader'"),
            postgresql_where=text("role = 'leader'"),
        ),
    )

    id: Mapped[intpk]
    cell_id: Mapped[int] = mapped_column(ForeignKey("grid_cells.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[RosterRole] = mapped_column(enum_column(RosterRole, "roster_role"))
    since: Mapped[datetime]

    cell: Mapped[GridCell] = relationship(back_populates="roster")
    user: Mapped[User] = relationship()


class Residence(Base):
    """A person's home cell (居住网格): at most one per person."""

    __tablename__ = "grid_residences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("grid_cells.id", ondelete="RESTRICT"), index=True)
    since: Mapped[datetime]

    cell: Mapped[GridCell] = relationship()


class ClassKind(enum.Enum):
    """The two halves of the taxonomy (CJ/T 214): things that can break, and things that happen."""

    component = "component"  # 部件
    event = "event"  # 事件

    @property
    def label(self) -> str:
        return CLASS_KIND_LABELS[self]


CLASS_KIND_LABELS = {ClassKind.component: N_("Component (部件)"), ClassKind.event: N_("Event (事件)")}


class CaseClass(Base):
    """A major class (two-digit code, no parent) or a minor class (four digits, under its major class).

    A minor class without its own time limit takes its major class's.
    """

    __tablename__ = "grid_case_classes"
    __table_args__ = (
        UniqueConstraint("kind", "code", name="uq_grid_case_classes_kind_code"),
        CheckConstraint(
            "(parent_id IS NULL AND length(code) = 2 AND limit_hours IS NOT NULL)"
            " OR (parent_id IS NOT NULL AND length(code) = 4)",
            name="major_or_minor",
        ),
        CheckConstraint("limit_hours IS NULL OR limit_hours BETWEEN 1 AND 8760", name="limit_in_range"),
    )

    id: Mapped[intpk]
    kind: Mapped[ClassKind] = mapped_column(enum_column(ClassKind, "case_class_kind"))
    code: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("grid_case_classes.id", ondelete="RESTRICT"))
    limit_hours: Mapped[int | None] = mapped_column(Integer)
    is_local: Mapped[bool] = mapped_column(Boolean, default=False)  # a class this platform adds
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Department(Base):
    """A department that handles cases (专业部门): who to call, and the classes it takes."""

    __tablename__ = "grid_departments"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(60), unique=True)
    contact: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]


class DepartmentClass(Base):
    """A class a department handles (a major class covers its minor classes)."""

    __tablename__ = "grid_department_classes"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("grid_departments.id", ondelete="CASCADE"), primary_key=True
    )
    class_id: Mapped[int] = mapped_column(
        ForeignKey("grid_case_classes.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CaseSource(enum.Enum):
    """Where a case came from; with its reference, a source hands a thing over once."""

    consultation = "consultation"
    forum = "forum"
    mediation = "mediation"
    open311 = "open311"
    resident = "resident"  # 随手拍
    staff = "staff"

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self]


SOURCE_LABELS = {
    CaseSource.consultation: N_("A consultation's agreement"),
    CaseSource.forum: N_("A forum thread"),
    CaseSource.mediation: N_("A mediation"),
    CaseSource.open311: N_("Open311"),
    CaseSource.resident: N_("A resident's report"),
    CaseSource.staff: N_("Grid staff"),
}


class CaseState(enum.Enum):
    """The workflow's states (DESIGN.md), the standard's seven stages without the monthly assessment."""

    reported = "reported"  # 信息收集
    registered = "registered"  # 立案
    rejected = "rejected"  # 不予立案
    dispatched = "dispatched"  # 派遣
    handled = "handled"  # 处置反馈
    verified = "verified"  # 核查
    closed = "closed"  # 结案

    @property
    def label(self) -> str:
        return CASE_STATE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in (CaseState.rejected, CaseState.closed)


CASE_STATE_LABELS = {
    CaseState.reported: N_("Reported"),
    CaseState.registered: N_("Registered"),
    CaseState.rejected: N_("Not registered"),
    CaseState.dispatched: N_("Dispatched"),
    CaseState.handled: N_("Handled, to be checked"),
    CaseState.verified: N_("Checked"),
    CaseState.closed: N_("Closed out (结案)"),
}


class Case(Base):
    """A case (案件) in the grid queue, numbered by year (2026-000042)."""

    __tablename__ = "grid_cases"
    __table_args__ = (
        UniqueConstraint("year", "sequence", name="uq_grid_cases_year_sequence"),
        UniqueConstraint("source", "source_ref", name="uq_grid_cases_source_ref"),
        Index("ix_grid_cases_cell_state", "cell_id", "state", "due_at"),
        Index("ix_grid_cases_state_updated", "state", "updated_at"),
        # the public list, newest activity first: one index walk per page, not a sort of every case
        Index("ix_grid_cases_updated", "updated_at", "id"),
    )

    id: Mapped[intpk]
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    source: Mapped[CaseSource] = mapped_column(enum_column(CaseSource, "case_source"))
    source_ref: Mapped[str | None] = mapped_column(String(60))  # None only for staff's own cases
    class_id: Mapped[int | None] = mapped_column(ForeignKey("grid_case_classes.id", ondelete="RESTRICT"))
    cell_id: Mapped[int | None] = mapped_column(ForeignKey("grid_cells.id", ondelete="RESTRICT"))
    suggested_cell_id: Mapped[int | None] = mapped_column(
        ForeignKey("grid_cells.id", ondelete="SET NULL"), index=True
    )
    address: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")  # plain text, shown escaped
    state: Mapped[CaseState] = mapped_column(enum_column(CaseState, "case_state"), default=CaseState.reported)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("grid_departments.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # a mediation's case: grid staff and admins only, never public, never in Open311 or search
    staff_only: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime | None]
    overdue_at: Mapped[datetime | None]  # when the overdue sweep first found it late
    extensions: Mapped[int] = mapped_column(Integer, default=0)  # 延期, for the assessment
    reworks: Mapped[int] = mapped_column(Integer, default=0)  # 返工: failed checks
    verify_round: Mapped[int] = mapped_column(Integer, default=0)  # which 核查 followers answer for
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    @property
    def number(self) -> str:
        return case_number(self.year, self.sequence)


def case_number(year: int, sequence: int) -> str:
    return f"{year}-{sequence:06d}"


class CaseCounter(Base):
    """The last sequence number given out in a year: one row per year, bumped in place."""

    __tablename__ = "grid_case_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class CaseStep(Base):
    """One step of a case's history: who (None: the system), when, from which state to which, and why."""

    __tablename__ = "grid_case_steps"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("grid_cases.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[CaseState | None] = mapped_column(enum_column(CaseState, "case_step_from"))
    to_state: Mapped[CaseState | None] = mapped_column(enum_column(CaseState, "case_step_to"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None]  # the due date this step set (立案, 派遣, 延期)
    at: Mapped[datetime]


class CaseFollower(Base):
    """Someone told at each step: the reporter, and everyone the hand-off named as having taken part."""

    __tablename__ = "grid_case_followers"

    case_id: Mapped[int] = mapped_column(ForeignKey("grid_cases.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    since: Mapped[datetime]


class Confirmation(Base):
    """A follower's answer at 核查: is the problem really solved? One per person per check."""

    __tablename__ = "grid_case_confirmations"
    __table_args__ = (
        UniqueConstraint("case_id", "round", "user_id", name="uq_grid_case_confirmations_once"),
    )

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("grid_cases.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    solved: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class Extension(Base):
    """A request to move a case's due date (延期), decided by the cell's leader or an admin."""

    __tablename__ = "grid_case_extensions"
    __table_args__ = (
        # one open request per case at a time
        Index(
            "uq_grid_case_extensions_open",
            "case_id",
            unique=True,
            sqlite_where=text("approved IS NULL"),
            postgresql_where=text("approved IS NULL"),
        ),
    )

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("grid_cases.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime]
    due_at: Mapped[datetime]  # the date asked for
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    approved: Mapped[bool | None] = mapped_column(Boolean)


class CaseForward(Base):
    """A public case sent to the city's own system (对接城市平台) over Open311: one row per case.

    Written with the forward job in the case's own transaction; the city's id (or its token, when it
    answers with one first) is kept once received, so a retry after it never sends the case again.
    """

    __tablename__ = "grid_case_forwards"

    case_id: Mapped[int] = mapped_column(ForeignKey("grid_cases.id", ondelete="CASCADE"), primary_key=True)
    queued_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(80), index=True)
    token: Mapped[str | None] = mapped_column(String(80))
    city_status: Mapped[str] = mapped_column(String(20), default="")  # open / closed, as the city says
    last_report: Mapped[str] = mapped_column(String(64), default="")  # fingerprint of the last report noted
    polled_at: Mapped[datetime | None]


class Indicators:
    """The counts a month's assessment keeps for a cell or a department (grid/assessment.py defines them)."""

    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, an Asia/Shanghai month
    due: Mapped[int] = mapped_column(Integer, default=0)  # 到期案件
    closed: Mapped[int] = mapped_column(Integer, default=0)  # of those, closed by the month's end (结案)
    closed_on_time: Mapped[int] = mapped_column(Integer, default=0)  # closed by their due date (按期结案)
    extended: Mapped[int] = mapped_column(Integer, default=0)  # with an approved extension (延期)
    verifications: Mapped[int] = mapped_column(Integer, default=0)  # 核查 decisions in the month
    failed_verifications: Mapped[int] = mapped_column(Integer, default=0)  # of those, sent back (返工)
    handled: Mapped[int] = mapped_column(Integer, default=0)  # cases reported handled in the month
    fed_back: Mapped[int] = mapped_column(Integer, default=0)  # of those, the result told to a follower


class CellAssessment(Indicators, Base):
    """A grid cell's indicators for one month (月度网格考核), computed once after the month ends."""

    __tablename__ = "grid_cell_assessments"
    __table_args__ = (UniqueConstraint("month", "cell_id", name="uq_grid_cell_assessments_month_cell"),)

    id: Mapped[intpk]
    cell_id: Mapped[int] = mapped_column(ForeignKey("grid_cells.id", ondelete="CASCADE"), index=True)


class DepartmentAssessment(Indicators, Base):
    """The same indicators for a department, over the cases dispatched to it."""

    __tablename__ = "grid_department_assessments"
    __table_args__ = (
        UniqueConstraint("month", "department_id", name="uq_grid_department_assessments_month_department"),
    )

    id: Mapped[intpk]
    department_id: Mapped[int] = mapped_column(
        ForeignKey("grid_departments.id", ondelete="CASCADE"), index=True
    )


class AssessedMonth(Base):
    """A month whose assessment is computed: the monthly job computes each month it lacks, once."""

    __tablename__ = "grid_assessed_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    computed_at: Mapped[datetime]


class CommitteeScore(Base):
    """One committee member's mock-assessment score (群议委模拟考核) of a cell for a month, 0 to 100.

    One per member per cell per month: scoring again replaces it. The cell's score is the average.
    """

    __tablename__ = "grid_committee_scores"
    __table_args__ = (
        UniqueConstraint("month", "cell_id", "member_id", name="uq_grid_committee_scores_once"),
        CheckConstraint("score BETWEEN 0 AND 100", name="score_in_range"),
        Index("ix_grid_committee_scores_month_cell", "month", "cell_id"),
    )

    id: Mapped[intpk]
    month: Mapped[str] = mapped_column(String(7))
    cell_id: Mapped[int] = mapped_column(ForeignKey("grid_cells.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")  # plain text, shown escaped
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
