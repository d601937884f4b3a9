"""logins and lookalikes: login records (a logout ends one), name skeletons; auth_epoch goes

The login records replace the auth epoch that cookies carried, so the column is dropped here: stop
the previous release's processes before migrating (they read it at every request).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 07:33:23.376184

Migrations run while the previous release is still serving: expand first (add tables, nullable
columns), contract in a later revision once no running code reads the old shape. Data migrations are
revisions of their own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "logins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_logins_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logins")),
    )
    with op.batch_alter_table("logins", schema=None) as batch_op:
        batch_op.create_index("ix_logins_user_active", ["user_id", "ended_at"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username_skeleton", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("display_skeleton", sa.String(length=160), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_display_skeleton"), ["display_skeleton"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_username_skeleton"), ["username_skeleton"], unique=False)
        batch_op.drop_column("auth_epoch")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("auth_epoch", sa.INTEGER(), nullable=False, server_default="0"))
        batch_op.drop_index(batch_op.f("ix_users_username_skeleton"))
        batch_op.drop_index(batch_op.f("ix_users_display_skeleton"))
        batch_op.drop_column("display_skeleton")
        batch_op.drop_column("username_skeleton")

    with op.batch_alter_table("logins", schema=None) as batch_op:
        batch_op.drop_index("ix_logins_user_active")

    op.drop_table("logins")
