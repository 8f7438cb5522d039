"""The SQLite case store: events kept in order, clear errors for locked, full or damaged stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from cases.model import Event
from cases.store import SQLiteStore, StoreError, default_path, normalise_id, open_store
from cli.main import cli
from rules.errors import UnknownIdError


def _event(kind: str = "answer", **fields: object) -> Event:
    return Event(at="2025-01-01T10:00:00+00:00", line=1, kind=kind, **fields)  # type: ignore[arg-type]


def test_cases_and_events_round_trip(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    first = store.create({"complaint": "wired_no_network"}, "2025-01-01T10:00:00+00:00")
    second = store.create({"customer": "B"}, "2025-01-01T10:01:00+00:00")
    assert (first, second) == ("C-000001", "C-000002")
    stored = store.append(first, _event(question="wired_link_light", value=False, cost=1))
    assert stored.seq == 2
    store.append(first, _event("quit", reason="the agent quit"))
    case = store.load("1")
    assert [e.kind for e in case.events] == ["opened", "answer", "quit"]
    assert case.status == "abandoned" and case.intake == {"complaint": "wired_no_network"}
    assert [row.id for row in store.list_cases()] == [second, first]
    assert store.list_cases()[1].status == "abandoned"
    mode = store._db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_ids_are_forgiving() -> None:
    assert normalise_id("7") == normalise_id("c-7") == normalise_id("C-000007") == "C-000007"


def test_unknown_case_has_did_you_mean(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    store.create({}, "2025-01-01T10:00:00+00:00")
    with pytest.raises(UnknownIdError, match="unknown case 'C-000011'") as err:
        store.load("C-000011")
    assert err.value.hint == "did you mean 'C-000001'?"


def test_store_location_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINEWISE_STORE", str(tmp_path / "env.sqlite3"))
    assert default_path() == tmp_path / "env.sqlite3"
    assert open_store().location == str(tmp_path / "env.sqlite3")
    monkeypatch.delenv("LINEWISE_STORE")
    assert default_path().name == "cases.sqlite3" and "linewise" in str(default_path())


def test_a_damaged_store_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database" * 200)
    result = CliRunner().invoke(cli, ["case", "list", "--store", str(path)])
    assert result.exit_code == 4
    assert "damaged or not a linewise store" in result.output
    assert "Traceback" not in result.output


def test_a_full_disk_is_a_clear_error(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "full.sqlite3")
    case_id = store.create({}, "2025-01-01T10:00:00+00:00")
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="database or disk is full") as err:
        for _ in range(200):
            store.append(case_id, _event(reason="x" * 4000))
    assert err.value.exit_code == 4 and "free some disk space" in (err.value.hint or "")
    # everything saved before is kept
    assert store.load(case_id).events[0].kind == "opened"


def test_a_locked_store_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.sqlite3"
    store = SQLiteStore(path)
    case_id = store.create({}, "2025-01-01T10:00:00+00:00")
    blocker = sqlite3.connect(str(path), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        store._db.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(StoreError, match="locked by another process"):
            store.append(case_id, _event())
    finally:
        blocker.execute("ROLLBACK")
    assert store.append(case_id, _event()).seq == 2


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot create the folder"):
        SQLiteStore(blocker / "sub" / "cases.sqlite3")
