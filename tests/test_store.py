"""The case store on both backends: events kept in order, ids from the database, filters,
clear errors for locked, full, damaged, unreachable or newer stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from cases.case_filter import CaseFilter
from cases.database import resolve
from cases.model import Event
from cases.store import SQLStore, StoreError, default_path, normalise_id, open_store
from cli.main import cli
from rules.errors import UnknownIdError


def _event(kind: str = "answer", **fields: object) -> Event:
    return Event(at="2025-01-01T10:00:00+00:00", line=1, kind=kind, **fields)  # type: ignore[arg-type]


def test_cases_and_events_round_trip(store_url: str) -> None:
    store = open_store(store_url)
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
    assert store.list_cases(limit=1)[0].id == second
    store.close()


def test_sqlite_store_uses_wal(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite3")
    store.create({}, "2025-01-01T10:00:00+00:00")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_ids_are_forgiving() -> None:
    assert normalise_id("7") == normalise_id("c-7") == normalise_id("C-000007") == "C-000007"


def test_unknown_case_has_did_you_mean(store_url: str) -> None:
    store = open_store(store_url)
    store.create({}, "2025-01-01T10:00:00+00:00")
    with pytest.raises(UnknownIdError, match="unknown case 'C-000011'") as err:
        store.load("C-000011")
    assert err.value.hint == "did you mean 'C-000001'?"


def test_each_event_says_who_and_where(store_url: str) -> None:
    store = open_store(store_url)
    ident = store.create(
        {"complaint": "x"}, "2025-01-01T10:00:00+00:00", agent="anna", channel="web"
    )
    store.append(ident, _event(question="q", value=True, agent="boris", channel="terminal"))
    events = store.load(ident).events
    assert [(e.agent, e.channel) for e in events] == [("anna", "web"), ("boris", "terminal")]
    row = store.list_cases()[0]
    assert row.agent == "boris" and row.complaint == "x"


def test_case_list_filters_in_sql(store_url: str) -> None:
    store = open_store(store_url)
    a = store.create(
        {"complaint": "wifi_drops", "service_form": "premium"},
        "2025-01-01T10:00:00+00:00",
        agent="anna",
    )
    b = store.create(
        {"complaint": "wired_no_network", "service_form": "paid"},
        "2025-01-03T10:00:00+00:00",
        agent="boris",
    )
    store.append(b, _event("quit", reason="left", agent="boris"))
    simulated = store.import_cases(
        [
            (
                {"complaint": "wifi_drops"},
                [Event(at="2025-01-02T09:00:00+00:00", line=1, kind="opened")],
            )
        ],
        simulated=True,
    )

    def ids(**given: object) -> list[str]:
        return [r.id for r in store.list_cases(where=CaseFilter(**given))]  # type: ignore[arg-type]

    assert ids() == [simulated[0], b, a]
    assert ids(agent="anna") == [a]
    assert ids(status="abandoned") == [b]
    assert ids(status="open", line=1) == [simulated[0], a]
    assert ids(service_form="premium") == [a]
    assert ids(complaint="wifi_drops", simulated=False) == [a]
    assert ids(simulated=True) == simulated
    assert ids(opened_from="2025-01-02", opened_until="2025-01-02") == simulated
    assert ids(opened_until="2025-01-01") == [a]
    assert store.load(simulated[0]).simulated and not store.load(a).simulated


def test_ids_come_from_the_database_across_stores(store_url: str) -> None:
    """Two open stores (two processes, two machines) on one database never share an id."""
    one, two = open_store(store_url), open_store(store_url)
    made = [s.create({}, "2025-01-01T10:00:00+00:00") for s in (one, two, one, two)]
    assert made == ["C-000001", "C-000002", "C-000003", "C-000004"]


def test_store_location_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINEWISE_STORE", str(tmp_path / "env.sqlite3"))
    assert open_store().location == str(tmp_path / "env.sqlite3")
    monkeypatch.setenv("LINEWISE_STORE", f"sqlite:///{tmp_path / 'url.sqlite3'}")
    assert open_store().location == str(tmp_path / "url.sqlite3")
    monkeypatch.delenv("LINEWISE_STORE")
    assert default_path().name == "cases.sqlite3" and "linewise" in str(default_path())


def test_an_unknown_kind_of_store_is_refused() -> None:
    with pytest.raises(StoreError, match="cannot keep cases in a 'mysql' store"):
        resolve("mysql://u@h/db")


def test_a_damaged_store_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database" * 200)
    result = CliRunner().invoke(cli, ["case", "list", "--store", str(path)])
    assert result.exit_code == 4
    assert "damaged or not a linewise store" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("made", ["empty file", "database without tables"])
def test_a_store_interrupted_while_being_created_is_set_up_on_next_use(
    tmp_path: Path, made: str
) -> None:
    """A SIGTERM while a store is being created leaves a file with no tables (creating the
    schema is one transaction): readers and writers set it up instead of refusing it."""
    for command in (["case", "list"], ["report", "--json"], ["cases", "simulate", "--count", "3"]):
        path = tmp_path / f"{command[0]}-{command[1]}.sqlite3"
        if made == "empty file":
            path.write_bytes(b"")
        else:
            db = sqlite3.connect(str(path))
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA user_version = 0")
            db.close()
        result = CliRunner().invoke(cli, [*command, "--store", str(path)])
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        assert open_store(path, readonly=True).count() == (3 if command[0] == "cases" else 0)


def test_a_full_disk_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "full.sqlite3"
    store = open_store(path)
    case_id = store.create({}, "2025-01-01T10:00:00+00:00")
    db = sqlite3.connect(str(path))
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.close()

    from sqlalchemy import event

    @event.listens_for(store.engine, "connect")
    def _cap(dbapi: sqlite3.Connection, _record: object) -> None:
        dbapi.execute(f"PRAGMA max_page_count = {pages + 2}")

    store.engine.dispose()  # pooled connections reopen with the cap

    with pytest.raises(StoreError, match="database or disk is full") as err:
        for _ in range(200):
            store.append(case_id, _event(reason="x" * 4000))
    assert err.value.exit_code == 4 and "free some disk space" in (err.value.hint or "")
    # everything saved before is kept, and no event is half-written
    events = open_store(path).load(case_id).events
    assert events[0].kind == "opened"
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


def test_a_locked_store_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    store = open_store(path)
    case_id = store.create({}, "2025-01-01T10:00:00+00:00")
    blocker = sqlite3.connect(str(path), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    from sqlalchemy import event

    @event.listens_for(store.engine, "connect")
    def _short(dbapi: sqlite3.Connection, _record: object) -> None:
        dbapi.execute("PRAGMA busy_timeout = 50")

    store.engine.dispose()

    try:
        with pytest.raises(StoreError, match="locked by another process"):
            store.append(case_id, _event())
    finally:
        blocker.execute("ROLLBACK")
    assert store.append(case_id, _event()).seq == 2


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot create the folder"):
        open_store(blocker / "sub" / "cases.sqlite3")


def test_an_unreachable_database_hides_the_password() -> None:
    url = "postgresql://agent:s3cret-pw@127.0.0.1:1/linewise"
    result = CliRunner().invoke(cli, ["case", "list", "--store", url])
    assert result.exit_code == 4, result.output
    assert "cannot reach the case store postgresql://agent:***@127.0.0.1:1/linewise" in (
        result.output
    )
    assert "s3cret-pw" not in result.output and "Traceback" not in result.output


def test_a_store_from_a_newer_linewise_is_refused(store_url: str) -> None:
    store = open_store(store_url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'r9999'"))
    store.close()
    result = CliRunner().invoke(cli, ["case", "list", "--store", store_url])
    assert result.exit_code == 4
    assert "written by a newer linewise (schema r9999" in result.output
    assert "Traceback" not in result.output


def test_a_lost_connection_is_a_store_error_and_nothing_is_half_written(
    postgres_url: str,
) -> None:
    store = open_store(postgres_url)
    case_id = store.create({}, "2025-01-01T10:00:00+00:00")
    killer = open_store(postgres_url)
    from sqlalchemy import event

    @event.listens_for(store.engine, "before_cursor_execute")
    def _cut(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("INSERT INTO events"):
            with killer.engine.connect() as other:
                other.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                    "AND application_name = 'linewise'"
                )
                other.commit()

    with pytest.raises(StoreError, match="lost the connection to the case store") as err:
        store.append(case_id, _event())
    assert "nothing half-written" in (err.value.hint or "")
    event.remove(store.engine, "before_cursor_execute", _cut)
    assert [e.kind for e in open_store(postgres_url).load(case_id).events] == ["opened"]
    assert store.append(case_id, _event()).seq == 2  # the pool reconnects


def test_postgres_store_shows_no_password(postgres_url: str) -> None:
    from sqlalchemy.engine import make_url

    with_password = make_url(postgres_url).set(password="hunter22").render_as_string(False)
    store = SQLStore(resolve(with_password))
    assert "hunter22" not in store.location and "***" in store.location


def test_a_read_only_postgres_database_is_a_clear_error(postgres_url: str) -> None:
    store = open_store(postgres_url)
    case_id = store.create({}, "2025-01-01T10:00:00+00:00")
    from sqlalchemy import event

    @event.listens_for(store.engine, "connect")
    def _read_only(dbapi: object, _record: object) -> None:
        cursor = dbapi.cursor()  # type: ignore[attr-defined]
        cursor.execute("SET default_transaction_read_only = on")
        cursor.close()
        dbapi.commit()  # type: ignore[attr-defined]

    store.engine.dispose()
    with pytest.raises(StoreError, match="cannot be written") as err:
        store.append(case_id, _event())
    assert err.value.exit_code == 4
    assert [e.kind for e in open_store(postgres_url).load(case_id).events] == ["opened"]
