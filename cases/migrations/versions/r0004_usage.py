"""The usage index: what each case used per line, so a pack change replays only its cases.

Two tables: `case_usage` (case, line, kind, item) and `case_usage_seen` (the last event
of each case that is indexed). They start empty; `linewise pack diff --stored` fills them
for the cases not yet indexed, so upgrading a large store stays instant.

Revision ID: r0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0004"
# r0003 (web accounts) is on another branch; until it is merged this follows r0002
down_revision: str | None = "r0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_usage",
        sa.Column("case_num", sa.Integer, sa.ForeignKey("cases.num"), nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("case_num", "line", "kind", "item"),
    )
    op.create_index("ix_case_usage_item", "case_usage", ["kind", "item"])
    op.create_table(
        "case_usage_seen",
        sa.Column("case_num", sa.Integer, sa.ForeignKey("cases.num"), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_usage_seen")
    op.drop_index("ix_case_usage_item", "case_usage")
    op.drop_table("case_usage")
