"""Commands that only read: never the write lock, a read-only store can be read, a store
that does not exist is refused, and `store check` finds a damaged page."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mounts import remount_read_only, small_tmpfs
from sqlalchemy import exc

from cases.model import Event
from cases.store import MissingStore, SQLiteStore, open_reader
from cli.main import cli

AT = "2026-03-02T09:00:00+00:00"
READERS = [
    ["case", "list"],
    ["case", "show", "C-000002"],
    ["report", "--json"],
    ["store", "check"],
]


def _history(path: Path, cases: int = 3, answers: int = 4) -> SQLiteStore:
    """A store with a few cases, each opened, started and answered."""
    store = SQLiteStore(path)
    for number in range(cases):
        events = [
            Event(at=AT, line=1, kind="opened", data={"intake": {"complaint": "wired_no_network"}}),
            Event(at=AT, line=1, kind="session_started", data={"packs": {"network-wired": "1"}}),
        ]
        events += [
            Event(at=AT, line=1, kind="answer", question=f"q{n}", value=f"c{number}-{n}" * 20)
            for n in range(answers)
        ]
        store.import_cases([({"complaint": "wired_no_network", "customer": f"c{number}"}, events)])
    return store


def _read(args: list[str], store: Path) -> Result:
    return CliRunner().invoke(cli, [*args, "--store", str(store)])


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_readers_work_while_another_process_holds_the_write_lock(
    tmp_path: Path, args: list[str]
) -> None:
    path = tmp_path / "busy.sqlite3"
    _history(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"db = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
            "db.execute('BEGIN IMMEDIATE')\n"
            "db.execute(\"UPDATE meta SET value = value WHERE key = 'schema'\")\n"
            "print('locked', flush=True)\n"
            "time.sleep(15)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        blocked = sqlite3.connect(str(path), timeout=0.1, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):  # the lock is real
            blocked.execute("BEGIN IMMEDIATE")
        blocked.close()
        began = time.monotonic()
        result = _read(args, path)
        took = time.monotonic() - began
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 0, result.output
    assert took < 10, f"'{' '.join(args)}' waited {took:.1f}s for the write lock"


@pytest.mark.slow
def test_readers_work_on_a_read_only_file_system(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "ro", 1024) as disk:
        path = disk / "cases.sqlite3"
        _history(path).close()
        remount_read_only(disk)
        for args in READERS:
            result = _read(args, path)
            assert result.exit_code == 0, f"{args}: {result.output}"
        listed = json.loads(_read(["case", "list", "--json"], path).stdout)
        assert [row["id"] for row in listed] == ["C-000003", "C-000002", "C-000001"]
        writing = CliRunner().invoke(
            cli, ["resume", "C-000001", "--store", str(path)], input="quit\n"
        )
        assert writing.exit_code == 4, writing.output
        assert "read-only" in writing.output or "cannot open" in writing.output


def test_a_reader_never_writes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _history(path).close()
    before = path.read_bytes()
    reader = open_reader(path)
    assert [c.id for c in reader.list_cases()] == ["C-000003", "C-000002", "C-000001"]
    with pytest.raises(exc.OperationalError, match="readonly"), reader.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM events")
    reader.close()
    assert path.read_bytes() == before


def test_a_missing_store_is_refused_with_the_likely_one(tmp_path: Path) -> None:
    _history(tmp_path / "history.sqlite3").close()
    for args in READERS:
        result = _read(args, tmp_path / "histroy.sqlite3")
        assert result.exit_code == 4, result.output
        assert f"no case store at {tmp_path / 'histroy.sqlite3'} (given with --store)" in (
            result.output
        )
        assert f"did you mean '{tmp_path / 'history.sqlite3'}'?" in result.output
    assert not (tmp_path / "histroy.sqlite3").exists()
    with pytest.raises(MissingStore, match="from \\$LINEWISE_STORE"):
        open_reader()  # the test's own store: nothing has been stored yet
    nowhere = CliRunner().invoke(cli, ["report", "--store", str(tmp_path / "no" / "x.sqlite3")])
    assert nowhere.exit_code == 4 and "the folder" in nowhere.output


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    result = _read(["case", "list"], other)
    assert result.exit_code == 4
    assert "is not a linewise case store" in result.output


def test_store_check_passes_a_sound_store(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _history(path).close()
    result = _read(["store", "check"], path)
    assert result.exit_code == 0, result.output
    assert "3 cases, 18 events" in result.output and "ok:" in result.output


def test_store_check_finds_a_damaged_page(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _history(path, cases=40, answers=12).close()
    size = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    pages = len(data) // size
    assert pages > 8
    damaged = pages - 3  # a page of the events table, far from the schema
    data[damaged * size : damaged * size + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))
    result = _read(["store", "check"], path)
    assert result.exit_code == 1, result.output
    assert "is damaged" in result.output and "Traceback" not in result.output
    as_json = _read(["store", "check", "--json"], path)
    report = json.loads(as_json.stdout)
    assert report["ok"] is False and report["problems"]
    assert any(p["where"] == "sqlite" for p in report["problems"])


def test_store_check_finds_a_case_that_does_not_replay(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = _history(path, cases=1)
    store.append("C-000001", Event(at=AT, line=1, kind="back", question="q1"))  # q3 was last
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE cases SET status = 'resolved'")
    store.close()
    result = _read(["store", "check"], path)
    assert result.exit_code == 1, result.output
    assert "C-000001: event 7 takes back q1, but the last answer on Line 1 is q3" in result.output
    assert "the cases table says resolved at Line 1, its events say open" in result.output


def test_store_check_on_garbage_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"not a database at all " * 100)
    result = _read(["store", "check"], path)
    assert result.exit_code == 4, result.output
    assert "damaged or not a linewise store" in result.output
