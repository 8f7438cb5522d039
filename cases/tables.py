"""The store's schema, defined once (SQLAlchemy Core) for SQLite and PostgreSQL alike.

Every table linewise keeps lives in this one `MetaData`: the case store (cases and
their append-only events), the published-pack registry, and the store's own facts
(`meta`). New tables (e.g. web accounts) go here too, with an alembic revision in
cases/migrations/versions. The migrations, not `create_all`, build a store; a test
checks that the migrated schema equals this definition.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
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
from sqlalchemy.types import TypeEngine

metadata = MetaData()

# What cases.digest folds from the events for the work queues and the report (r0003).
DIGEST_COLUMNS: tuple[tuple[str, type[TypeEngine[Any]]], ...] = (
    ("channel", Text),  # the intake's channel
    ("opened_day", Text),
    ("opened_week", Text),  # the Monday of the week it opened
    ("opened_s", Float),  # epoch seconds
    ("end_s", Float),
    ("reached", Integer),  # bit L-1: the case reached Line L
    ("escalated_from", Integer),  # bit L-1: it left Line L (escalated or unresolved)
    ("escalations", Integer),
    ("resolved_line", Integer),
    ("resolve_h", Float),  # hours to resolve, vendor waits not counted
    ("fault", Text),  # the fault whose fix worked
    ("case_fault", Text),  # that, else the fault it was escalated with
    ("visit_questions", Integer),
    ("paused_h", Float),
    ("waiting_since_s", Float),
    ("waiting_on", Text),
    ("worked", Boolean),
    ("note", Text),  # the last escalation's note
    ("re_asks", Integer),
    ("portal", Boolean),
    ("handed", Boolean),
    *((f"v{line}_{what}", Float) for line in (1, 2, 3, 4) for what in ("arrived_s", "response_h")),
)

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
    *(Column(name, kind) for name, kind in DIGEST_COLUMNS),
    sqlite_autoincrement=True,
)
Index("ix_cases_status_line", cases.c.status, cases.c.line)
Index("ix_cases_agent", cases.c.agent)
Index("ix_cases_opened_at", cases.c.opened_at)

# Each case's folded state (JSON, cases.digest), which the next append starts from; kept
# apart from `cases` so the report's scans stay narrow.
case_digests = Table(
    "case_digests",
    metadata,
    Column("case_num", Integer, ForeignKey("cases.num"), primary_key=True),
    Column("digest", Text, nullable=False),
)

# Many-per-case facts the report counts (cases.digest.Mark): escalation kinds, failed
# and proposed fixes.
case_marks = Table(
    "case_marks",
    metadata,
    Column("case_num", Integer, ForeignKey("cases.num"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("line", Integer, nullable=False),
    Column("value", Text, nullable=False),
)
Index("ix_case_marks_case", case_marks.c.case_num)

# Web accounts (web/accounts.py), shared by every `linewise serve` on the store: users
# with argon2 hashes, API tokens and portal keys by SHA-256 only. The cookie secret is
# the meta row 'web_secret'.
web_users = Table(
    "web_users",
    metadata,
    Column("name", Text, primary_key=True),
    Column("role", Text, nullable=False),
    Column("hash", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)
web_tokens = Table(
    "web_tokens",
    metadata,
    Column("digest", Text, primary_key=True),
    Column("name", Text, ForeignKey("web_users.name"), nullable=False),
    Column("label", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)
web_portal = Table(
    "web_portal",
    metadata,
    Column("digest", Text, primary_key=True),
    Column("case_id", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

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

# Learned overlays (cases.overlays): each published version's exact text and SHA-256; at
# most one is `published` (the one sessions use), the others `archived` (r0006).
overlays = Table(
    "overlays",
    metadata,
    Column("version", Text, nullable=False),
    Column("stage", String(16), nullable=False),  # published | archived
    Column("text", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("published_by", Text, nullable=False),
    Column("published_at", Text, nullable=False),
    UniqueConstraint("version", name="uq_overlays_version"),
)

# Helpdesk tickets linked to cases (one case per ticket): the ticket's last known state
# (`version` orders inbound news: an older delivery never overwrites newer state), and the
# last case event whose write-back is queued (`pushed_seq`).
helpdesk_links = Table(
    "helpdesk_links",
    metadata,
    Column("helpdesk", Text, nullable=False),
    Column("ticket", Text, nullable=False),
    Column("case_id", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("state", Text, nullable=False),  # the ticket's fields as JSON, as last seen
    Column("pushed_seq", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("helpdesk", "ticket"),
)
Index("ix_helpdesk_links_case", helpdesk_links.c.case_id)

# Inbound deliveries (webhooks, polls) once each: a replay finds its key and does nothing.
# Tickets from queues the mapping does not know are kept here as 'unmapped'.
helpdesk_inbox = Table(
    "helpdesk_inbox",
    metadata,
    Column("helpdesk", Text, nullable=False),
    Column("delivery", Text, nullable=False),
    Column("received_at", Text, nullable=False),
    Column("ticket", Text),
    Column("outcome", String(16), nullable=False),  # opened | updated | own | stale | unmapped
    Column("detail", Text, nullable=False, server_default=""),
    PrimaryKeyConstraint("helpdesk", "delivery"),
)

# The outbox: every write to a helpdesk, queued in the same store as the case, delivered
# in order per ticket, retried with backoff until done; `key` makes queuing idempotent.
helpdesk_outbox = Table(
    "helpdesk_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False, unique=True),
    Column("helpdesk", Text, nullable=False),
    Column("ticket", Text, nullable=False),
    Column("case_id", Text, nullable=False),
    Column("action", String(16), nullable=False),  # comment | move | resolve | wait | resume
    Column("payload", Text, nullable=False),
    Column("state", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_at", Text, nullable=False),
    Column("last_error", Text),
    Column("created_at", Text, nullable=False),
    Column("delivered_at", Text),
    sqlite_autoincrement=True,
)
Index("ix_helpdesk_outbox_state", helpdesk_outbox.c.state, helpdesk_outbox.c.next_at)

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
