"""grid cases: the taxonomy, departments, cases with steps, followers, confirmations, extensions; cell centres

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:34:01.468272

Migrations run while the previous release is still serving: expand first (add tables, nullable
columns), contract in a later revision once no running code reads the old shape. Data migrations are
revisions of their own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grid_case_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("component", "event", name="case_class_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("limit_hours", sa.Integer(), nullable=True),
        sa.Column("is_local", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "(parent_id IS NULL AND length(code) = 2 AND limit_hours IS NOT NULL)"
            " OR (parent_id IS NOT NULL AND length(code) = 4)",
            name=op.f("ck_grid_case_classes_major_or_minor"),
        ),
        sa.CheckConstraint(
            "limit_hours IS NULL OR limit_hours BETWEEN 1 AND 8760",
            name=op.f("ck_grid_case_classes_limit_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["grid_case_classes.id"],
            name=op.f("fk_grid_case_classes_parent_id_grid_case_classes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_case_classes")),
        sa.UniqueConstraint("kind", "code", name="uq_grid_case_classes_kind_code"),
    )
    op.create_table(
        "grid_case_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_grid_case_counters")),
    )
    op.create_table(
        "grid_departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_departments")),
        sa.UniqueConstraint("name", name=op.f("uq_grid_departments_name")),
    )
    op.create_table(
        "grid_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "consultation",
                "forum",
                "mediation",
                "open311",
                "resident",
                "staff",
                name="case_source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("source_ref", sa.String(length=60), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("cell_id", sa.Integer(), nullable=True),
        sa.Column("suggested_cell_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lng", sa.Float(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "reported",
                "registered",
                "rejected",
                "dispatched",
                "handled",
                "verified",
                "closed",
                name="case_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("staff_only", sa.Boolean(), nullable=False),
        sa.Column("due_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("reworks", sa.Integer(), nullable=False),
        sa.Column("verify_round", sa.Integer(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_grid_cases_assignee_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["grid_cells.id"], name=op.f("fk_grid_cases_cell_id_grid_cells"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["grid_case_classes.id"],
            name=op.f("fk_grid_cases_class_id_grid_case_classes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["grid_departments.id"],
            name=op.f("fk_grid_cases_department_id_grid_departments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_grid_cases_reporter_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["suggested_cell_id"],
            ["grid_cells.id"],
            name=op.f("fk_grid_cases_suggested_cell_id_grid_cells"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_cases")),
        sa.UniqueConstraint("source", "source_ref", name="uq_grid_cases_source_ref"),
        sa.UniqueConstraint("year", "sequence", name="uq_grid_cases_year_sequence"),
    )
    with op.batch_alter_table("grid_cases", schema=None) as batch_op:
        batch_op.create_index("ix_grid_cases_cell_state", ["cell_id", "state", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_grid_cases_reporter_id"), ["reporter_id"], unique=False)
        batch_op.create_index("ix_grid_cases_state_updated", ["state", "updated_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_grid_cases_suggested_cell_id"), ["suggested_cell_id"], unique=False
        )

    op.create_table(
        "grid_department_classes",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["grid_case_classes.id"],
            name=op.f("fk_grid_department_classes_class_id_grid_case_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["grid_departments.id"],
            name=op.f("fk_grid_department_classes_department_id_grid_departments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("department_id", "class_id", name=op.f("pk_grid_department_classes")),
    )
    with op.batch_alter_table("grid_department_classes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_department_classes_class_id"), ["class_id"], unique=False)

    op.create_table(
        "grid_case_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("solved", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["grid_cases.id"],
            name=op.f("fk_grid_case_confirmations_case_id_grid_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_grid_case_confirmations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_case_confirmations")),
        sa.UniqueConstraint("case_id", "round", "user_id", name="uq_grid_case_confirmations_once"),
    )
    with op.batch_alter_table("grid_case_confirmations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_case_confirmations_case_id"), ["case_id"], unique=False)

    op.create_table(
        "grid_case_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["grid_cases.id"],
            name=op.f("fk_grid_case_extensions_case_id_grid_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_grid_case_extensions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_grid_case_extensions_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_case_extensions")),
    )
    with op.batch_alter_table("grid_case_extensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_case_extensions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "uq_grid_case_extensions_open",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("approved IS NULL"),
            postgresql_where=sa.text("approved IS NULL"),
        )

    op.create_table(
        "grid_case_followers",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("since", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["grid_cases.id"],
            name=op.f("fk_grid_case_followers_case_id_grid_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_grid_case_followers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "user_id", name=op.f("pk_grid_case_followers")),
    )
    with op.batch_alter_table("grid_case_followers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_case_followers_user_id"), ["user_id"], unique=False)

    op.create_table(
        "grid_case_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column(
            "from_state",
            sa.Enum(
                "reported",
                "registered",
                "rejected",
                "dispatched",
                "handled",
                "verified",
                "closed",
                name="case_step_from",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "reported",
                "registered",
                "rejected",
                "dispatched",
                "handled",
                "verified",
                "closed",
                name="case_step_to",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("due_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_grid_case_steps_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["grid_cases.id"],
            name=op.f("fk_grid_case_steps_case_id_grid_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_case_steps")),
    )
    with op.batch_alter_table("grid_case_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_case_steps_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("grid_cells", schema=None) as batch_op:
        batch_op.add_column(sa.Column("centre_lat", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("centre_lng", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("grid_cells", schema=None) as batch_op:
        batch_op.drop_column("centre_lng")
        batch_op.drop_column("centre_lat")

    with op.batch_alter_table("grid_case_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_case_steps_case_id"))

    op.drop_table("grid_case_steps")
    with op.batch_alter_table("grid_case_followers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_case_followers_user_id"))

    op.drop_table("grid_case_followers")
    with op.batch_alter_table("grid_case_extensions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_grid_case_extensions_open",
            sqlite_where=sa.text("approved IS NULL"),
            postgresql_where=sa.text("approved IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_grid_case_extensions_case_id"))

    op.drop_table("grid_case_extensions")
    with op.batch_alter_table("grid_case_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_case_confirmations_case_id"))

    op.drop_table("grid_case_confirmations")
    with op.batch_alter_table("grid_department_classes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_department_classes_class_id"))

    op.drop_table("grid_department_classes")
    with op.batch_alter_table("grid_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_cases_suggested_cell_id"))
        batch_op.drop_index("ix_grid_cases_state_updated")
        batch_op.drop_index(batch_op.f("ix_grid_cases_reporter_id"))
        batch_op.drop_index("ix_grid_cases_cell_state")

    op.drop_table("grid_cases")
    op.drop_table("grid_departments")
    op.drop_table("grid_case_counters")
    op.drop_table("grid_case_classes")
