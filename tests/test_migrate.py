"""Migrations: a store written by the linewise before migrations upgrades in place and
replays identically; the migrated schema is the one defined in cases/tables.py; copies."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import text

from cases import migrate
from cases.store import open_store
from cases.tables import cases, events, metadata
from cli.main import cli

DATA = Path(__file__).resolve().parent / "data" / "store"
V1 = DATA / "v1.sqlite3"  # 12 simulated and 2 guided cases, written by linewise before r0002
EXPECTED: dict[str, Any] = json.loads((DATA / "v1-expected.json").read_text(encoding="utf-8"))


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def _without_new_fields(shown: dict[str, Any]) -> dict[str, Any]:
    """`case show --json` less what r0002 added (agent, channel, simulated)."""
    out = {k: v for k, v in shown.items() if k != "simulated"}
    out["events"] = [
        {k: v for k, v in e.items() if k not in ("agent", "channel")} for e in shown["events"]
    ]
    return out


def _assert_replays_identically(store: str) -> None:
    for case_id, expected in sorted(EXPECTED.items()):
        shown = _run("case", "show", case_id, "--store", store, "--json")
        assert shown.exit_code == 0, shown.output
        assert _without_new_fields(json.loads(shown.stdout)) == expected["show"], case_id
        replayed = _run("case", "replay", case_id, "--store", store, "--json")
        assert replayed.exit_code == expected["replay_exit"], replayed.output
        assert json.loads(replayed.stdout) == expected["replay"], case_id


def test_an_old_sqlite_store_upgrades_in_place_and_replays_identically(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    shutil.copy(V1, path)
    result = _run("store", "migrate", "--store", str(path))
    assert result.exit_code == 0, result.output
    assert f"upgraded the case store {path} from schema r0001 to {migrate.head()}" in result.output
    _assert_replays_identically(str(path))
    rows = {r.id: r for r in open_store(path).list_cases()}
    assert len(rows) == 14 and rows["C-000013"].status == "resolved"
    assert rows["C-000007"].line == 3 and rows["C-000001"].complaint == "slow_computer"
    again = _run("store", "migrate", "--store", str(path))
    assert "is up to date" in again.output


def test_an_old_sqlite_store_upgrades_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    shutil.copy(V1, path)
    assert open_store(path).load("C-000013").status == "resolved"
    db = sqlite3.connect(str(path))
    assert db.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == ("2",)
    assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (migrate.head(),)


def test_an_old_postgres_store_upgrades_and_replays_identically(postgres_url: str) -> None:
    """The same old store, as it would sit in PostgreSQL at r0001, upgraded by the command."""
    fresh = open_store(postgres_url)
    with fresh.engine.begin() as conn:
        metadata.drop_all(conn)  # every table of the current schema, whatever it has
        conn.execute(text("DROP TABLE alembic_version"))
        cfg = migrate._config(conn)
        command.upgrade(cfg, migrate.LEGACY)
        conn.execute(text("DROP TABLE alembic_version"))  # as a pre-migration store
        old = sqlite3.connect(str(V1))
        old.row_factory = sqlite3.Row
        for table in (cases, events):
            rows = [dict(r) for r in old.execute(f"SELECT * FROM {table.name}")]
            conn.execute(text(_insert_sql(table.name, rows[0])), rows)
        conn.execute(text("SELECT setval('cases_num_seq', 14)"))
    fresh.close()
    refused = _run("case", "list", "--store", postgres_url)
    assert refused.exit_code == 4 and "linewise store migrate" in refused.output
    result = _run("store", "migrate", "--store", postgres_url)
    assert result.exit_code == 0, result.output
    assert "from schema r0001" in result.output
    _assert_replays_identically(postgres_url)
    assert open_store(postgres_url).create({}, "2026-12-01T10:00:00+00:00") == "C-000015"


def _insert_sql(table: str, row: dict[str, Any]) -> str:
    names = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    return f"INSERT INTO {table} ({names}) VALUES ({values})"


def test_the_migrated_schema_is_the_defined_one(store_url: str) -> None:
    store = open_store(store_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_a_linewise_from_before_migrations_refuses_a_new_store(tmp_path: Path) -> None:
    """The old code compared meta 'schema' with "1"; r0002 writes "2"."""
    path = tmp_path / "new.sqlite3"
    open_store(path).close()
    db = sqlite3.connect(str(path))
    assert db.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == ("2",)


def test_store_copy_moves_everything_and_keeps_ids(tmp_path: Path, store_url: str) -> None:
    old = tmp_path / "old.sqlite3"
    shutil.copy(V1, old)
    before = _run("report", "--json", "--store", str(old))  # also upgrades it: digests
    result = _run("store", "copy", str(old), store_url)
    assert result.exit_code == 0, result.output
    assert "copied 14 cases" in result.output
    _assert_replays_identically(store_url)
    after = _run("report", "--json", "--store", store_url)  # digests and marks came along
    assert before.exit_code == after.exit_code == 0 and before.output == after.output
    assert open_store(store_url).create({}, "2026-12-01T10:00:00+00:00") == "C-000015"
    again = _run("store", "copy", str(old), store_url)
    assert again.exit_code == 2 and "already holds 15 cases" in again.output


@pytest.mark.parametrize("bad", ["nope://x", "postgresql://u:pw@127.0.0.1:1/x"])
def test_store_commands_fail_clearly(bad: str) -> None:
    result = _run("store", "migrate", "--store", bad)
    assert result.exit_code == 4 and "Traceback" not in result.output
    assert "pw@" not in result.output


def test_the_revisions_read_from_file_headers_are_alembics_own() -> None:
    """`case show` reads the schema chain from the migration headers (alembic's loader is
    too slow to start with); it must be exactly the chain alembic itself walks."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate._config())
    assert migrate.head() == script.get_current_head()
    assert migrate.known() == {s.revision for s in script.walk_revisions()}
    assert migrate._chain() == {s.revision: s.down_revision for s in script.walk_revisions()}


def test_a_read_only_store_check_does_not_load_alembic(tmp_path: Path) -> None:
    """Reading a store (case show, case list) never imports alembic: it costs ~0.3 s."""
    import subprocess
    import sys

    store = tmp_path / "cases.sqlite3"
    open_store(str(store)).close()
    code = (
        "import sys; from cases.store import open_reader; "
        f"open_reader({str(store)!r}).close(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_store_copy_refuses_a_source_that_does_not_exist(tmp_path: Path) -> None:
    """A mistyped source path is refused by name; nothing is created on either side."""
    missing = tmp_path / "cases-typo.sqlite3"
    target = tmp_path / "new.sqlite3"
    result = _run("store", "copy", str(missing), str(target))
    assert result.exit_code == 4, result.output
    assert str(missing) in result.output and "Traceback" not in result.output
    assert not missing.exists() and not target.exists()
