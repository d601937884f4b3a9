"""consultations: committee profiles, consultations with their steps, followers, meetings, resolutions, votes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 08:58:18.879202

Migrations run while the previous release is still serving: expand first (add tables, nullable
columns), contract in a later revision once no running code reads the old shape. Data migrations are
revisions of their own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "committee_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("expertise", sa.String(length=200), nullable=False),
        sa.Column("biography", sa.Text(), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=True),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_committee_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_committee_profiles")),
    )
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("background", sa.Text(), nullable=False),
        sa.Column("background_html", sa.Text(), nullable=False),
        sa.Column(
            "scope_kind",
            sa.Enum(
                "cell", "community", name="consultation_scope", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("cell_code", sa.String(length=15), nullable=True),
        sa.Column("street", sa.String(length=40), nullable=False),
        sa.Column("community", sa.String(length=40), nullable=False),
        sa.Column("convener_id", sa.Integer(), nullable=False),
        sa.Column("input_deadline", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "collecting",
                "deliberating",
                "agreed",
                "not_agreed",
                "handed_off",
                "closed",
                name="consultation_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["convener_id"],
            ["users.id"],
            name=op.f("fk_consultations_convener_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["forum_threads.id"],
            name=op.f("fk_consultations_thread_id_forum_threads"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
        sa.UniqueConstraint("thread_id", name=op.f("uq_consultations_thread_id")),
    )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultations_cell_code"), ["cell_code"], unique=False)
        batch_op.create_index("ix_consultations_state", ["state", "updated_at"], unique=False)

    op.create_table(
        "consultation_followers",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("since", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_followers_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_consultation_followers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_id", "user_id", name=op.f("pk_consultation_followers")),
    )
    op.create_table(
        "consultation_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("invited", sa.Text(), nullable=False),
        sa.Column("attendance", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("minutes_html", sa.Text(), nullable=False),
        sa.Column("minutes_published_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_meetings_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_meetings")),
    )
    with op.batch_alter_table("consultation_meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_meetings_consultation_id"), ["consultation_id"], unique=False
        )

    op.create_table(
        "consultation_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column(
            "from_state",
            sa.Enum(
                "draft",
                "collecting",
                "deliberating",
                "agreed",
                "not_agreed",
                "handed_off",
                "closed",
                name="step_from_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "draft",
                "collecting",
                "deliberating",
                "agreed",
                "not_agreed",
                "handed_off",
                "closed",
                name="step_to_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_consultation_steps_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_steps_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_steps")),
    )
    with op.batch_alter_table("consultation_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_steps_consultation_id"), ["consultation_id"], unique=False
        )

    op.create_table(
        "resolutions",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_html", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "drafting",
                "voting",
                "adopted",
                "rejected",
                name="resolution_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("members_at_vote", sa.Integer(), nullable=False),
        sa.Column("vote_opened_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_resolutions_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_resolutions")),
    )
    op.create_table(
        "resolution_votes",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "choice",
            sa.Enum(
                "for",
                "against",
                "abstain",
                name="resolution_choice",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("cast_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["resolutions.consultation_id"],
            name=op.f("fk_resolution_votes_consultation_id_resolutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["users.id"], name=op.f("fk_resolution_votes_member_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("consultation_id", "member_id", name=op.f("pk_resolution_votes")),
    )


def downgrade() -> None:
    op.drop_table("resolution_votes")
    op.drop_table("resolutions")
    with op.batch_alter_table("consultation_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_steps_consultation_id"))

    op.drop_table("consultation_steps")
    with op.batch_alter_table("consultation_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_meetings_consultation_id"))

    op.drop_table("consultation_meetings")
    op.drop_table("consultation_followers")
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_index("ix_consultations_state")
        batch_op.drop_index(batch_op.f("ix_consultations_cell_code"))

    op.drop_table("consultations")
    op.drop_table("committee_profiles")
