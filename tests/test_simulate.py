"""`linewise cases simulate`: a seeded history worked by the real session, the same for any jobs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cases.model import Case
from cases.simulate import simulate
from cases.store import open_store
from cli.main import cli
from rules.knowledge import KnowledgeBase


def _history(path: Path, count: int, seed: int, jobs: int) -> list[Case]:
    store = open_store(path)
    try:
        simulate(store, count, seed, jobs=jobs)
        return list(store.iter_cases())
    finally:
        store.close()


def _shape(cases: list[Case]) -> list[object]:
    return [(c.intake, [e.model_dump() for e in c.events]) for c in cases]


def test_same_seed_same_history_for_any_number_of_workers(tmp_path: Path) -> None:
    one = _history(tmp_path / "a.sqlite3", 70, 5, jobs=1)
    two = _history(tmp_path / "b.sqlite3", 70, 5, jobs=2)
    assert _shape(one) == _shape(two)
    other = _history(tmp_path / "c.sqlite3", 70, 6, jobs=1)
    assert _shape(other) != _shape(one)


def test_cases_are_real_sessions(tmp_path: Path, shipped_kb: KnowledgeBase) -> None:
    cases = _history(tmp_path / "h.sqlite3", 40, 11, jobs=1)
    assert len(cases) == 40
    statuses = {c.status for c in cases}
    assert "resolved" in statuses and "escalated" in statuses
    for case in cases:
        kinds = [e.kind for e in case.events]
        assert kinds[:2] == ["opened", "session_started"]
        assert case.intake["service_form"] in ("warranty", "paid", "premium", "self_service")
        times = [e.at for e in case.events]
        assert times == sorted(times), case.id
        asked = [(e.line, e.question) for e in case.events if e.kind in ("answer", "unknown")]
        assert len(asked) == len(set(asked)), f"{case.id} asked a question twice"
        assert all(q in shipped_kb.questions for _, q in asked)
        if case.status == "resolved":
            assert kinds[-1] == "fix_worked"


def test_cli_writes_the_store_and_reports(tmp_path: Path) -> None:
    store = tmp_path / "cli.sqlite3"
    args = ["cases", "simulate", "--count", "30", "--seed", "2", "--store", str(store), "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["cases"] == 30 and data["first"] == "C-000001" and data["last"] == "C-000030"
    assert sum(data["statuses"].values()) == 30
    text = CliRunner().invoke(cli, ["report", "--store", str(store)])
    assert text.exit_code == 0 and "30 cases" in text.stdout


def test_simulate_never_writes_the_real_store_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    real = tmp_path / "real.sqlite3"
    monkeypatch.setenv("LINEWISE_STORE", str(real))
    result = CliRunner().invoke(cli, ["cases", "simulate", "--count", "3", "--seed", "2"])
    assert result.exit_code == 0, result.output
    own = tmp_path / "data" / "linewise" / "simulated.sqlite3"
    assert str(own) in result.output and not real.exists()
    listed = CliRunner().invoke(cli, ["case", "list", "--store", str(own), "--json"])
    assert [row["simulated"] for row in json.loads(listed.stdout)] == [True, True, True]
    shown = CliRunner().invoke(cli, ["case", "show", "C-000001", "--store", str(own)])
    assert "simulated" in shown.stdout
