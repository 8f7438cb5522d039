"""The store's schema, defined once (SQLAlchemy Core) for SQLite and PostgreSQL alike.

Every table linewise keeps lives in this one `MetaData`: the case store (cases and
their append-only events), the published-pack registry, and the store's own facts
(`meta`). New tables (e.g. web accounts) go here too, with an alembic revision in
cases/migrations/versions. The migrations, not `create_all`, build a store; a test
checks that the migrated schema equals this definition.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

# Key/value facts about the store; 'schema' is the schema version a linewise wrote.
meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

# One row per case: its id (C-000123, from the database-allocated `num`), the intake as
# JSON, and columns derived from its events at each append (for lists and reports in SQL).
cases = Table(
    "cases",
    metadata,
    Column("num", Integer, primary_key=True, autoincrement=True),
    Column("id", Text, unique=True),
    Column("opened_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("intake", Text, nullable=False),
    Column("complaint", Text),
    Column("service_form", Text),
    Column("agent", Text),  # who worked it last
    Column("opened_by", Text),
    Column("simulated", Boolean, nullable=False, server_default=false()),
    Column("questions", Integer, nullable=False, server_default="0"),
    Column("closed_at", Text),  # when it was resolved or closed unresolved
    Column("sla_due", Text),  # when the resolution target of its form of service falls
    sqlite_autoincrement=True,
)
Index("ix_cases_status_line", cases.c.status, cases.c.line)
Index("ix_cases_agent", cases.c.agent)
Index("ix_cases_opened_at", cases.c.opened_at)

# The append-only log: one row per event, in order within its case.
events = Table(
    "events",
    metadata,
    Column("case_num", Integer, ForeignKey("cases.num"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("agent", Text),
    Column("channel", Text),
    PrimaryKeyConstraint("case_num", "seq"),
)

# The published-pack registry: each kept version's exact text and its SHA-256.
packs = Table(
    "packs",
    metadata,
    Column("pack", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("stage", String(16), nullable=False),  # published | archived
    Column("text", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("published_by", Text, nullable=False),
    Column("published_at", Text, nullable=False),
    UniqueConstraint("pack", "version", name="uq_packs_pack_version"),
)

# The usage index: per case, the lines it reached and what it used there (its complaint,
# the questions answered, the intake fields given, the faults proposed or ruled out), so
# that `pack diff --stored` replays only the cases a pack change can touch. Kept up to
# date from the events (cases.usage); `case_usage_seen` says up to which event.
case_usage = Table(
    "case_usage",
    metadata,
    Column("case_num", Integer, ForeignKey("cases.num"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("kind", String(16), nullable=False),  # line | complaint | question | intake | fault
    Column("item", Text, nullable=False),
    PrimaryKeyConstraint("case_num", "line", "kind", "item"),
)
Index("ix_case_usage_item", case_usage.c.kind, case_usage.c.item)

case_usage_seen = Table(
    "case_usage_seen",
    metadata,
    Column("case_num", Integer, ForeignKey("cases.num"), primary_key=True),
    Column("seq", Integer, nullable=False),  # the last event indexed
)
