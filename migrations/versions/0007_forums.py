"""forums: boards, threads, posts with their versions, reactions, reports, follows

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 08:26:37.627972

Migrations run while the previous release is still serving: expand first (add tables, nullable
columns), contract in a later revision once no running code reads the old shape. Data migrations are
revisions of their own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forum_boards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("cell", "theme", name="board_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("cell_code", sa.String(length=15), nullable=True),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("thread_count", sa.Integer(), nullable=False),
        sa.Column("last_activity_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'cell') = (cell_code IS NOT NULL)", name=op.f("ck_forum_boards_cell_board_has_a_cell")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_boards")),
        sa.UniqueConstraint("cell_code", name=op.f("uq_forum_boards_cell_code")),
        sa.UniqueConstraint("slug", name=op.f("uq_forum_boards_slug")),
    )
    op.create_table(
        "forum_follows",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "target",
            sa.Enum("thread", "board", name="follow_target", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_forum_follows_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "target", "target_id", name=op.f("pk_forum_follows")),
    )
    with op.batch_alter_table("forum_follows", schema=None) as batch_op:
        batch_op.create_index("ix_forum_follows_target", ["target", "target_id"], unique=False)

    op.create_table(
        "forum_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("post_count", sa.Integer(), nullable=False),
        sa.Column("is_pinned", sa.Boolean(), nullable=False),
        sa.Column("is_locked", sa.Boolean(), nullable=False),
        sa.CheckConstraint("post_count >= 0", name=op.f("ck_forum_threads_post_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_forum_threads_author_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["forum_boards.id"],
            name=op.f("fk_forum_threads_board_id_forum_boards"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_threads")),
    )
    with op.batch_alter_table("forum_threads", schema=None) as batch_op:
        batch_op.create_index("ix_forum_threads_activity", ["last_activity_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_forum_threads_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            "ix_forum_threads_board_list", ["board_id", "is_pinned", "last_activity_at"], unique=False
        )

    op.create_table(
        "forum_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column(
            "author_group",
            sa.Enum(
                "government",
                "community",
                "served",
                "resident",
                name="post_author_group",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "stance",
            sa.Enum(
                "support",
                "oppose",
                "addition",
                "question",
                name="post_stance",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("reply_to_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.String(length=200), nullable=False),
        sa.Column("reaction_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("reaction_count >= 0", name=op.f("ck_forum_posts_reaction_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_forum_posts_author_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"],
            ["users.id"],
            name=op.f("fk_forum_posts_hidden_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reply_to_id"],
            ["forum_posts.id"],
            name=op.f("fk_forum_posts_reply_to_id_forum_posts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["forum_threads.id"],
            name=op.f("fk_forum_posts_thread_id_forum_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_posts")),
        sa.UniqueConstraint("thread_id", "number", name="uq_forum_posts_thread_number"),
    )
    with op.batch_alter_table("forum_posts", schema=None) as batch_op:
        batch_op.create_index("ix_forum_posts_author", ["author_id", "created_at"], unique=False)

    op.create_table(
        "forum_post_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("written_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["forum_posts.id"],
            name=op.f("fk_forum_post_versions_post_id_forum_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_post_versions")),
    )
    with op.batch_alter_table("forum_post_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forum_post_versions_post_id"), ["post_id"], unique=False)

    op.create_table(
        "forum_reactions",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["forum_posts.id"],
            name=op.f("fk_forum_reactions_post_id_forum_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_forum_reactions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "user_id", name=op.f("pk_forum_reactions")),
    )
    op.create_table(
        "forum_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["forum_posts.id"],
            name=op.f("fk_forum_reports_post_id_forum_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_forum_reports_reporter_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_forum_reports_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_reports")),
    )
    with op.batch_alter_table("forum_reports", schema=None) as batch_op:
        batch_op.create_index("ix_forum_reports_queue", ["resolved_at", "created_at"], unique=False)
        batch_op.create_index(
            "uq_forum_reports_open",
            ["post_id", "reporter_id"],
            unique=True,
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("forum_reports", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_forum_reports_open",
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        )
        batch_op.drop_index("ix_forum_reports_queue")

    op.drop_table("forum_reports")
    op.drop_table("forum_reactions")
    with op.batch_alter_table("forum_post_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_post_versions_post_id"))

    op.drop_table("forum_post_versions")
    with op.batch_alter_table("forum_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_forum_posts_author")

    op.drop_table("forum_posts")
    with op.batch_alter_table("forum_threads", schema=None) as batch_op:
        batch_op.drop_index("ix_forum_threads_board_list")
        batch_op.drop_index(batch_op.f("ix_forum_threads_author_id"))
        batch_op.drop_index("ix_forum_threads_activity")

    op.drop_table("forum_threads")
    with op.batch_alter_table("forum_follows", schema=None) as batch_op:
        batch_op.drop_index("ix_forum_follows_target")

    op.drop_table("forum_follows")
    op.drop_table("forum_boards")
