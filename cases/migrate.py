"""Schema versions of a store, and bringing a store to the current one (alembic).

A store is at one alembic revision (cases/migrations/versions). A store made before
migrations existed has the tables of revision r0001 and no alembic_version table: it is
stamped r0001 and upgraded from there, in place. A store at a revision this linewise does
not know was written by a newer linewise and is refused, never guessed at.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from cases.store_access import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LEGACY = "r0001"  # the schema linewise wrote as meta 'schema' = "1"
VERSION_TABLE = "alembic_version"
_HEADER = re.compile(r'^(down_revision|revision)\b[^=\n]*=\s*(?:None|"(\w+)")\s*$', re.MULTILINE)


class SchemaBehind(StoreError):
    """A store opened read-only has an older schema (or none): it needs `store migrate`."""


def _config(conn: Connection | None = None) -> Config:
    from alembic.config import Config  # alembic only loads when a store is migrated

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        config.attributes["connection"] = conn
    return config


@cache
def _chain() -> dict[str, str | None]:
    """Each revision this linewise knows and the one before it, read from the headers of
    the migration files (alembic's own loader imports every migration: too slow for a
    read-only `case show`; tests/test_migrate.py checks both agree)."""
    chain: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS / "versions").glob("r*.py")):
        found = {key: value for key, value in _HEADER.findall(path.read_text("utf-8"))}
        if "revision" not in found:  # pragma: no cover - every migration has a header
            raise StoreError(f"{path}: a schema migration without a 'revision' line")
        chain[found["revision"]] = found.get("down_revision") or None
    return chain


def head() -> str:
    """The newest schema revision this linewise knows."""
    chain = _chain()
    heads = set(chain) - {down for down in chain.values() if down is not None}
    if len(heads) != 1:  # pragma: no cover - the repository keeps one line of revisions
        raise StoreError(f"linewise's schema migrations have {len(heads)} heads, not one")
    return heads.pop()


def known() -> set[str]:
    return set(_chain())


def revision(conn: Connection, location: str = "the database") -> str | None:
    """The store's revision: None for an empty database; LEGACY for a pre-migration store."""
    tables = set(inspect(conn).get_table_names())
    if VERSION_TABLE in tables:
        row = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
        if row is not None:
            return str(row[0])
    if {"meta", "cases", "events"} <= tables:
        row = conn.execute(text("SELECT value FROM meta WHERE key = 'schema'")).first()
        if row is not None and row[0] == "1":
            return LEGACY
        raise StoreError(
            f"the store has schema {row[0] if row else '?'} without a migration record",
            hint="it was not written by linewise; use another store (--store)",
        )
    if tables:
        raise StoreError(
            f"{location} is not a linewise case store (it has no cases and events tables)",
            hint="check the path given with --store or $LINEWISE_STORE",
        )
    return None


def check(conn: Connection, location: str) -> str | None:
    """The store's revision, refusing one from a newer linewise."""
    current = revision(conn, location)
    if current is not None and current not in known():
        raise StoreError(
            f"the case store {location} was written by a newer linewise "
            f"(schema {current}; this linewise knows up to {head()})",
            hint="upgrade linewise on this machine, or use another store (--store)",
        )
    return current


def upgrade(conn: Connection, location: str) -> tuple[str | None, str]:
    """Bring the store to the newest schema in the caller's transaction: (from, to)."""
    from alembic import command

    before = check(conn, location)
    config = _config(conn)
    stamped = (
        VERSION_TABLE in inspect(conn).get_table_names()
        and conn.execute(text(f"SELECT 1 FROM {VERSION_TABLE}")).first()
    )
    if before == LEGACY and not stamped:
        command.stamp(config, LEGACY)
    if before != head():
        command.upgrade(config, "head")
    return before, head()


def decide(current: str | None, location: str, readonly: bool, shared: bool, asked: bool) -> bool:
    """Whether opening a store at revision `current` migrates it now; raises when it must
    not be used as it is (a reader never migrates; a shared store only when asked)."""
    if current == head():
        return False
    if asked:
        return True
    if readonly:
        raise SchemaBehind(
            f"the case store {location} "
            + ("is empty" if current is None else f"has the older schema {current}"),
            hint=f"run 'linewise store migrate --store {location}' first",
        )
    if current is not None and shared:
        raise StoreError(
            f"the shared case store {location} has the older schema {current} "
            f"(this linewise uses {head()})",
            hint=f"run 'linewise store migrate --store {location}' once for the team",
        )
    return True
