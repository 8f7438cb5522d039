"""Web accounts: agents with roles, API tokens, portal sessions and the cookie secret.

They live in the case store (cases/tables.py: web_users, web_tokens, web_portal; the
secret in `meta`), so every `linewise serve` on one store (e.g. one PostgreSQL) shares
them. The sibling `accounts.sqlite3` and `secret` files of earlier versions are imported
on first use, so nothing is lost. Passwords are argon2 hashes (argon2-cffi); API tokens
and portal keys are random and only their SHA-256 is kept, so a copy lets nobody in.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from cases.store import SQLStore, StoreError, open_store
from cases.tables import meta, web_portal, web_tokens, web_users
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
SECRET_KEY = "web_secret"  # the meta row of the cookie secret
IMPORTED_KEY = "web_accounts_imported"  # set once the legacy file was imported
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
    """The accounts kept in a case store (the web's own store: its owner closes it)."""

    def __init__(self, store: SQLStore, *, legacy: Path | None = None) -> None:
        self.store = store
        self.location = store.location
        self._own = False
        if legacy is not None:
            self._import(legacy)

    @classmethod
    def open(cls, target: str | Path, *, legacy: Path | None = None) -> Accounts:
        """The accounts of the store at `target`, on a store of their own (closed by close)."""
        accounts = cls(open_store(target), legacy=legacy)
        accounts._own = True
        return accounts

    def close(self) -> None:
        if self._own:
            self.store.close()

    def add_user(self, name: str, password: str, role: str) -> User:
        """A new account (or a new password and role for an existing one)."""
        checked = check_role(role)
        if not name.strip() or len(name) > 64 or not name.isprintable():
            raise InvalidInput(f"bad user name {name!r}", hint="1-64 printable characters")
        if len(password) < 8:
            raise InvalidInput("the password is too short", hint="use at least 8 characters")
        row = {"name": name, "role": checked, "hash": _hasher.hash(password), "created_at": now()}
        with self.store.writing() as conn:
            stmt = _insert(conn, web_users).values(**row)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["name"],
                    set_={"role": stmt.excluded.role, "hash": stmt.excluded.hash},
                )
            )
        return User(name, checked)

    def user(self, name: str) -> User:
        with self.store.reading() as conn:
            role = conn.execute(select(web_users.c.role).where(web_users.c.name == name)).scalar()
        if role is None:
            raise UnknownIdError(f"unknown user '{name}'", hint="add it with 'linewise user add'")
        return User(name, check_role(role))

    def users(self) -> list[User]:
        with self.store.reading() as conn:
            rows = conn.execute(
                select(web_users.c.name, web_users.c.role).order_by(web_users.c.name)
            ).all()
        return [User(n, check_role(r)) for n, r in rows]

    def login(self, name: str, password: str) -> User | None:
        """The user when the password is right, else None (same answer for a wrong name)."""
        with self.store.reading() as conn:
            row = conn.execute(
                select(web_users.c.role, web_users.c.hash).where(web_users.c.name == name)
            ).first()
        if row is None:
            _hasher.hash(password)  # the same work whether or not the name exists
            return None
        try:
            _hasher.verify(row.hash, password)
        except (VerificationError, InvalidHashError):
            return None
        return User(name, check_role(row.role))

    def new_token(self, name: str, label: str = "") -> str:
        """A new API bearer token for a user; only its digest is kept."""
        self.user(name)
        token = "lw_" + secrets.token_urlsafe(32)
        with self.store.writing() as conn:
            conn.execute(
                insert(web_tokens).values(
                    digest=digest(token), name=name, label=label, created_at=now()
                )
            )
        return token

    def token_user(self, token: str) -> User | None:
        with self.store.reading() as conn:
            row = conn.execute(
                select(web_users.c.name, web_users.c.role)
                .join(web_tokens, web_tokens.c.name == web_users.c.name)
                .where(web_tokens.c.digest == digest(token))
            ).first()
        return None if row is None else User(row.name, check_role(row.role))

    def portal_key(self, case_id: str) -> str:
        """An unguessable key that lets one portal session read its own case only."""
        key = secrets.token_urlsafe(24)
        with self.store.writing() as conn:
            conn.execute(
                insert(web_portal).values(digest=digest(key), case_id=case_id, created_at=now())
            )
        return key

    def portal_case(self, key: str) -> str | None:
        with self.store.reading() as conn:
            found = conn.execute(
                select(web_portal.c.case_id).where(web_portal.c.digest == digest(key))
            ).scalar()
        return None if found is None else str(found)

    def ping(self) -> None:
        with self.store.reading() as conn:
            conn.execute(select(func.count()).select_from(web_users)).scalar()

    def secret(self, legacy: Path | None = None) -> str:
        """The store's cookie secret, shared by every server on it: made once (from the
        legacy `secret` file when there is one, else at random); the first writer wins."""
        with self.store.reading() as conn:
            kept = _meta(conn, SECRET_KEY)
        if kept:
            return kept
        value = _legacy_secret(legacy) or secrets.token_urlsafe(48)
        with self.store.writing() as conn:
            conn.execute(
                _insert(conn, meta)
                .values(key=SECRET_KEY, value=value)
                .on_conflict_do_nothing(index_elements=["key"])
            )
            return str(_meta(conn, SECRET_KEY))

    def _import(self, legacy: Path) -> None:
        """Copy the accounts of an earlier version's `accounts.sqlite3` in, once."""
        if self.store.readonly or not legacy.is_file():
            return
        with self.store.reading() as conn:
            if _meta(conn, IMPORTED_KEY) is not None:
                return
        tables = _read_legacy(legacy)
        with self.store.writing() as conn:
            if _meta(conn, IMPORTED_KEY) is not None:  # another server imported it meanwhile
                return
            for table, rows in tables:
                for row in rows:
                    conn.execute(_insert(conn, table).values(**row).on_conflict_do_nothing())
            conn.execute(insert(meta).values(key=IMPORTED_KEY, value=str(legacy)))


def _insert(conn: Connection, table: Table) -> Any:
    """An INSERT with ON CONFLICT for the store's dialect."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _meta(conn: Connection, key: str) -> str | None:
    value = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
    return None if value is None else str(value)


def _legacy_secret(path: Path | None) -> str | None:
    if path is None or not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if len(text) >= 32 else None


def _read_legacy(path: Path) -> list[tuple[Table, list[dict[str, Any]]]]:
    """The rows of a legacy accounts file (read-only; a damaged one is a clear error)."""
    out: list[tuple[Table, list[dict[str, Any]]]] = []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            have = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            for table in (web_users, web_tokens, web_portal):
                if table.name not in have:
                    continue
                names = [c.name for c in table.columns]
                cursor = db.execute(f"SELECT {', '.join(names)} FROM {table.name}")
                out.append((table, [dict(zip(names, r, strict=True)) for r in cursor]))
        finally:
            db.close()
    except sqlite3.DatabaseError as err:
        raise StoreError(
            f"cannot import the web accounts from {path}: {err}",
            hint="move the file aside to start without its accounts",
        ) from err
    return out


__all__ = ["ROLES", "Accounts", "Role", "StoreError", "User"]
