"""name skeletons of the accounts that exist (data)

Revision ID: 0005
Revises: 0004

Data migration: the skeleton of every existing username and display name, so a new name that looks
like one of them is refused. The function is copied here, frozen as it was, rather than imported:
a migration must give the same result whatever the code later becomes.
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from confusable_homoglyphs import confusables

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _skeleton(text: str, table: dict[str, str]) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    mapped = unicodedata.normalize("NFKC", "".join(table.get(c, c) for c in folded)).casefold()
    return "".join(c for c in mapped if unicodedata.category(c)[0] not in "ZPC")


def upgrade() -> None:
    table = {
        char: min([char, *(a["c"] for a in alikes if len(a["c"]) == 1)], key=ord)
        for char, alikes in confusables.confusables_data.items()
        if len(char) == 1
    }
    users = sa.table(
        "users",
        sa.column("id", sa.Integer),
        sa.column("username", sa.String),
        sa.column("display_name", sa.String),
        sa.column("username_skeleton", sa.String),
        sa.column("display_skeleton", sa.String),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(users.c.id, users.c.username, users.c.display_name)).all():
        connection.execute(
            users.update()
            .where(users.c.id == row.id)
            .values(
                username_skeleton=_skeleton(row.username, table),
                display_skeleton=_skeleton(row.display_name, table) if row.display_name.strip() else None,
            )
        )


def downgrade() -> None:
    pass  # the columns go with 0004's downgrade
