"""Web accounts and the cookie secret live in the case store: every server on one store
(SQLite or PostgreSQL) shares them, and the sibling files of earlier versions are imported."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from web.accounts import Accounts, digest

LEGACY_SCHEMA = """
CREATE TABLE web_users (name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE web_tokens (digest TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES web_users(name),
    label TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE web_portal (digest TEXT PRIMARY KEY, case_id TEXT NOT NULL, created_at TEXT NOT NULL);
"""


def _legacy_file(path: Path, hashed: str) -> None:
    """An `accounts.sqlite3` as the earlier web/accounts.py wrote it."""
    db = sqlite3.connect(str(path))
    db.executescript(LEGACY_SCHEMA)
    db.execute("INSERT INTO web_users VALUES ('olga', 'line2', ?, 'then')", (hashed,))
    db.execute("INSERT INTO web_tokens VALUES (?, 'olga', 'cli', 'then')", (digest("lw_old"),))
    db.execute("INSERT INTO web_portal VALUES (?, 'C-000001', 'then')", (digest("pk_old"),))
    db.commit()
    db.close()


def test_two_servers_on_one_store_share_accounts_and_the_secret(
    store_url: str, tmp_path: Path
) -> None:
    one = Accounts.open(store_url)
    two = Accounts.open(store_url)  # another `linewise serve` on the same store
    try:
        one.add_user("anna", "correct horse", "line1")
        assert two.login("anna", "correct horse") is not None
        assert two.login("anna", "wrong password") is None
        token = two.new_token("anna", "script")
        assert one.token_user(token) is not None and one.token_user(token).name == "anna"  # type: ignore[union-attr]
        key = one.portal_key("C-000007")
        assert two.portal_case(key) == "C-000007"
        first = one.secret()
        assert len(first) >= 32 and two.secret() == first
        one.add_user("anna", "another secret", "manager")  # a new password and role
        assert two.user("anna").role == "manager"
    finally:
        one.close()
        two.close()


def test_the_accounts_file_and_secret_of_earlier_versions_are_imported_once(
    store_url: str, tmp_path: Path
) -> None:
    seed = Accounts.open(tmp_path / "seed.sqlite3")
    seed.add_user("olga", "olga's password", "line2")
    hashed = seed.store.engine.connect().exec_driver_sql("SELECT hash FROM web_users").scalar()
    seed.close()
    legacy = tmp_path / "accounts.sqlite3"
    _legacy_file(legacy, str(hashed))
    (tmp_path / "secret").write_text("s" * 40 + "\n")
    accounts = Accounts.open(store_url, legacy=legacy)
    try:
        assert accounts.login("olga", "olga's password") is not None
        assert accounts.token_user("lw_old") is not None
        assert accounts.portal_case("pk_old") == "C-000001"
        assert accounts.secret(tmp_path / "secret") == "s" * 40
        accounts.add_user("olga", "a newer password", "line2")
    finally:
        accounts.close()
    again = Accounts.open(store_url, legacy=legacy)  # the file is not imported twice
    try:
        assert again.login("olga", "a newer password") is not None
        assert [u.name for u in again.users()] == ["olga"]
    finally:
        again.close()
