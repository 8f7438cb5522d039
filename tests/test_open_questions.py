"""Non-interactive diagnosis lists as open questions only those that can still change the
outcome (issue 16 item 11): the guided session's candidates, never a question whose
rules a `stop` rule that holds shadows, or whose faults are ruled out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from cases.golden import golden_files
from cli.main import cli
from engine.answers import read_case_input, to_facts
from engine.compile import CompiledKnowledge
from engine.diagnose import diagnose
from engine.possible import focus_packs, relevant_questions


def _diagnose(tmp_path: Path, intake: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump({"intake": intake, "answers": answers}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["diagnose", "--answers", str(path), "--json"])
    assert result.exit_code == 0, result.output
    outcome: dict[str, Any] = json.loads(result.stdout)["outcome"]
    return outcome


def test_a_question_a_stop_rule_shadows_is_not_open(tmp_path: Path) -> None:
    """Caps Lock is firm (a `stop` rule holds): the password's age feeds only rules it
    shadows, so it can no longer change the outcome."""
    answers = {
        "acct_caps_layout_ok": False,
        "acct_error_msg": "wrong_password",
        "acct_identity_verified": True,
        "acct_failed_attempts": 2,
    }
    outcome = _diagnose(tmp_path, {"complaint": "acct_cannot_sign_in"}, answers)
    assert outcome["kind"] == "fault" and outcome["fault"] == "acct_caps_layout"
    assert outcome["open_questions"] == []


def test_open_questions_shrink_to_what_still_matters(tmp_path: Path) -> None:
    intake = {"complaint": "wired_no_network"}
    first = _diagnose(tmp_path, intake, {"wired_cable_seated": True})
    assert first["kind"] == "incomplete" and "wired_link_light" in first["open_questions"]
    later = _diagnose(tmp_path, intake, {"wired_cable_seated": True, "wired_link_light": False})
    assert set(later["open_questions"]) < set(first["open_questions"])


def _states() -> list[tuple[int, dict[str, Any], Any]]:
    states = []
    for path in golden_files():
        loaded = read_case_input(path)
        keys = list(loaded.case.answers)
        for drop in range(len(keys)):
            answers = {k: loaded.case.answers[k] for k in keys[: len(keys) - drop]}
            states.append((loaded.case.line, answers, loaded))
    return states


def test_every_open_question_is_one_the_guided_session_could_ask(
    line1: CompiledKnowledge,
) -> None:
    """Over every Line 1 golden case with its last answers not yet given."""
    seen = 0
    for line, answers, loaded in _states():
        if line != 1:
            continue
        facts = to_facts(line1.kb, loaded.case.intake, answers, loaded.source)
        diagnosis = diagnose(line1, facts, line=1)
        known = {f["key"]: f["value"] for f in diagnosis.facts}
        relevant = relevant_questions(line1, known, (), focus_packs(line1, known))
        assert set(diagnosis.outcome.open_questions) <= set(relevant)
        seen += 1
    assert seen > 100
