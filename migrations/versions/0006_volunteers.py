"""volunteers: teams, shifts, sign-ups, hours, certificates, calendar feeds

The invariants of the feature are here, not only in Python: a shift's ``taken`` between 0 and its
capacity (CHECK), one active sign-up per volunteer and shift (partial unique index: cancelled, late
cancelled and expired ones do not count), one place in line per position, an offer always with its
expiry, one open certificate application per volunteer and team. ID numbers have a table of their
own with no index on the number.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 07:38:44.680493

Migrations run while the previous release is still serving: expand first (add tables, nullable
columns), contract in a later revision once no running code reads the old shape. Data migrations are
revisions of their own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "volunteer_calendar_feeds",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_volunteer_calendar_feeds_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_volunteer_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_volunteer_calendar_feeds_token_hash")),
    )
    op.create_table(
        "volunteer_identities",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("real_name", sa.String(length=40), nullable=False),
        sa.Column(
            "id_type",
            sa.Enum(
                "resident_id",
                "hk_macao_permit",
                "taiwan_permit",
                "passport",
                name="volunteer_id_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("id_number", sa.String(length=30), nullable=False),
        sa.Column("updated_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_volunteer_identities_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_volunteer_identities")),
    )
    op.create_table(
        "volunteer_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("updated_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_volunteer_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_volunteer_profiles")),
    )
    op.create_table(
        "volunteer_skills",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "skill",
            sa.Enum(
                "first_aid",
                "elderly_care",
                "child_care",
                "sign_language",
                "driving",
                "electrical",
                "translation",
                "counselling",
                name="volunteer_skill",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_volunteer_skills_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "skill", name=op.f("pk_volunteer_skills")),
    )
    op.create_table(
        "volunteer_teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("organisation", sa.String(length=120), nullable=False),
        sa.Column(
            "join_policy",
            sa.Enum(
                "open", "approval", name="volunteer_join_policy", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("cancel_window_hours", sa.Integer(), nullable=True),
        sa.Column("offer_hours", sa.Integer(), nullable=True),
        sa.Column("no_show_limit", sa.Integer(), nullable=True),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_volunteer_teams_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_volunteer_teams_name")),
    )
    op.create_table(
        "volunteer_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "applied",
                "accepted",
                "issued",
                "declined",
                name="volunteer_certificate_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("applied_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("issued_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("organisation", sa.String(length=120), nullable=False),
        sa.Column("real_name", sa.String(length=40), nullable=False),
        sa.Column("total_minutes", sa.Integer(), nullable=False),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "status <> 'issued' OR number IS NOT NULL",
            name=op.f("ck_volunteer_certificates_issued_has_number"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_volunteer_certificates_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["users.id"],
            name=op.f("fk_volunteer_certificates_issued_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["volunteer_teams.id"],
            name=op.f("fk_volunteer_certificates_team_id_volunteer_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_volunteer_certificates_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_certificates")),
        sa.UniqueConstraint("number", name=op.f("uq_volunteer_certificates_number")),
    )
    with op.batch_alter_table("volunteer_certificates", schema=None) as batch_op:
        batch_op.create_index("ix_volunteer_certificates_team_status", ["team_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_volunteer_certificates_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_volunteer_certificates_open",
            ["team_id", "user_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('applied', 'accepted')"),
            postgresql_where=sa.text("status IN ('applied', 'accepted')"),
        )

    op.create_table(
        "volunteer_memberships",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "member", "leader", name="volunteer_member_role", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "active",
                name="volunteer_member_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("since", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["volunteer_teams.id"],
            name=op.f("fk_volunteer_memberships_team_id_volunteer_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_volunteer_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_volunteer_memberships")),
    )
    with op.batch_alter_table("volunteer_memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteer_memberships_user_id"), ["user_id"], unique=False)

    op.create_table(
        "volunteer_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_start", sa.String(length=5), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_volunteer_series_weekday_in_week")),
        sa.CheckConstraint("weeks BETWEEN 1 AND 52", name=op.f("ck_volunteer_series_weeks_in_a_year")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_volunteer_series_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["volunteer_teams.id"],
            name=op.f("fk_volunteer_series_team_id_volunteer_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_series")),
    )
    with op.batch_alter_table("volunteer_series", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteer_series_team_id"), ["team_id"], unique=False)

    op.create_table(
        "volunteer_team_cells",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("cell_code", sa.String(length=15), nullable=False),
        sa.CheckConstraint(
            "length(cell_code) = 15", name=op.f("ck_volunteer_team_cells_cell_code_has_15_digits")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["volunteer_teams.id"],
            name=op.f("fk_volunteer_team_cells_team_id_volunteer_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "cell_code", name=op.f("pk_volunteer_team_cells")),
    )
    with op.batch_alter_table("volunteer_team_cells", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteer_team_cells_cell_code"), ["cell_code"], unique=False)

    op.create_table(
        "volunteer_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("cell_code", sa.String(length=15), nullable=True),
        sa.Column("starts_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("next_position", sa.Integer(), nullable=False),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("signup_deadline", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opens_hours_before", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "cancelled",
                name="volunteer_shift_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("attendance_asked_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_volunteer_shifts_capacity_positive")),
        sa.CheckConstraint(
            "cell_code IS NULL OR length(cell_code) = 15",
            name=op.f("ck_volunteer_shifts_cell_code_has_15_digits"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_volunteer_shifts_ends_after_start")),
        sa.CheckConstraint(
            "min_age IS NULL OR min_age BETWEEN 1 AND 99", name=op.f("ck_volunteer_shifts_min_age_sensible")
        ),
        sa.CheckConstraint("next_position >= 0", name=op.f("ck_volunteer_shifts_next_position_not_negative")),
        sa.CheckConstraint(
            "signup_deadline <= starts_at", name=op.f("ck_volunteer_shifts_deadline_before_start")
        ),
        sa.CheckConstraint("taken <= capacity", name=op.f("ck_volunteer_shifts_taken_within_capacity")),
        sa.CheckConstraint("taken >= 0", name=op.f("ck_volunteer_shifts_taken_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_volunteer_shifts_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["volunteer_series.id"],
            name=op.f("fk_volunteer_shifts_series_id_volunteer_series"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["volunteer_teams.id"],
            name=op.f("fk_volunteer_shifts_team_id_volunteer_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_shifts")),
    )
    with op.batch_alter_table("volunteer_shifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteer_shifts_series_id"), ["series_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_volunteer_shifts_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index("ix_volunteer_shifts_team_starts", ["team_id", "starts_at"], unique=False)

    op.create_table(
        "volunteer_shift_skills",
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column(
            "skill",
            sa.Enum(
                "first_aid",
                "elderly_care",
                "child_care",
                "sign_language",
                "driving",
                "electrical",
                "translation",
                "counselling",
                name="volunteer_skill",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["volunteer_shifts.id"],
            name=op.f("fk_volunteer_shift_skills_shift_id_volunteer_shifts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shift_id", "skill", name=op.f("pk_volunteer_shift_skills")),
    )
    op.create_table(
        "volunteer_signups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending_approval",
                "waitlisted",
                "offered",
                "confirmed",
                "expired",
                "cancelled",
                "late_cancelled",
                "attended",
                "no_show",
                name="volunteer_signup_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("offer_expires_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("checked_in_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_out_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_eve_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_day_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "(status = 'offered') = (offer_expires_at IS NOT NULL)",
            name=op.f("ck_volunteer_signups_offer_has_expiry"),
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["volunteer_shifts.id"],
            name=op.f("fk_volunteer_signups_shift_id_volunteer_shifts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_volunteer_signups_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_signups")),
        sa.UniqueConstraint("shift_id", "position", name="uq_volunteer_signups_shift_position"),
    )
    with op.batch_alter_table("volunteer_signups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_volunteer_signups_shift_status", ["shift_id", "status", "position"], unique=False
        )
        batch_op.create_index("ix_volunteer_signups_user_status", ["user_id", "status"], unique=False)
        batch_op.create_index(
            "uq_volunteer_signups_active",
            ["shift_id", "user_id"],
            unique=True,
            sqlite_where=sa.text("status NOT IN ('cancelled', 'late_cancelled', 'expired')"),
            postgresql_where=sa.text("status NOT IN ('cancelled', 'late_cancelled', 'expired')"),
        )

    op.create_table(
        "volunteer_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("signup_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "shift", "adjustment", name="volunteer_hours_kind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("activity", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("recorded_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("verified_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind = 'adjustment' OR minutes >= 0", name=op.f("ck_volunteer_hours_shift_minutes_not_negative")
        ),
        sa.CheckConstraint(
            "kind = 'adjustment' OR signup_id IS NOT NULL",
            name=op.f("ck_volunteer_hours_shift_hours_name_signup"),
        ),
        sa.CheckConstraint(
            "kind = 'shift' OR note <> ''", name=op.f("ck_volunteer_hours_adjustment_has_note")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_volunteer_hours_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["volunteer_shifts.id"], name=op.f("fk_volunteer_hours_shift_id_volunteer_shifts")
        ),
        sa.ForeignKeyConstraint(
            ["signup_id"],
            ["volunteer_signups.id"],
            name=op.f("fk_volunteer_hours_signup_id_volunteer_signups"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["volunteer_teams.id"],
            name=op.f("fk_volunteer_hours_team_id_volunteer_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_volunteer_hours_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["users.id"],
            name=op.f("fk_volunteer_hours_verified_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_hours")),
        sa.UniqueConstraint("signup_id", name=op.f("uq_volunteer_hours_signup_id")),
    )
    with op.batch_alter_table("volunteer_hours", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteer_hours_team_id"), ["team_id"], unique=False)
        batch_op.create_index("ix_volunteer_hours_user_team", ["user_id", "team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("volunteer_hours", schema=None) as batch_op:
        batch_op.drop_index("ix_volunteer_hours_user_team")
        batch_op.drop_index(batch_op.f("ix_volunteer_hours_team_id"))

    op.drop_table("volunteer_hours")
    with op.batch_alter_table("volunteer_signups", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_volunteer_signups_active",
            sqlite_where=sa.text("status NOT IN ('cancelled', 'late_cancelled', 'expired')"),
            postgresql_where=sa.text("status NOT IN ('cancelled', 'late_cancelled', 'expired')"),
        )
        batch_op.drop_index("ix_volunteer_signups_user_status")
        batch_op.drop_index("ix_volunteer_signups_shift_status")

    op.drop_table("volunteer_signups")
    op.drop_table("volunteer_shift_skills")
    with op.batch_alter_table("volunteer_shifts", schema=None) as batch_op:
        batch_op.drop_index("ix_volunteer_shifts_team_starts")
        batch_op.drop_index(batch_op.f("ix_volunteer_shifts_starts_at"))
        batch_op.drop_index(batch_op.f("ix_volunteer_shifts_series_id"))

    op.drop_table("volunteer_shifts")
    with op.batch_alter_table("volunteer_team_cells", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_team_cells_cell_code"))

    op.drop_table("volunteer_team_cells")
    with op.batch_alter_table("volunteer_series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_series_team_id"))

    op.drop_table("volunteer_series")
    with op.batch_alter_table("volunteer_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_memberships_user_id"))

    op.drop_table("volunteer_memberships")
    with op.batch_alter_table("volunteer_certificates", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_volunteer_certificates_open",
            sqlite_where=sa.text("status IN ('applied', 'accepted')"),
            postgresql_where=sa.text("status IN ('applied', 'accepted')"),
        )
        batch_op.drop_index(batch_op.f("ix_volunteer_certificates_user_id"))
        batch_op.drop_index("ix_volunteer_certificates_team_status")

    op.drop_table("volunteer_certificates")
    op.drop_table("volunteer_teams")
    op.drop_table("volunteer_skills")
    op.drop_table("volunteer_profiles")
    op.drop_table("volunteer_identities")
    op.drop_table("volunteer_calendar_feeds")
