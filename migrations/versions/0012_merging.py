"""merging: a consultation's merge, its participants, statements and votes

Adds four tables and nothing else: ``merges`` (one per consultation, keyed by it: the moderation
setting, the merged opinion and the cached analysis), ``merge_participants`` (a user once per merge,
or a voter imported from Pol.is by external id, with a declared group), ``merge_statements`` and
``merge_votes``, whose primary key (statement, participant) is the one-vote-per-person rule, with a
CHECK on the value and the voter's group recorded at vote time. Written against 0009 while 0010 and
0011 land on main; the lead re-chains it at merge.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-01

Migrations run while the previous release is still serving: expand first (add tables, nullable
columns), contract in a later revision once no running code reads the old shape. Data migrations are
revisions of their own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "merges",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("require_approval", sa.Boolean(), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("opinion_html", sa.Text(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("report_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("report_votes", sa.Integer(), nullable=False),
        sa.Column("report_seconds", sa.Double(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_merges_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_merges")),
    )
    op.create_table(
        "merge_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=80), nullable=True),
        sa.Column(
            "stakeholder_group",
            sa.Enum(
                "government",
                "community",
                "served",
                "resident",
                name="merge_participant_group",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "user_id IS NOT NULL OR external_id IS NOT NULL", name=op.f("ck_merge_participants_someone")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["merges.consultation_id"],
            name=op.f("fk_merge_participants_consultation_id_merges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_merge_participants_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_participants")),
        sa.UniqueConstraint("consultation_id", "external_id", name="uq_merge_participants_external"),
        sa.UniqueConstraint("consultation_id", "user_id", name="uq_merge_participants_user"),
    )
    with op.batch_alter_table("merge_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_merge_participants_consultation_id"), ["consultation_id"], unique=False
        )

    op.create_table(
        "merge_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=40), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "duplicate",
                "off_topic",
                name="merge_statement_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("moderated_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("moderated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["merge_participants.id"],
            name=op.f("fk_merge_statements_author_id_merge_participants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["merges.consultation_id"],
            name=op.f("fk_merge_statements_consultation_id_merges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["moderated_by_id"],
            ["users.id"],
            name=op.f("fk_merge_statements_moderated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_statements")),
        sa.UniqueConstraint("consultation_id", "external_id", name="uq_merge_statements_external"),
    )
    with op.batch_alter_table("merge_statements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merge_statements_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_merge_statements_shown", ["consultation_id", "status"], unique=False)

    op.create_table(
        "merge_votes",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column(
            "stakeholder_group",
            sa.Enum(
                "government",
                "community",
                "served",
                "resident",
                name="merge_vote_group",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("cast_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("value IN (-1, 0, 1)", name=op.f("ck_merge_votes_value")),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["merges.consultation_id"],
            name=op.f("fk_merge_votes_consultation_id_merges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["merge_participants.id"],
            name=op.f("fk_merge_votes_participant_id_merge_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["merge_statements.id"],
            name=op.f("fk_merge_votes_statement_id_merge_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("statement_id", "participant_id", name=op.f("pk_merge_votes")),
    )
    with op.batch_alter_table("merge_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merge_votes_consultation_id"), ["consultation_id"], unique=False)
        batch_op.create_index("ix_merge_votes_participant", ["participant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("merge_votes", schema=None) as batch_op:
        batch_op.drop_index("ix_merge_votes_participant")
        batch_op.drop_index(batch_op.f("ix_merge_votes_consultation_id"))

    op.drop_table("merge_votes")
    with op.batch_alter_table("merge_statements", schema=None) as batch_op:
        batch_op.drop_index("ix_merge_statements_shown")
        batch_op.drop_index(batch_op.f("ix_merge_statements_author_id"))

    op.drop_table("merge_statements")
    with op.batch_alter_table("merge_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merge_participants_consultation_id"))

    op.drop_table("merge_participants")
    op.drop_table("merges")
