"""Web accounts: agents with roles, API tokens, and portal sessions.

They live in their own SQLite file beside the case store (`accounts.sqlite3`), in
three tables that can move into the shared store's schema later unchanged.
Passwords are argon2 hashes (argon2-cffi); API tokens and portal keys are random and
only their SHA-256 is kept, so a copy of the file lets nobody in.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cases.store_access import StoreError, store_errors
from engine.facts import now
from rules.errors import InvalidInput, UnknownIdError, did_you_mean

Role = Literal["line1", "line2", "line3", "line4", "engineer", "manager", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
ROLE_TITLES: dict[Role, str] = {
    "line1": "Line 1 agent",
    "line2": "Line 2 agent",
    "line3": "Line 3 agent",
    "line4": "Line 4 agent",
    "engineer": "Line 3 engineer",
    "manager": "Support manager",
    "admin": "Administrator",
}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS web_users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS web_tokens (
    digest TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES web_users(name),
    label TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS web_portal (
    digest TEXT PRIMARY KEY, case_id TEXT NOT NULL, created_at TEXT NOT NULL
);
"""
# argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane): the library's
# default (64 MiB, 3 passes, 4 lanes) took about a second per login on a 2-core server
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@dataclass(frozen=True)
class User:
    name: str
    role: Role

    @property
    def line(self) -> int | None:
        """The support line whose queues the user works (None: all, read-only or admin)."""
        if self.role.startswith("line"):
            return int(self.role[4:])
        return 3 if self.role == "engineer" else None

    @property
    def title(self) -> str:
        return ROLE_TITLES[self.role]

    def lines(self) -> list[int]:
        """The lines whose queues the user may see."""
        return [self.line] if self.line is not None else [1, 2, 3, 4]

    def may_work(self, line: int) -> bool:
        """Whether the user may answer, escalate or pick up a case on `line`."""
        return self.role == "admin" or self.line == line


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise InvalidInput(
            f"unknown role '{role}'",
            hint=did_you_mean(role, ROLES) or "roles: " + ", ".join(ROLES),
        )
    return role


class Accounts:
    """The accounts file; one connection per process."""

    def __init__(self, path: Path) -> None:
        self.location = str(path)
        with store_errors(self.location):
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=15, isolation_level=None)
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def add_user(self, name: str, password: str, role: str) -> User:
        """A new account (or a new password and role for an existing one)."""
        checked = check_role(role)
        if not name.strip() or len(name) > 64 or not name.isprintable():
            raise InvalidInput(f"bad user name {name!r}", hint="1-64 printable characters")
        if len(password) < 8:
            raise InvalidInput("the password is too short", hint="use at least 8 characters")
        with store_errors(self.location):
            self._db.execute(
                "INSERT INTO web_users(name, role, hash, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET role = excluded.role, hash = excluded.hash",
                (name, checked, _hasher.hash(password), now()),
            )
        return User(name, checked)

    def user(self, name: str) -> User:
        with store_errors(self.location):
            row = self._db.execute("SELECT role FROM web_users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise UnknownIdError(f"unknown user '{name}'", hint="add it with 'linewise user add'")
        return User(name, check_role(row[0]))

    def users(self) -> list[User]:
        with store_errors(self.location):
            rows = self._db.execute("SELECT name, role FROM web_users ORDER BY name").fetchall()
        return [User(n, check_role(r)) for n, r in rows]

    def login(self, name: str, password: str) -> User | None:
        """The user when the password is right, else None (same answer for a wrong name)."""
        with store_errors(self.location):
            row = self._db.execute(
                "SELECT role, hash FROM web_users WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            _hasher.hash(password)  # the same work whether or not the name exists
            return None
        try:
            _hasher.verify(row[1], password)
        except (VerificationError, InvalidHashError):
            return None
        return User(name, check_role(row[0]))

    def new_token(self, name: str, label: str = "") -> str:
        """A new API bearer token for a user; only its digest is kept."""
        self.user(name)
        token = "lw_" + secrets.token_urlsafe(32)
        with store_errors(self.location):
            self._db.execute(
                "INSERT INTO web_tokens(digest, name, label, created_at) VALUES (?, ?, ?, ?)",
                (digest(token), name, label, now()),
            )
        return token

    def token_user(self, token: str) -> User | None:
        with store_errors(self.location):
            row = self._db.execute(
                "SELECT u.name, u.role FROM web_tokens t JOIN web_users u ON u.name = t.name "
                "WHERE t.digest = ?",
                (digest(token),),
            ).fetchone()
        return None if row is None else User(row[0], check_role(row[1]))

    def portal_key(self, case_id: str) -> str:
        """An unguessable key that lets one portal session read its own case only."""
        key = secrets.token_urlsafe(24)
        with store_errors(self.location):
            self._db.execute(
                "INSERT INTO web_portal(digest, case_id, created_at) VALUES (?, ?, ?)",
                (digest(key), case_id, now()),
            )
        return key

    def portal_case(self, key: str) -> str | None:
        with store_errors(self.location):
            row = self._db.execute(
                "SELECT case_id FROM web_portal WHERE digest = ?", (digest(key),)
            ).fetchone()
        return None if row is None else str(row[0])

    def ping(self) -> None:
        with store_errors(self.location):
            self._db.execute("SELECT 1").fetchone()


__all__ = ["ROLES", "Accounts", "Role", "StoreError", "User"]
