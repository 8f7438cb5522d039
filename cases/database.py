"""Where a store lives and how to reach it: URLs, engines, and database errors as StoreError.

A store is named by a file path or `sqlite:///PATH` (the embedded default: one SQLite
file) or by `postgresql://user:password@host:port/db` (a team's shared store, through
psycopg 3). The password never appears in a message or a log: every location shown is
the URL with the password masked, and driver messages are scrubbed of it too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import QueuePool

from cases import store_access
from cases.store_access import (
    BUSY_TIMEOUT_MS,
    StoreError,
    connect_read_only,
    default_path,
)

CONNECT_TIMEOUT_S = 10


class StoreConflict(StoreError):
    """A change collided with another one (a unique key): the caller says what it means."""


@dataclass(frozen=True)
class StoreURL:
    """A resolved store address: the SQLAlchemy URL, the file (SQLite) and what to show."""

    url: URL
    path: Path | None  # the SQLite file; None for PostgreSQL

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    @property
    def shown(self) -> str:
        """The location as people see it: the file, or the URL with the password masked."""
        if self.path is not None:
            return str(self.path)
        return self.url.set(drivername="postgresql").render_as_string(hide_password=True)

    def scrub(self, text: str) -> str:
        """`text` with the URL's password masked wherever it appears."""
        password = self.url.password
        return text.replace(str(password), "***") if password else text


def simulated_store_path() -> Path:
    """Where `cases simulate` writes without --store: its own file, never the real store."""
    return default_path().with_name("simulated.sqlite3")


def resolve(target: str | Path | None) -> StoreURL:
    """A store address from `--store`, else $LINEWISE_STORE, else the user data directory."""
    path = store_access.store_file(target)
    if path is not None:
        return StoreURL(make_url(f"sqlite:///{path}"), path)
    try:
        url = make_url(store_access.store_text(target))
    except exc.ArgumentError as err:
        raise StoreError(
            "the store URL cannot be read",
            hint="write it as postgresql://USER:PASSWORD@HOST:PORT/DATABASE",
        ) from err
    return StoreURL(url.set(drivername="postgresql+psycopg"), None)


def make_engine(where: StoreURL, *, readonly: bool = False) -> Engine:
    """An engine for the store; SQLite gets WAL, a busy timeout and explicit transactions."""
    if where.path is None:
        return create_engine(
            where.url,
            pool_pre_ping=True,
            pool_size=2,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "linewise"},
        )
    if readonly:
        path = where.path
        engine = create_engine(
            "sqlite://", creator=lambda: connect_read_only(path), poolclass=QueuePool
        )
    else:
        engine = create_engine(
            where.url,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            poolclass=QueuePool,
        )
    _sqlite_pragmas(engine, readonly)
    return engine


def _sqlite_pragmas(engine: Engine, readonly: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None  # transactions are begun below, not by the driver
        cursor = dbapi.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not readonly:
            mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - e.g. a network file system
                cursor.execute("PRAGMA journal_mode = DELETE")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # a writer takes the write lock at once (no deadlock on upgrade); readers never do
        write = conn.get_execution_options().get("linewise_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write and not readonly else "BEGIN")


@contextmanager
def store_errors(where: StoreURL) -> Iterator[None]:
    """Database errors -> StoreError with a hint a person can act on (never the password)."""
    try:
        yield
    except exc.DBAPIError as err:
        raise _translate(where, err) from None
    except sqlite3.DatabaseError as err:  # raised by the driver outside SQLAlchemy
        raise _sqlite_error(where, err) from None


def _translate(where: StoreURL, err: exc.DBAPIError) -> StoreError:
    orig = err.orig
    if isinstance(err, exc.IntegrityError):
        return StoreConflict(f"the case store {where.shown} refused a conflicting change")
    if isinstance(orig, sqlite3.DatabaseError):
        return _sqlite_error(where, orig)
    text = where.scrub(str(orig).strip().splitlines()[0] if str(orig).strip() else repr(orig))
    state = str(getattr(orig, "sqlstate", "") or "")
    location = where.shown
    if err.connection_invalidated or state.startswith("08") or state == "57P01":
        return StoreError(
            f"lost the connection to the case store {location} ({text})",
            hint="nothing half-written was kept; check the database server, then run the "
            "command again (a session resumes with 'linewise resume CASE')",
        )
    if state == "53100":
        return StoreError(
            f"the case store {location} cannot grow: the database disk is full",
            hint="free space on the database server; everything saved before this is kept",
        )
    if state in ("25006", "42501"):
        return StoreError(
            f"the case store {location} cannot be written ({text})",
            hint="connect as a user allowed to write, or use --store to choose another store",
        )
    if state in ("40001", "40P01"):
        return StoreError(
            f"the case store {location} was busy with a conflicting change ({text})",
            hint="run the command again",
        )
    if state == "" and isinstance(err, exc.OperationalError):
        return StoreError(
            f"cannot reach the case store {location} ({text})",
            hint="check that the database server runs and the URL (host, port, database, "
            "user) is right; set it with --store or $LINEWISE_STORE",
        )
    return StoreError(f"the case store {location} failed: {text}")


def _sqlite_error(where: StoreURL, err: sqlite3.DatabaseError) -> StoreError:
    """The one wording of SQLite failures (cases.store_access), for this store."""
    try:
        with store_access.store_errors(where.shown):
            raise err
    except StoreError as translated:
        return translated
    return StoreError(f"the case store {where.shown} failed: {err}")  # pragma: no cover
