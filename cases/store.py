"""The case store: every case and every event, kept as they happen.

`CaseStore` is the interface the rest of linewise uses; `SQLiteStore` is the embedded
implementation (stdlib sqlite3). A shared PostgreSQL store later implements the same
five methods. Each event is appended in its own transaction the moment it happens,
so a crash loses at most what was being typed. WAL mode plus a busy timeout let
several agents (processes) work on different cases at once without losing work.

Where the store lives: `--store PATH`, else $LINEWISE_STORE, else
`<user data dir>/linewise/cases.sqlite3` (platformdirs).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import platformdirs
from pydantic import ValidationError

from cases.model import Case, CaseSummary, Event, line_after, status_after
from rules.errors import LinewiseError, UnknownIdError, did_you_mean
from rules.numbers import is_digits

ENV_VAR = "LINEWISE_STORE"
SCHEMA_VERSION = "1"
BUSY_TIMEOUT_MS = 15_000
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


class StoreError(LinewiseError):
    """The case store cannot be used: locked, full disk, unreadable or not a store."""

    exit_code = 4


class CaseStore(Protocol):
    """What linewise needs from a case store (SQLite now, PostgreSQL later)."""

    location: str

    def create(self, intake: dict[str, Any], at: str) -> str: ...

    def append(self, case_id: str, event: Event) -> Event: ...

    def load(self, case_id: str) -> Case: ...

    def list_cases(self, limit: int | None = None) -> list[CaseSummary]: ...

    def close(self) -> None: ...


def default_path() -> Path:
    """$LINEWISE_STORE, else the user's data directory."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("linewise", appauthor=False)) / "cases.sqlite3"


def case_id(num: int) -> str:
    return f"C-{num:06d}"


def normalise_id(text: str) -> str:
    """'7', 'c-7' and 'C-000007' all name case C-000007."""
    raw = text.strip().upper()
    digits = raw.removeprefix("C-").removeprefix("C")
    return case_id(int(digits)) if len(digits) <= 18 and is_digits(digits) else raw


@contextmanager
def store_errors(location: str) -> Iterator[None]:
    """sqlite3 errors -> StoreError with a hint a person can act on."""
    try:
        yield
    except sqlite3.OperationalError as err:
        text = str(err).lower()
        if "full" in text:
            raise StoreError(
                f"the case store {location} cannot grow: database or disk is full",
                hint="free some disk space, or point --store / $LINEWISE_STORE elsewhere; "
                "everything saved before this is kept",
            ) from err
        if "locked" in text or "busy" in text:
            raise StoreError(
                f"the case store {location} stayed locked by another process",
                hint="try again in a moment; if it persists, look for a stuck linewise process",
            ) from err
        if "unable to open" in text or "readonly" in text or "read-only" in text:
            raise StoreError(
                f"cannot open the case store {location} for writing ({err})",
                hint="check the folder exists and is writable, or use --store PATH",
            ) from err
        raise StoreError(f"the case store {location} failed: {err}") from err
    except sqlite3.DatabaseError as err:
        raise StoreError(
            f"the case store {location} is damaged or not a linewise store ({err})",
            hint="move the file aside and start a new store with --store PATH or $LINEWISE_STORE",
        ) from err


class SQLiteStore:
    """The embedded case store (one SQLite file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)
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
            version = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if version is None or version[0] != SCHEMA_VERSION:
                raise StoreError(
                    f"the case store {path} has schema {version[0] if version else '?'}, "
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

    def close(self) -> None:
        self._db.close()


def open_store(path: Path | None = None) -> SQLiteStore:
    """The store at `path`, else $LINEWISE_STORE, else the user data directory."""
    return SQLiteStore(path or default_path())
