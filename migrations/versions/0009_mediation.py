"""mediation: disputes, their parties, mediation meetings and the private timeline

Adds four tables and nothing else: ``disputes`` (a case, its state, agreement, shared summary,
referral and follow-up day; CHECKs that an accepted case has a mediator and that a referral target
goes with a referred outcome), ``dispute_parties`` (a registered person or a named outside party,
once per dispute, with their confirmation and consent to share), ``mediation_meetings`` and
``dispute_events``. Written against 0007 while 0008 (consultations) is being written; the lead
re-chains it at merge.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Migrations run while the previous release is still serving: expand first (add tables, nullable
columns), contract in a later revision once no running code reads the old shape. Data migrations are
revisions of their own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "neighbours",
                "property_management",
                "vendors",
                "noise",
                "parking",
                "other",
                name="dispute_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "applied",
                "accepted",
                "declined",
                "in_mediation",
                "agreed",
                "failed",
                "referred",
                "closed",
                name="dispute_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "declined",
                "agreed",
                "failed",
                "referred",
                name="dispute_outcome",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("filed_year", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("mediator_id", sa.Integer(), nullable=True),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("wanted", sa.Text(), nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.Column("agreement_text", sa.Text(), nullable=False),
        sa.Column("agreement_version", sa.Integer(), nullable=False),
        sa.Column("agreement_proposed_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("shared_summary", sa.Text(), nullable=False),
        sa.Column(
            "referral",
            sa.Enum(
                "legal_aid",
                "court",
                "hotline",
                name="dispute_referral",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("referral_note", sa.String(length=500), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("follow_up_reminded_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(outcome IS NOT NULL AND outcome = 'referred') = (referral IS NOT NULL)",
            name=op.f("ck_disputes_referral_with_its_outcome"),
        ),
        sa.CheckConstraint(
            "status IN ('applied', 'declined') OR mediator_id IS NOT NULL",
            name=op.f("ck_disputes_accepted_has_mediator"),
        ),
        sa.CheckConstraint("agreement_version >= 0", name=op.f("ck_disputes_agreement_version_not_negative")),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["users.id"], name=op.f("fk_disputes_applicant_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"], ["users.id"], name=op.f("fk_disputes_mediator_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disputes_mediator_id"), ["mediator_id"], unique=False)
        batch_op.create_index("ix_disputes_statistics", ["filed_year", "kind", "outcome"], unique=False)
        batch_op.create_index("ix_disputes_status", ["status", "changed_at"], unique=False)

    op.create_table(
        "dispute_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column(
            "action",
            sa.Enum(
                "apply",
                "accept",
                "decline",
                "log_meeting",
                "propose",
                "confirm",
                "agree",
                "fail",
                "consent",
                "refer",
                "close",
                name="dispute_action",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_status",
            sa.Enum(
                "applied",
                "accepted",
                "declined",
                "in_mediation",
                "agreed",
                "failed",
                "referred",
                "closed",
                name="event_from_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "applied",
                "accepted",
                "declined",
                "in_mediation",
                "agreed",
                "failed",
                "referred",
                "closed",
                name="event_to_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_dispute_events_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["disputes.id"],
            name=op.f("fk_dispute_events_dispute_id_disputes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_events")),
    )
    with op.batch_alter_table("dispute_events", schema=None) as batch_op:
        batch_op.create_index("ix_dispute_events_dispute", ["dispute_id", "id"], unique=False)

    op.create_table(
        "dispute_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column(
            "side",
            sa.Enum("applicant", "respondent", name="party_side", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("outside_name", sa.String(length=60), nullable=False),
        sa.Column("confirmed_version", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("share_consent", sa.Boolean(), nullable=True),
        sa.Column("consent_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("consent_recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(user_id IS NOT NULL) <> (outside_name <> '')",
            name=op.f("ck_dispute_parties_person_or_outside_party"),
        ),
        sa.ForeignKeyConstraint(
            ["consent_recorded_by_id"],
            ["users.id"],
            name=op.f("fk_dispute_parties_consent_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["disputes.id"],
            name=op.f("fk_dispute_parties_dispute_id_disputes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_dispute_parties_user_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_parties")),
        sa.UniqueConstraint("dispute_id", "user_id", name="uq_dispute_parties_dispute_user"),
    )
    with op.batch_alter_table("dispute_parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispute_parties_user_id"), ["user_id"], unique=False)

    op.create_table(
        "mediation_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attended_party_ids", sa.JSON(), nullable=False),
        sa.Column("mediator_attended", sa.Boolean(), nullable=False),
        sa.Column("others", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("logged_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["disputes.id"],
            name=op.f("fk_mediation_meetings_dispute_id_disputes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["logged_by_id"],
            ["users.id"],
            name=op.f("fk_mediation_meetings_logged_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mediation_meetings")),
    )
    with op.batch_alter_table("mediation_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mediation_meetings_dispute_id"), ["dispute_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mediation_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediation_meetings_dispute_id"))

    op.drop_table("mediation_meetings")
    with op.batch_alter_table("dispute_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispute_parties_user_id"))

    op.drop_table("dispute_parties")
    with op.batch_alter_table("dispute_events", schema=None) as batch_op:
        batch_op.drop_index("ix_dispute_events_dispute")

    op.drop_table("dispute_events")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index("ix_disputes_status")
        batch_op.drop_index("ix_disputes_statistics")
        batch_op.drop_index(batch_op.f("ix_disputes_mediator_id"))

    op.drop_table("disputes")
