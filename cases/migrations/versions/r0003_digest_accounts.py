"""Case digests for SQL queues and reports, and the web accounts in the shared store.

Adds the columns cases.digest folds from each case's events (so an append updates the
row from the previous digest alone, kept in `case_digests`, and `report` aggregates in
SQL), the `case_marks`
table (escalation kinds, failed and proposed fixes), and the web accounts tables that
lived in a sibling `accounts.sqlite3` (web/accounts.py imports that file on first use).
Every existing case's digest is folded from its events here.

Revision ID: r0003
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from cases.digest import fold
from cases.model import Event
from cases.tables import DIGEST_COLUMNS

revision = "r0003"
down_revision: str | None = "r0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name, kind in DIGEST_COLUMNS:  # plain ALTER TABLE ADD COLUMN: no table is rebuilt
        op.add_column("cases", sa.Column(name, kind))
    op.create_table(
        "case_digests",
        sa.Column("case_num", sa.Integer, sa.ForeignKey("cases.num"), primary_key=True),
        sa.Column("digest", sa.Text, nullable=False),
    )
    op.create_table(
        "case_marks",
        sa.Column("case_num", sa.Integer, sa.ForeignKey("cases.num"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_index("ix_case_marks_case", "case_marks", ["case_num"])
    op.create_table(
        "web_users",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "web_tokens",
        sa.Column("digest", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, sa.ForeignKey("web_users.name"), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "web_portal",
        sa.Column("digest", sa.Text, primary_key=True),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    _fill_digests()


def _fill_digests() -> None:
    """Fold every existing case's events into its digest columns and marks."""
    conn = op.get_bind()
    names = [name for name, _ in DIGEST_COLUMNS]
    cases = sa.table(
        "cases",
        *(sa.column(n) for n in ("num", "opened_at", "intake", "complaint", "service_form")),
        *(sa.column(n) for n in ("updated_at", "status", "line", "agent", "opened_by")),
        *(sa.column(n) for n in ("questions", "closed_at", "sla_due", *names)),
    )
    events = sa.table("events", sa.column("case_num"), sa.column("seq"), sa.column("body"))
    digests = sa.table("case_digests", sa.column("case_num"), sa.column("digest"))
    marks = sa.table(
        "case_marks",
        sa.column("case_num"),
        sa.column("kind"),
        sa.column("line"),
        sa.column("value"),
    )
    rows = conn.execute(sa.select(cases.c.num, cases.c.opened_at, cases.c.intake)).all()
    for num, opened_at, intake in rows:
        bodies = conn.execute(
            sa.select(events.c.body).where(events.c.case_num == num).order_by(events.c.seq)
        ).scalars()
        history = [Event.model_validate_json(body) for body in bodies]
        digest, found = fold(opened_at, history)
        values = digest.columns(json.loads(intake))
        conn.execute(sa.update(cases).where(cases.c.num == num).values(**values))
        conn.execute(sa.insert(digests).values(case_num=num, digest=digest.dump()))
        if found:
            conn.execute(sa.insert(marks), [{"case_num": num, **m.model_dump()} for m in found])


def downgrade() -> None:
    for table in ("web_portal", "web_tokens", "web_users"):
        op.drop_table(table)
    op.drop_index("ix_case_marks_case", "case_marks")
    op.drop_table("case_marks")
    op.drop_table("case_digests")
    with op.batch_alter_table("cases") as batch:
        for name, _ in reversed(DIGEST_COLUMNS):
            batch.drop_column(name)
