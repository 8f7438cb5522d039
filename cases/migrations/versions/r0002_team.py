"""The team store: who and where for each event, derived case columns, the pack registry.

Adds the agent and channel of each event, the columns `case list` filters and `report`
aggregates on (filled from each case's events), the simulated flag, and the published-pack
registry. The 'schema' meta value becomes "2", so a linewise from before migrations
refuses this store clearly instead of misreading it.

Revision ID: r0002
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from cases.digest import derive
from cases.model import Event

revision = "r0002"
down_revision: str | None = "r0001"
branch_labels = None
depends_on = None


def _case_columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("complaint", sa.Text),
        sa.Column("service_form", sa.Text),
        sa.Column("agent", sa.Text),
        sa.Column("opened_by", sa.Text),
        sa.Column("simulated", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("questions", sa.Integer, nullable=False, server_default="0"),
        sa.Column("closed_at", sa.Text),
        sa.Column("sla_due", sa.Text),
    )


_NAMES = [c.name for c in _case_columns()]


def upgrade() -> None:
    for column in _case_columns():  # plain ALTER TABLE ADD COLUMN: no table is rebuilt
        op.add_column("cases", column)
    op.add_column("events", sa.Column("agent", sa.Text))
    op.add_column("events", sa.Column("channel", sa.Text))
    op.create_index("ix_cases_status_line", "cases", ["status", "line"])
    op.create_index("ix_cases_agent", "cases", ["agent"])
    op.create_index("ix_cases_opened_at", "cases", ["opened_at"])
    op.create_table(
        "packs",
        sa.Column("pack", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("published_by", sa.Text, nullable=False),
        sa.Column("published_at", sa.Text, nullable=False),
        sa.UniqueConstraint("pack", "version", name="uq_packs_pack_version"),
    )
    _fill_case_columns()
    op.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")


def _fill_case_columns() -> None:
    """Derive the new columns of every existing case from its events."""
    conn = op.get_bind()
    cases = sa.table(
        "cases",
        *(sa.column(name) for name in ("num", "opened_at", "intake")),
        *(sa.column(name) for name in _NAMES),
        sa.column("updated_at"),
        sa.column("status"),
        sa.column("line"),
    )
    events = sa.table("events", sa.column("case_num"), sa.column("seq"), sa.column("body"))
    rows = conn.execute(sa.select(cases.c.num, cases.c.opened_at, cases.c.intake)).all()
    for num, opened_at, intake in rows:
        bodies = conn.execute(
            sa.select(events.c.body).where(events.c.case_num == num).order_by(events.c.seq)
        ).scalars()
        history = [Event.model_validate_json(body) for body in bodies]
        values = derive(json.loads(intake), opened_at, history)
        kept = {k: v for k, v in values.items() if k in (*_NAMES, "updated_at", "status", "line")}
        conn.execute(sa.update(cases).where(cases.c.num == num).values(**kept))


def downgrade() -> None:
    op.drop_table("packs")
    op.drop_index("ix_cases_opened_at", "cases")
    op.drop_index("ix_cases_agent", "cases")
    op.drop_index("ix_cases_status_line", "cases")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("channel")
        batch.drop_column("agent")
    with op.batch_alter_table("cases") as batch:
        for name in reversed(_NAMES):
            batch.drop_column(name)
    op.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
