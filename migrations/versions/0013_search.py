"""search: the change feed the search index follows

Adds one table, ``search_feed``: a (kind, object id) row per touched searchable object, written in the
same transaction as the change, with the time it was written (the follower's trailing window and the
weekly pruning read it). Written against 0009 while 0010–0012 are being written; the lead re-chains it
at merge. No data migration: a new index is built from the database, not from the feed.

Revision ID: 0013
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

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_feed")),
    )
    with op.batch_alter_table("search_feed", schema=None) as batch_op:
        batch_op.create_index("ix_search_feed_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("search_feed", schema=None) as batch_op:
        batch_op.drop_index("ix_search_feed_created_at")
    op.drop_table("search_feed")
