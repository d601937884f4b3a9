"""Grid cells (单元网格) with their 网格六定 roster, and residents' home cells.

A cell's code is the 15-digit unit-grid code: 6 digits of county (GB/T 2260), 3 of street or town,
3 of community, 3 of grid sequence.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
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
