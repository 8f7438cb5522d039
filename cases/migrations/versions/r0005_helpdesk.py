"""Helpdesk connections: tickets linked to cases, inbound deliveries, the outbox.

Revision ID: r0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0005"
down_revision: str | None = "r0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "helpdesk_links",
        sa.Column("helpdesk", sa.Text, nullable=False),
        sa.Column("ticket", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("pushed_seq", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("helpdesk", "ticket"),
    )
    op.create_index("ix_helpdesk_links_case", "helpdesk_links", ["case_id"])
    op.create_table(
        "helpdesk_inbox",
        sa.Column("helpdesk", sa.Text, nullable=False),
        sa.Column("delivery", sa.Text, nullable=False),
        sa.Column("received_at", sa.Text, nullable=False),
        sa.Column("ticket", sa.Text),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("helpdesk", "delivery"),
    )
    op.create_table(
        "helpdesk_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("helpdesk", sa.Text, nullable=False),
        sa.Column("ticket", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_at", sa.Text, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("delivered_at", sa.Text),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_helpdesk_outbox_state", "helpdesk_outbox", ["state", "next_at"])


def downgrade() -> None:
    op.drop_index("ix_helpdesk_outbox_state", "helpdesk_outbox")
    op.drop_table("helpdesk_outbox")
    op.drop_table("helpdesk_inbox")
    op.drop_index("ix_helpdesk_links_case", "helpdesk_links")
    op.drop_table("helpdesk_links")
