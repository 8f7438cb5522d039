"""The case store: every case and every event, kept as they happen.

`CaseStore` is the interface the rest of linewise uses; `SQLiteStore` is the embedded
implementation (stdlib sqlite3). A shared PostgreSQL store later implements the same
five methods. Each event is appended in its own transaction the moment it happens,
so a crash loses at most what was being typed. WAL mode plus a busy timeout let
several agents (processes) work on different cases at once without losing work.

Where the store lives and how its errors read: cases.store_access.

Commands that only read (`case list`, `case show`, `report`, ...) open the store with
`open_reader`: read-only (SQLite `mode=ro`, no schema writes, never the write lock), so
they work on a read-only file or folder and while another process writes. A store
that does not exist is refused there (a mistyped path must not read as "no cases").
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from cases.model import Case, CaseSummary, Event, line_after, status_after
from cases.store_access import (
    BUSY_TIMEOUT_MS,
    ENV_VAR,
    MissingStore,
    StoreError,
    connect_read_only,
    default_path,
    missing_store,
    store_errors,
)
from rules.errors import UnknownIdError, did_you_mean
from rules.numbers import is_digits

__all__ = [
    "ENV_VAR",
    "CaseStore",
    "MissingStore",
    "SQLiteStore",
    "StoreError",
    "case_id",
    "default_path",
    "normalise_id",
    "open_reader",
    "open_store",
]
SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE,
    opened_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    status TEXT NOT NULL,
    line INTEGER NOT NULL,
    intake TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    case_num INTEGER NOT NULL REFERENCES cases(num),
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    line INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (case_num, seq)
);
"""


class CaseStore(Protocol):
    """What linewise needs from a case store (SQLite now, PostgreSQL later)."""

    location: str

    def create(self, intake: dict[str, Any], at: str) -> str: ...

    def append(self, case_id: str, event: Event) -> Event: ...

    def load(self, case_id: str) -> Case: ...

    def list_cases(self, limit: int | None = None) -> list[CaseSummary]: ...

    def close(self) -> None: ...


def case_id(num: int) -> str:
    return f"C-{num:06d}"


def normalise_id(text: str) -> str:
    """'7', 'c-7' and 'C-000007' all name case C-000007."""
    raw = text.strip().upper()
    digits = raw.removeprefix("C-").removeprefix("C")
    return case_id(int(digits)) if len(digits) <= 18 and is_digits(digits) else raw


