"""an index for the public case list's order (newest activity first): at city scale (20,000 cases) the
list sorted every case on each page view (about 0.6 s on SQLite); with the index it reads 30 rows

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 14:45:00

Migrations run while the previous release is still serving: expand first (add tables, nullable
columns), contract in a later revision once no running code reads the old shape. Data migrations are
revisions of their own.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_grid_cases_updated", "grid_cases", ["updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_grid_cases_updated", table_name="grid_cases")
