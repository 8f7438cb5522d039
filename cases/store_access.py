"""Reaching the case store: where it lives, how a reader opens it, and clear errors.

Where the store lives: `--store PATH`, else $LINEWISE_STORE, else
`<user data dir>/linewise/cases.sqlite3` (platformdirs). Every sqlite3 failure becomes
a `StoreError` (exit 4) with a hint a person can act on (`store_errors`). Readers
connect read-only (`connect_read_only`) and are refused a store that does not exist
(`missing_store`): a mistyped path must not read as "no cases".
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

import platformdirs

from rules.errors import LinewiseError, did_you_mean

ENV_VAR = "LINEWISE_STORE"
BUSY_TIMEOUT_MS = 15_000
STORE_SUFFIXES = (".sqlite3", ".sqlite", ".db")
NEARBY_LIMIT = 2_000  # folder entries looked at for a did-you-mean (a folder may be huge)


PG_PREFIXES = ("postgresql://", "postgresql+psycopg://", "postgres://")


def default_path() -> Path:
    """The user's data directory (when neither --store nor $LINEWISE_STORE is given)."""
    return Path(platformdirs.user_data_dir("linewise", appauthor=False)) / "cases.sqlite3"


def store_text(target: str | Path | None) -> str:
    """The store address as given: `--store`, else $LINEWISE_STORE ('' for the default)."""
    return str(target) if target is not None else os.environ.get(ENV_VAR) or ""


def store_file(target: str | Path | None) -> Path | None:
    """The SQLite file a store address names, or None for a PostgreSQL URL; an address of
    any other kind is refused. Needs no SQLAlchemy (cases.database.resolve builds on it)."""
    text = store_text(target)
    if not text:
        return default_path()
    if text.startswith(PG_PREFIXES):
        return None
    if text.startswith("sqlite:///"):
        text = text.removeprefix("sqlite:///")
    elif "://" in text:
        scheme = text.split("://", 1)[0]
        raise StoreError(
            f"linewise cannot keep cases in a '{scheme}' store",
            hint="use a file path, sqlite:///PATH or postgresql://USER@HOST/DATABASE",
        )
    return Path(text)


def require_store(target: str | Path | None) -> None:
    """Refuse a store file that does not exist, for a command that only reads (before it
    imports what opens a store): a mistyped path must not read as "no cases"."""
    path = store_file(target)
    if path is not None and not path.is_file():
        raise missing_store(path, given=target is not None)


class StoreError(LinewiseError):
    """The case store cannot be used: locked, full disk, unreadable or not a store."""

    exit_code = 4


class MissingStore(StoreError):
    """A command that only reads was pointed at a store that does not exist."""


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
        if "readonly" in text or "read-only" in text:
            raise StoreError(
                f"the case store {location} is read-only ({err})",
                hint="commands that change cases need a writable store and folder; "
                "use --store PATH",
            ) from err
        if "unable to open" in text:
            raise StoreError(
                f"cannot open the case store {location} ({err})",
                hint="check that the file and its folder exist and can be read (and written, "
                "for commands that change cases), or use --store PATH",
            ) from err
        raise StoreError(f"the case store {location} failed: {err}") from err
    except sqlite3.DatabaseError as err:
        raise StoreError(
            f"the case store {location} is damaged or not a linewise store ({err})",
            hint="'linewise store check' says what is wrong; move the file aside and start "
            "a new store with --store PATH or $LINEWISE_STORE",
        ) from err


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write and never takes the write lock (WAL lets it read
    while another process writes). On a read-only medium, where SQLite cannot make the
    -wal/-shm files beside the store, the file is opened as immutable: nobody can change
    it there."""
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.OperationalError:
        if os.access(path.parent, os.W_OK):
            raise
        db = sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return db


def missing_store(path: Path, *, given: bool) -> MissingStore:
    """No store at `path`: where the path came from and what may have been meant."""
    if given:
        source = "given with --store"
    elif os.environ.get(ENV_VAR):
        source = f"from ${ENV_VAR}"
    else:
        source = "the default location"
    folder = path.parent
    hint = ""
    if folder.is_dir():
        with os.scandir(folder) as entries:
            nearby = [
                e.name
                for e in islice(entries, NEARBY_LIMIT)
                if e.name.endswith(STORE_SUFFIXES) and e.is_file()
            ]
        close = did_you_mean(path.name, nearby)
        if close is not None:
            hint = close.replace("'", f"'{folder}{os.sep}", 1) + " "
    else:
        hint = f"the folder {folder} does not exist; "
    return MissingStore(
        f"no case store at {path} ({source})",
        hint=hint + "a command that only reads never creates a store: give an existing one "
        f"with --store PATH or ${ENV_VAR}",
    )
