"""the case connector's forwards to the city system, and the monthly grid assessment: each cell's and
department's indicators per month, the months computed, the committee's scores

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-01 11:31:10.554870

Migrations run while the previous release is still serving: expand first (add tables, nullable
columns), contract in a later revision once no running code reads the old shape. Data migrations are
revisions of their own.

The other engineer of issue 24 adds 0014 (Open311 API keys) on 0011 as well; the lead rechains one
after the other at merge.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grid_assessed_months",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("computed_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_grid_assessed_months")),
    )
    op.create_table(
        "grid_cell_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("closed_on_time", sa.Integer(), nullable=False),
        sa.Column("extended", sa.Integer(), nullable=False),
        sa.Column("verifications", sa.Integer(), nullable=False),
        sa.Column("failed_verifications", sa.Integer(), nullable=False),
        sa.Column("handled", sa.Integer(), nullable=False),
        sa.Column("fed_back", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cell_id"],
            ["grid_cells.id"],
            name=op.f("fk_grid_cell_assessments_cell_id_grid_cells"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_cell_assessments")),
        sa.UniqueConstraint("month", "cell_id", name="uq_grid_cell_assessments_month_cell"),
    )
    with op.batch_alter_table("grid_cell_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_cell_assessments_cell_id"), ["cell_id"], unique=False)

    op.create_table(
        "grid_committee_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 0 AND 100", name=op.f("ck_grid_committee_scores_score_in_range")),
        sa.ForeignKeyConstraint(
            ["cell_id"],
            ["grid_cells.id"],
            name=op.f("fk_grid_committee_scores_cell_id_grid_cells"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["users.id"],
            name=op.f("fk_grid_committee_scores_member_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_committee_scores")),
        sa.UniqueConstraint("month", "cell_id", "member_id", name="uq_grid_committee_scores_once"),
    )
    with op.batch_alter_table("grid_committee_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_committee_scores_member_id"), ["member_id"], unique=False)
        batch_op.create_index("ix_grid_committee_scores_month_cell", ["month", "cell_id"], unique=False)

    op.create_table(
        "grid_department_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("closed_on_time", sa.Integer(), nullable=False),
        sa.Column("extended", sa.Integer(), nullable=False),
        sa.Column("verifications", sa.Integer(), nullable=False),
        sa.Column("failed_verifications", sa.Integer(), nullable=False),
        sa.Column("handled", sa.Integer(), nullable=False),
        sa.Column("fed_back", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["grid_departments.id"],
            name=op.f("fk_grid_department_assessments_department_id_grid_departments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_department_assessments")),
        sa.UniqueConstraint("month", "department_id", name="uq_grid_department_assessments_month_department"),
    )
    with op.batch_alter_table("grid_department_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_grid_department_assessments_department_id"), ["department_id"], unique=False
        )

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
    with op.batch_alter_table("grid_department_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_department_assessments_department_id"))

    op.drop_table("grid_department_assessments")
    with op.batch_alter_table("grid_committee_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_grid_committee_scores_month_cell")
        batch_op.drop_index(batch_op.f("ix_grid_committee_scores_member_id"))

    op.drop_table("grid_committee_scores")
    with op.batch_alter_table("grid_cell_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_cell_assessments_cell_id"))

    op.drop_table("grid_cell_assessments")
    op.drop_table("grid_assessed_months")
