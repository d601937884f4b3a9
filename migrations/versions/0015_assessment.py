"""the case connector's forwards to the city system, and the monthly grid assessment

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-01 11:24:57.056502

The other engineer of issue 24 adds 0014 (Open311 API keys) on 0011 as well; the lead rechains one
after the other at merge.

Migrations run while the previous release is still serving: expand first (add tables, nullable
columns), contract in a later revision once no running code reads the old shape. Data migrations are
revisions of their own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0015"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grid_case_forwards",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("queued_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("external_id", sa.String(length=80), nullable=True),
        sa.Column("token", sa.String(length=80), nullable=True),
        sa.Column("city_status", sa.String(length=20), nullable=False),
        sa.Column("last_report", sa.String(length=64), nullable=False),
        sa.Column("polled_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["grid_cases.id"],
            name=op.f("fk_grid_case_forwards_case_id_grid_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_grid_case_forwards")),
    )
    with op.batch_alter_table("grid_case_forwards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_case_forwards_external_id"), ["external_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("grid_case_forwards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_case_forwards_external_id"))

    op.drop_table("grid_case_forwards")
