"""case taxonomy: load the shipped classes and codes (grid/data/taxonomy.toml) into grid_case_classes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 09:40:00

A data migration: it reads the data file as it is at this revision's release and inserts the classes
once; admins change them afterwards. Downgrading removes the shipped rows that no case uses.
"""

import tomllib
from collections.abc import Sequence
from importlib import resources

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

classes = sa.table(
    "grid_case_classes",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("parent_id", sa.Integer),
    sa.column("limit_hours", sa.Integer),
    sa.column("is_local", sa.Boolean),
    sa.column("is_active", sa.Boolean),
)


def upgrade() -> None:
    text = resources.files("grid").joinpath("data/taxonomy.toml").read_text(encoding="utf-8")
    connection = op.get_bind()
    for major in tomllib.loads(text)["major"]:
        local = bool(major.get("local", False))
        major_id = connection.execute(
            classes.insert()
            .values(
                kind=major["kind"],
                code=major["code"],
                name=major["name"],
                parent_id=None,
                limit_hours=major["limit_hours"],
                is_local=local,
                is_active=True,
            )
            .returning(classes.c.id)
        ).scalar_one()
        connection.execute(
            classes.insert(),
            [
                {
                    "kind": major["kind"],
                    "code": minor[0],
                    "name": minor[1],
                    "parent_id": major_id,
                    "limit_hours": minor[2] if len(minor) > 2 else None,
                    "is_local": local,
                    "is_active": True,
                }
                for minor in major["minors"]
            ],
        )


def downgrade() -> None:
    connection = op.get_bind()
    unused = sa.text("id NOT IN (SELECT class_id FROM grid_cases WHERE class_id IS NOT NULL)")
    connection.execute(classes.delete().where(classes.c.parent_id.is_not(None), unused))
    connection.execute(classes.delete().where(unused))
