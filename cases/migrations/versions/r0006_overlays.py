"""Learned overlays (linewise learn): every published version's exact text and hash.

Revision ID: r0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0006"
down_revision: str | None = "r0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "overlays",
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("published_by", sa.Text, nullable=False),
        sa.Column("published_at", sa.Text, nullable=False),
        sa.UniqueConstraint("version", name="uq_overlays_version"),
    )


def downgrade() -> None:
    op.drop_table("overlays")
