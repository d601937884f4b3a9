"""Users, their roles and stakeholder groups, and login failures.

Roles (what someone may do) and stakeholder groups (四意: whose voice a vote carries) are separate axes.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column
from core.errors import N_
from core.types import intpk


class StakeholderGroup(enum.Enum):
    """The four voices merged in 四意合一."""

    government = "government"  # 政府
    community = "community"  # 街道社区
    served = "served"  # 管理服务对象
    resident = "resident"  # 市民

    @property
    def label(self) -> str:
        return GROUP_LABELS[self]

    @property
    def self_chosen(self) -> bool:
        """Whether a person may choose this group at registration (the other two are granted)."""
        return self in (StakeholderGroup.resident, StakeholderGroup.served)


GROUP_LABELS = {
    StakeholderGroup.government: N_("Government"),
    StakeholderGroup.community: N_("Street and community office"),
    StakeholderGroup.served: N_("Managed and served (vendors, shops, property firms)"),
    StakeholderGroup.resident: N_("Resident"),
}


class Role(enum.Enum):
    """Site roles granted by admins. The committee chair is a flag on one committee member."""

    admin = "admin"
    moderator = "moderator"
    committee_member = "committee_member"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.admin: N_("Administrator"),
    Role.moderator: N_("Moderator"),
    Role.committee_member: N_("Deliberation committee member"),
}


class User(Base):
    __tablename__ = "users"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(30))
    # casefolded username: "Wang" and "wang" are one account
    username_key: Mapped[str] = mapped_column(String(30), unique=True)
    display_name: Mapped[str] = mapped_column(String(40), default="")
    # what the names look like (accounts.lookalikes.skeleton): a new name may not pass for these
    username_skeleton: Mapped[str | None] = mapped_column(String(120), index=True)
    display_skeleton: Mapped[str | None] = mapped_column(String(160), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    group: Mapped[StakeholderGroup] = mapped_column(
        "stakeholder_group", enum_column(StakeholderGroup, "stakeholder_group")
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    # the language notifications sent by e-mail or SMS are written in; follows the site's language switch
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN", server_default="zh_CN")
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    # no default eager load: the signed-in viewer's roles come with their login in one query
    # (accounts.logins.find_viewer); lists that show roles load them themselves
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="UserRole.user_id"
    )

    @property
    def name(self) -> str:
        """What other people see: the display name, or the username."""
        return self.display_name or self.username

    def has_role(self, role: Role) -> bool:
        return any(r.role is role for r in self.roles)


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint("NOT is_chair OR role = 'committee_member'", name="chair_is_committee_member"),
        # one committee chair (主任) at a time, held by the database, not only by Python
        Index(
            "uq_user_roles_one_chair",
            "is_chair",
            unique=True,
            sqlite_where=text("is_chair"),
            postgresql_where=text("is_chair"),
        ),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)
    is_chair: Mapped[bool] = mapped_column(default=False)
    granted_at: Mapped[datetime]
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])


class Login(Base):
    """One signed-in browser (a device): what the login cookie points at. Logging out ends it here, so
    a saved copy of the cookie no longer works; a password change or suspension ends all of them."""

    __tablename__ = "logins"
    __table_args__ = (Index("ix_logins_user_active", "user_id", "ended_at"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    secret_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the cookie's random part
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class LoginFailure(Base):
    """Wrong passwords counted per (submitted username, address), per username and per address.

    The username may not exist: a lockout never tells whether an account does.
    """

    __tablename__ = "login_failures"

    scope: Mapped[str] = mapped_column(String(10), primary_key=True)  # "pair", "account" or "ip"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]

    __table_args__ = (Index("ix_login_failures_last_failed_at", "last_failed_at"),)


class Notification(Base):
    """Something a person is told in the app. It names its target by kind and id, never by URL
    (``web`` builds the link), and carries the values its text needs, so it still reads after the
    target is gone."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    target_kind: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
    texted_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """Whether a person also wants one kind of notification by e-mail or SMS (in the app it always is)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), primary_key=True)
    email: Mapped[bool] = mapped_column(default=False)
    sms: Mapped[bool] = mapped_column(default=False)