class SQLiteStore:
    """The embedded case store (one SQLite file); `read_only` for commands that only read."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.location = str(path)
        self.read_only = read_only
        if read_only:
            with store_errors(self.location):
                self._db = connect_read_only(path)
                self._check_schema()
            return
        with store_errors(self.location):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(
                    f"cannot create the folder of the case store {path}: {err.strerror}",
                    hint="use --store PATH or $LINEWISE_STORE to put it elsewhere",
                ) from err
            self._db = sqlite3.connect(
                str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - e.g. a network file system
                self._db.execute("PRAGMA journal_mode = DELETE")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
            with self._transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)",
                    (SCHEMA_VERSION,),
                )
            self._check_schema()

    def _check_schema(self) -> None:
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        if not {"meta", "cases", "events"} <= tables:
            raise StoreError(
                f"{self.path} is not a linewise case store (it has no cases and events tables)",
                hint="check the path given with --store or $LINEWISE_STORE",
            )
        version = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if version is None or version[0] != SCHEMA_VERSION:
            raise StoreError(
                f"the case store {self.path} has schema {version[0] if version else '?'}, "
                f"this linewise uses {SCHEMA_VERSION}",
                hint="use a store made by this version (--store PATH)",
            )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self._db.in_transaction:  # SQLite already rolled back after e.g. a full disk
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def create(self, intake: dict[str, Any], at: str) -> str:
        """A new case; its 'opened' event is written in the same transaction."""
        with store_errors(self.location), self._transaction():
            cursor = self._db.execute(
                "INSERT INTO cases(opened_at, updated_at, status, line, intake) "
                "VALUES (?, ?, 'open', 1, ?)",
                (at, at, json.dumps(intake, ensure_ascii=False, sort_keys=True)),
            )
            num = int(cursor.lastrowid or 0)
            ident = case_id(num)
            self._db.execute("UPDATE cases SET id = ? WHERE num = ?", (ident, num))
            opened = Event(seq=1, at=at, line=1, kind="opened", data={"intake": intake})
            self._insert(num, opened)
        return ident

    def _insert(self, num: int, event: Event) -> None:
        self._db.execute(
            "INSERT INTO events(case_num, seq, at, line, kind, body) VALUES (?, ?, ?, ?, ?, ?)",
            (num, event.seq, event.at, event.line, event.kind, event.model_dump_json()),
        )

    def _num(self, ident: str) -> int:
        wanted = normalise_id(ident)
        row = self._db.execute("SELECT num FROM cases WHERE id = ?", (wanted,)).fetchone()
        if row is None:
            known = [r[0] for r in self._db.execute("SELECT id FROM cases ORDER BY num")]
            hint = did_you_mean(wanted, known) or (
                "see 'linewise case list'" if known else f"the store {self.location} is empty"
            )
            raise UnknownIdError(f"unknown case '{ident}'", hint=hint)
        return int(row[0])

    def append(self, case_id: str, event: Event) -> Event:
        """Append one event in its own transaction; returns it with its sequence number."""
        with store_errors(self.location), self._transaction():
            num = self._num(case_id)
            row = self._db.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM events WHERE case_num = ?", (num,)
            ).fetchone()
            stored = event.model_copy(update={"seq": int(row[0]) + 1})
            self._insert(num, stored)
            events = self._events(num)
            self._db.execute(
                "UPDATE cases SET updated_at = ?, status = ?, line = ? WHERE num = ?",
                (stored.at, status_after(events), line_after(events), num),
            )
        return stored

    def _events(self, num: int) -> list[Event]:
        rows = self._db.execute(
            "SELECT body FROM events WHERE case_num = ? ORDER BY seq", (num,)
        ).fetchall()
        try:
            return [Event.model_validate_json(r[0]) for r in rows]
        except ValidationError as err:
            raise StoreError(
                f"the case store {self.location} holds an event this linewise cannot read",
                hint="the store may come from another version; use --store PATH",
            ) from err

    def load(self, case_id: str) -> Case:
        with store_errors(self.location):
            num = self._num(case_id)
            row = self._db.execute(
                "SELECT id, opened_at, intake FROM cases WHERE num = ?", (num,)
            ).fetchone()
            return Case(
                id=row[0], opened_at=row[1], intake=json.loads(row[2]), events=self._events(num)
            )

    def list_cases(self, limit: int | None = None) -> list[CaseSummary]:
        """Newest first."""
        with store_errors(self.location):
            rows = self._db.execute(
                "SELECT id, opened_at, updated_at, status, line, intake FROM cases "
                "WHERE id IS NOT NULL ORDER BY num DESC LIMIT ?",
                (limit if limit is not None else -1,),
            ).fetchall()
        out = []
        for ident, opened, updated, status, line, intake in rows:
            data = json.loads(intake)
            out.append(
                CaseSummary(
                    id=ident,
                    opened_at=opened,
                    updated_at=updated,
                    status=status,
                    line=line,
                    complaint=data.get("complaint"),
                    customer=data.get("customer"),
                )
            )
        return out

    def import_cases(self, cases: Iterable[tuple[dict[str, Any], list[Event]]]) -> list[str]:
        """Write whole cases (intake and every event) in one transaction: bulk loading,
        e.g. a simulated history or a migration. Returns the new case ids in order."""
        ids: list[str] = []
        with store_errors(self.location), self._transaction():
            for intake, events in cases:
                opened = events[0].at if events else ""
                updated = events[-1].at if events else opened
                cursor = self._db.execute(
                    "INSERT INTO cases(opened_at, updated_at, status, line, intake) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        opened,
                        updated,
                        status_after(events),
                        line_after(events),
                        json.dumps(intake, ensure_ascii=False, sort_keys=True),
                    ),
                )
                num = int(cursor.lastrowid or 0)
                ident = case_id(num)
                self._db.execute("UPDATE cases SET id = ? WHERE num = ?", (ident, num))
                self._db.executemany(
                    "INSERT INTO events(case_num, seq, at, line, kind, body) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (
                            num,
                            seq,
                            e.at,
                            e.line,
                            e.kind,
                            e.model_copy(update={"seq": seq}).model_dump_json(),
                        )
                        for seq, e in enumerate(events, 1)
                    ],
                )
                ids.append(ident)
        return ids

    def iter_cases(self) -> Iterator[Case]:
        """Every case with its events, oldest first, read in bulk (for metrics and mining)."""
        with store_errors(self.location):
            rows = self._db.execute(
                "SELECT num, id, opened_at, intake FROM cases WHERE id IS NOT NULL ORDER BY num"
            ).fetchall()
            events: dict[int, list[Event]] = {}
            try:
                for num, body in self._db.execute(
                    "SELECT case_num, body FROM events ORDER BY case_num, seq"
                ):
                    events.setdefault(num, []).append(Event.model_validate_json(body))
            except ValidationError as err:
                raise StoreError(
                    f"the case store {self.location} holds an event this linewise cannot read",
                    hint="the store may come from another version; use --store PATH",
                ) from err
        for num, ident, opened, intake in rows:
            yield Case(
                id=ident, opened_at=opened, intake=json.loads(intake), events=events.get(num, [])
            )

    def integrity(self, limit: int = 100) -> list[str]:
        """SQLite's own integrity check (every page, index and constraint) and the
        foreign keys: the first `limit` problems found, or [] when the file is sound."""
        problems: list[str] = []
        try:
            for (text,) in self._db.execute(f"PRAGMA integrity_check({int(limit)})"):
                if text != "ok":
                    problems.append(str(text))
            for table, row, parent, _ in self._db.execute("PRAGMA foreign_key_check"):
                problems.append(f"table {table} row {row}: refers to a missing {parent} row")
        except sqlite3.DatabaseError as err:  # damaged beyond what the check can walk
            problems.append(f"the check could not finish: {err}")
        return problems[:limit]

    def close(self) -> None:
        self._db.close()


def open_store(path: Path | None = None) -> SQLiteStore:
    """The store at `path`, else $LINEWISE_STORE, else the user data directory."""
    return SQLiteStore(path or default_path())


def open_reader(path: Path | None = None) -> SQLiteStore:
    """The store opened read-only, for commands that only read; it must exist."""
    where = path or default_path()
    if not where.is_file():
        raise missing_store(where, given=path is not None)
    if where.stat().st_size == 0:  # an empty SQLite database (e.g. made by touch): no cases
        SQLiteStore(where).close()
    return SQLiteStore(where, read_only=True)
