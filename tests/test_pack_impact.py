"""`pack diff --stored` re-runs only the stored cases a change can touch (the usage index)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.loop_impact import changed_pack
from cases import cache
from cases.impact import pack_versions, replay_impact, stored_answers
from cases.scope import stored_in_scope
from cases.simulate import simulate
from cases.store import open_store
from cases.usage import refresh, unindexed
from cli.main import cli
from rules.loader import SHIPPED_DIR
from tests.history import Builder
from tests.test_pack_diff import WIRED

pytestmark = pytest.mark.slow


def _spare_cable_case(customer: str) -> Builder:
    """A wired case fixed by a spare cable: the changed pack escalates it instead."""
    case = Builder({"service_form": "paid", "complaint": "wired_no_network", "customer": customer})
    case.start(1, 1)
    answers = [
        ("wired_cable_seated", True),
        ("wired_link_light", False),
        ("wired_neighbours_ok", True),
        ("wired_other_cable_works", True),
    ]
    for minute, (question, value) in enumerate(answers, 2):
        case.answer(minute, 1, question, value)
    case.add(8, 1, "fix_proposed", fault="wired_cable_faulty")
    return case.add(9, 1, "fix_worked", fault="wired_cable_faulty")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 simulated cases over the shipped packs' complaints, and two that the change turns."""
    path = tmp_path_factory.mktemp("impact") / "history.sqlite3"
    store = open_store(path)
    try:
        simulate(store, 40, seed=7, jobs=1)
        store.import_cases([_spare_cable_case(who).case() for who in ("Ann", "Bob")])
    finally:
        store.close()
    return path


def _changes(impact_dict: dict[str, object]) -> list[tuple[str, str]]:
    changes = impact_dict["changes"]
    assert isinstance(changes, list)
    return sorted((c["case"], c["change"]) for c in changes if c["source"].startswith("store:"))


def test_selective_replay_finds_what_a_full_replay_finds(history: Path, tmp_path: Path) -> None:
    new = changed_pack(tmp_path / "new")
    versions = pack_versions(WIRED, new, cache.resolve_files(None))
    store = open_store(history)
    try:
        picked, scope = stored_in_scope(store, versions)
        every = stored_answers(store.iter_cases(), 1)
    finally:
        store.close()
    assert scope.reached == len(every) and 0 < scope.touched < scope.reached
    full = replay_impact([], versions.old_files, versions.new_files, stored=every, jobs=1)
    some = replay_impact([], versions.old_files, versions.new_files, stored=picked, jobs=1)
    assert full.changes, "the change must change some stored case for this test to mean much"
    assert _changes(some.as_dict()) == _changes(full.as_dict())
    assert some.errors == full.errors == []


def test_replayed_cases_grow_with_the_touched_cases_only(history: Path, tmp_path: Path) -> None:
    """More untouched history (another complaint) adds nothing to replay; touched cases do."""
    new = changed_pack(tmp_path / "new")
    versions = pack_versions(WIRED, new, cache.resolve_files(None))
    path = tmp_path / "grown.sqlite3"
    path.write_bytes(history.read_bytes())
    store = open_store(path)
    try:
        _, before = stored_in_scope(store, versions)
        printer = Builder({"service_form": "paid", "complaint": "print_not_printing"})
        printer.start(1, 1).answer(2, 1, "print_power_on", True)
        wired = Builder({"service_form": "paid", "complaint": "wired_no_network"})
        wired.start(1, 1).answer(2, 1, "wired_cable_seated", True)
        store.import_cases([printer.case()] * 50 + [wired.case()] * 3)
        assert unindexed(store) == 53
        _, after = stored_in_scope(store, versions)
        assert unindexed(store) == 0
    finally:
        store.close()
    assert after.reached == before.reached + 53
    assert after.touched == before.touched + 3


def test_the_index_follows_new_events(history: Path, tmp_path: Path) -> None:
    """A case that gets more events is indexed again: what it now knows counts."""
    path = tmp_path / "live.sqlite3"
    path.write_bytes(history.read_bytes())
    store = open_store(path)
    try:
        refresh(store)
        case = Builder({"service_form": "paid", "complaint": "print_not_printing"}).start(1, 1)
        (ident,) = store.import_cases([case.case()])
        refresh(store)
        new = changed_pack(tmp_path / "new")
        versions = pack_versions(WIRED, new, cache.resolve_files(None))
        before = {a.case_id for a in stored_in_scope(store, versions)[0]}
        store.append(ident, case.answer(3, 1, "wired_link_light", False).events[-1])
        assert unindexed(store) == 1
        after = {a.case_id for a in stored_in_scope(store, versions)[0]}
    finally:
        store.close()
    assert ident not in before and ident in after


def test_cli_says_how_many_stored_cases_it_reran(history: Path, tmp_path: Path) -> None:
    new = changed_pack(tmp_path / "new")
    path = tmp_path / "cli.sqlite3"
    path.write_bytes(history.read_bytes())
    with sqlite3.connect(path) as db:  # as a store the index has not seen yet
        db.execute("DELETE FROM case_usage_seen")
    golden = str(SHIPPED_DIR.parent / "cases" / "golden" / "network-wired")
    args = ["pack", "diff", str(WIRED), str(new), "--stored", "--store", str(path)]
    text = CliRunner().invoke(cli, [*args, "--cases", golden, "--progress"])
    assert text.exit_code == 0, text.output
    assert "indexing cases: " in text.stderr and "replaying: " in text.stderr
    data = json.loads(CliRunner().invoke(cli, [*args, "--json"]).stdout)["stored"]
    assert f"stored cases: {data['replayed']} of {data['reached']} that reached Line 1" in (
        text.stdout
    )
    assert data["skipped"] > 0


def test_a_mistyped_store_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "hisotry.sqlite3"
    golden = str(SHIPPED_DIR.parent / "cases" / "golden" / "network-wired")
    args = ["pack", "diff", str(WIRED), str(WIRED), "--stored", "--store", str(missing)]
    result = CliRunner().invoke(cli, [*args, "--cases", golden])
    assert result.exit_code == 4 and "no case store" in result.stderr
    assert not missing.exists()
