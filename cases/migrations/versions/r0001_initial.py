"""The schema linewise wrote before migrations existed (meta 'schema' = "1").

A store made then has these tables and no alembic_version; cases.migrate stamps it
with this revision and upgrades it from here, in place.

Revision ID: r0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("num", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.Text, unique=True),
        sa.Column("opened_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("intake", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "events",
        sa.Column("case_num", sa.Integer, sa.ForeignKey("cases.num"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("case_num", "seq"),
    )
    op.execute("INSERT INTO meta(key, value) VALUES ('schema', '1')")


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("cases")
    op.drop_table("meta")
