"""Copying a whole store into another (`linewise store copy SRC DST`), e.g. SQLite -> PostgreSQL.

Every case keeps its id, every event its sequence, agent and channel, its digest and
report marks, and every published pack its text, hash and history; the web accounts and
the cookie secret come along. The copy is one transaction on the destination: it lands
whole or not at all. The destination must hold no cases (copying never merges histories).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

from cases.store import SQLStore
from cases.tables import (
    case_digests,
    case_marks,
    cases,
    events,
    meta,
    packs,
    web_portal,
    web_tokens,
    web_users,
)
from rules.errors import InvalidInput

BATCH = 2000
# parents before children (foreign keys); every table of cases.tables but `meta`
COPIED = (cases, case_digests, case_marks, events, packs, web_users, web_tokens, web_portal)
SECRET = "web_secret"  # web/accounts.py's meta row


@dataclass(frozen=True)
class Copied:
    """What a copy moved."""

    cases: int
    events: int
    packs: int


def _rows(conn: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    keys = list(table.primary_key.columns) or list(table.columns)
    result = conn.execute(select(table).order_by(*keys)).mappings()
    while True:
        chunk = [dict(row) for row in result.fetchmany(BATCH)]
        if not chunk:
            return
        yield chunk


def copy_store(source: SQLStore, target: SQLStore) -> Copied:
    """Copy every case, event and published pack from `source` into the empty `target`."""
    held = target.count()
    if held:
        raise InvalidInput(
            f"the store {target.location} already holds {held} cases",
            hint="copy into a new, empty store (a copy never merges two histories)",
        )
    counts: dict[str, int] = {}
    with source.reading() as src, target.writing() as dst:
        if dst.execute(select(func.count()).select_from(packs)).scalar_one():
            dst.execute(packs.delete())  # only the seeded shipped packs: replaced by the source's
        for table in COPIED:
            for chunk in _rows(src, table):
                dst.execute(insert(table), chunk)
                counts[table.name] = counts.get(table.name, 0) + len(chunk)
        secret = src.execute(select(meta.c.value).where(meta.c.key == SECRET)).scalar()
        if secret is not None:
            dst.execute(meta.delete().where(meta.c.key == SECRET))
            dst.execute(insert(meta).values(key=SECRET, value=secret))
        if not target.where.is_sqlite:  # the next case id continues after the copied ones
            dst.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('cases', 'num'), "
                    "COALESCE((SELECT MAX(num) FROM cases), 0) + 1, false)"
                )
            )
    return Copied(counts.get("cases", 0), counts.get("events", 0), counts.get("packs", 0))
