"""`linewise cases simulate`: a seeded history worked by the real session, the same for any jobs."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cases.model import Case
from cases.simulate import simulate
from cases.store import SQLiteStore
from cli.main import cli
from rules.knowledge import KnowledgeBase


def _history(path: Path, count: int, seed: int, jobs: int) -> list[Case]:
    store = SQLiteStore(path)
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
