"""A stored case as a golden file (`case export`), and replayed with its own versions."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cases import cache
from cases.registry import Registry
from cases.rerun import rerun
from cases.store import open_store
from cli.main import cli
from rules.loader import SHIPPED_DIR
from tests.history import Builder, write_store

WIRED = SHIPPED_DIR / "line1" / "network_wired.yaml"
ANSWERS = [
    ("wired_cable_seated", True),
    ("wired_link_light", False),
    ("wired_neighbours_ok", True),
    ("wired_other_cable_works", True),
]


def _store(tmp_path: Path) -> Path:
    intake = {"service_form": "paid", "channel": "phone", "complaint": "wired_no_network"}
    resolved = Builder(intake).start(1, 1)
    for minute, (question, value) in enumerate(ANSWERS, 2):
        resolved.answer(minute, 1, question, value)
    resolved.add(8, 1, "fix_proposed", fault="wired_cable_faulty")
    resolved.add(9, 1, "fix_worked", fault="wired_cable_faulty")
    escalated = Builder(intake).start(1, 1).answer(2, 1, "wired_cable_seated", True)
    escalated.answer(3, 1, "wired_neighbours_ok", False)
    escalated.escalate(5, 1, 2, "needs_line", fault="wired_switch_outage")
    still_open = Builder(intake).start(1, 1)
    path = tmp_path / "store.sqlite3"
    write_store(path, [resolved, escalated, still_open])
    return path


def test_an_exported_case_replays_as_a_golden_case(tmp_path: Path) -> None:
    store = _store(tmp_path)
    out = tmp_path / "golden"
    for case in ("C-000001", "C-000002"):
        result = CliRunner().invoke(
            cli, ["case", "export", case, "--store", str(store), "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
    text = (out / "wired_no_network" / "c-000002.yaml").read_text(encoding="utf-8")
    assert "escalate: 2" in text and "kind: needs_line" in text
    run = CliRunner().invoke(cli, ["test", str(out), "--json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["passed"] == 2


def test_a_case_without_an_outcome_is_not_exported(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["case", "export", "3", "--store", str(_store(tmp_path))])
    assert result.exit_code == 2
    assert "has no outcome yet" in result.stderr


def test_replay_uses_exactly_the_recorded_versions(tmp_path: Path) -> None:
    store = _store(tmp_path)
    reg = tmp_path / "reg"
    weak = tmp_path / "weak.yaml"
    weak.write_text(
        WIRED.read_text(encoding="utf-8")
        .replace("version: 1.0.0", "version: 1.1.0", 1)
        .replace("certainty: 0.8\n", "certainty: 0.5\n", 1),
        encoding="utf-8",
    )
    registry = Registry(open_store(store))
    registry.publish(weak)  # recorded as published, checks bypassed
    current = tuple(str(p.resolve()) for p in registry.current_files())
    now = rerun(
        cache.compiled(current, 1),
        1,
        {"complaint": "wired_no_network"},
        dict(ANSWERS),
    )
    assert now.kind == "escalate"  # the published 1.1.0 would no longer conclude it
    args = ["case", "replay", "1", "--store", str(store), "--registry", str(reg), "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    (line,) = json.loads(result.stdout)["lines"]
    assert line["packs"] == {"network-wired": "1.0.0"}
    assert line["recorded"] == line["replayed"] == "fault wired_cable_faulty"
    assert line["same"] is True and line["questions"] >= 4
