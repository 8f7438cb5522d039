"""Fix outcomes in golden cases and given answers: a case exported after a fix was tried
replays to exactly its stored outcome, and a failed fix with `when_failed: escalate`
escalates from given answers as it does in a guided session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from cases.desk import Desk
from cases.export import golden_from_case
from cases.memstore import MemoryStore
from cases.store import open_reader
from cli.main import cli
from engine.api import Linewise
from engine.session import Ask, Escalate, ProposeFix
from rules.knowledge import load_knowledge
from tests.dialogue import DIALOGUE, INTAKE, TERMINAL

# what the agent types in a guided session (a fix's note is left empty) -> how it ends
SESSIONS = {
    "fix worked": ("cable\nyes\n", "resolved"),
    "resolved unconfirmed": ("noise\n", "resolved"),
    "optional fix left open": ("jam\nlater\n\n", "resolved"),
    "resolved after a failed fix": ("cable\nno\n\nyes\n", "resolved"),
    "escalated after a failed fix": ("jam\nno\n\n", "escalated"),
    "escalated at once (when_failed)": ("frozen\nno\n\n", "escalated"),
}


def _stored_outcome(store: Path) -> dict[str, Any]:
    reader = open_reader(str(store))
    try:
        return reader.load("1").outcome()
    finally:
        reader.close()


def _expected(outcome: dict[str, Any]) -> dict[str, Any]:
    """What a golden case must expect for a stored outcome."""
    if outcome["status"] == "resolved":
        return {"fault": outcome["fault"]}
    esc = outcome["escalation"]
    return {"escalate": esc["to_line"], "kind": esc["kind"]}


@pytest.mark.parametrize("name", sorted(SESSIONS))
def test_an_exported_session_replays_to_its_stored_outcome(
    name: str, tmp_path: Path, _case_store: Path
) -> None:
    typed, status = SESSIONS[name]
    guided = CliRunner().invoke(cli, TERMINAL, input=typed)
    assert guided.exit_code == 0, guided.output
    stored = _stored_outcome(_case_store)
    assert stored["status"] == status
    out = tmp_path / "golden"
    exported = CliRunner().invoke(cli, ["case", "export", "1", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    (path,) = out.rglob("*.yaml")
    golden = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert golden["expect"] == _expected(stored)
    run = CliRunner().invoke(cli, ["test", str(out), "--packs", str(DIALOGUE), "--json", "-j", "1"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["passed"] == 1
    # the same file as given answers: the same outcome, with the same escalation
    given = CliRunner().invoke(
        cli, ["diagnose", "--packs", str(DIALOGUE), "--answers", str(path), "--json"]
    )
    assert given.exit_code == 0, given.output
    outcome = json.loads(given.stdout)["outcome"]
    if status == "resolved":
        assert (outcome["kind"], outcome["fault"]) == ("fault", stored["fault"])
    else:
        assert outcome["kind"] == "escalate"
        assert outcome["fault"] == stored["fault"]
        for key in ("to_line", "kind", "reason"):
            assert outcome["escalation"][key] == stored["escalation"][key], key


def test_a_failed_fix_is_exported_as_a_fix_outcome(_case_store: Path) -> None:
    guided = CliRunner().invoke(cli, TERMINAL, input="jam\nno\n\n")
    assert guided.exit_code == 0, guided.output
    exported = CliRunner().invoke(cli, ["case", "export", "1"])
    assert exported.exit_code == 0, exported.output
    golden = yaml.safe_load(exported.stdout)
    assert golden["fixes"] == {"demo_jam": "failed"}
    assert golden["answers"] == {"demo_what": "jam"}


# ---- when_failed: escalate with given answers ------------------------------------------

FROZEN = {"intake": INTAKE, "answers": {"demo_what": "frozen"}}


def _given(tmp_path: Path, body: dict[str, Any], *extra: str) -> dict[str, Any]:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["diagnose", "--packs", str(DIALOGUE), "--answers", str(path), "--json", *extra]
    )
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout)["outcome"])


def test_when_failed_escalate_escalates_from_given_answers(tmp_path: Path) -> None:
    guided = CliRunner().invoke(cli, TERMINAL, input="frozen\nno\n\n")
    assert guided.exit_code == 0, guided.output
    handoff = guided.output.split("Handoff from Line 1 to Line 2", 1)[1]
    outcome = _given(tmp_path, {**FROZEN, "fixes": {"demo_firmware": "failed"}})
    assert outcome["kind"] == "escalate" and outcome["fault"] == "demo_firmware"
    esc = outcome["escalation"]
    assert (esc["to_line"], esc["kind"]) == (2, "fix_failed")
    assert esc["reason"] == "The proposed fixes did not work."
    assert esc["reason"] in handoff
    # without the failed fix the firmware hang is proposed; rule_out would go on to the cable
    assert _given(tmp_path, FROZEN)["fault"] == "demo_firmware"


def test_when_failed_escalate_in_text_output(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(
        yaml.safe_dump({**FROZEN, "fixes": {"demo_firmware": "failed"}}), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["diagnose", "--packs", str(DIALOGUE), "--answers", str(path)])
    assert result.exit_code == 0, result.output
    assert "Line 2" in result.output
    assert "The proposed fixes did not work." in result.output
    assert "Reset the device" not in result.output.split("Likely causes")[0]


def test_a_fix_of_fact_given_failed_escalates_too(tmp_path: Path) -> None:
    """The existing answer form (`fix_of` fact) and `-a` behave the same way."""
    packs = tmp_path / "packs"
    packs.mkdir()
    text = (DIALOGUE / "conclusions.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    fix_of: demo_cable\n",
        "    fix_of: demo_cable\n  - id: demo_reset_result\n"
        "    text: {en: The device was reset, ru: Устройство перезагрузили}\n"
        "    fix_of: demo_firmware\n",
        1,
    )
    (packs / "conclusions.yaml").write_text(text, encoding="utf-8")
    args = ["diagnose", "--packs", str(packs), "-a", "demo_what=frozen", "--json"]
    args += ["-i", "complaint=demo_trouble", "-a", "demo_reset_result=failed"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)["outcome"]
    assert outcome["kind"] == "escalate" and outcome["escalation"]["kind"] == "fix_failed"


LINE2 = """id: dialogue-line2
version: 1.0.0
line: 2
title: Dialogue demo at Line 2
requires: [dialogue-demo]
questions:
  - {id: demo_l2_log, text: Is there a crash log?, type: yesno}
faults:
  - {id: demo_l2_crash, title: Crashing service, fix: [Restart the service], line: 2}
rules:
  - id: crash
    when: {all: [{question: demo_what, equals: frozen}, {question: demo_l2_log, equals: yes}]}
    then: [{conclude: demo_l2_crash, certainty: 0.5}]
"""


def _two_lines(tmp_path: Path) -> Path:
    packs = tmp_path / "two-lines"
    packs.mkdir()
    (packs / "conclusions.yaml").write_text(
        (DIALOGUE / "conclusions.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (packs / "line2.yaml").write_text(LINE2, encoding="utf-8")
    return packs


def test_a_fix_tried_on_an_earlier_line_only_rules_the_fault_out(tmp_path: Path) -> None:
    """At Line 2 a fix that failed at Line 1 has already sent the case up: it is not
    sent up again (the guided session at Line 2 starts with it ruled out)."""
    lw = Linewise.load([_two_lines(tmp_path)])
    answers = {"demo_what": "frozen", "demo_l2_log": "no"}
    earlier = lw.diagnose(
        INTAKE, answers, fixes={"demo_firmware": {"outcome": "failed", "line": 1}}, line=2
    )
    assert (earlier.outcome.kind, earlier.outcome.fault) == ("fault", "demo_cable")
    here = lw.diagnose(INTAKE, answers, fixes={"demo_firmware": "failed"}, line=2)
    assert here.outcome.kind == "escalate" and here.outcome.escalation is not None
    assert (here.outcome.escalation.kind, here.outcome.escalation.to_line) == ("fix_failed", 3)


def test_a_case_resolved_a_line_up_after_a_failed_fix_replays(tmp_path: Path) -> None:
    """Line 1 tries the firmware reset (fails: up at once); Line 2 fixes the cable. The
    export keeps the Line 1 failure, marked with its line."""
    packs = _two_lines(tmp_path)
    desk = Desk(MemoryStore(), load_knowledge([packs]))
    live = desk.open(INTAKE)
    live.answer("demo_what", "frozen")
    step = live.session.step()
    assert isinstance(step, ProposeFix) and step.fault.id == "demo_firmware"
    live.fix("demo_firmware", worked=False)
    up = live.session.step()
    assert isinstance(up, Escalate) and up.escalation.kind == "fix_failed"
    live.escalate(up)
    second = desk.resume(live.case_id)
    ask = second.session.step()
    assert isinstance(ask, Ask) and ask.question.id == "demo_l2_log"
    second.answer("demo_l2_log", "no")
    fix = second.session.step()
    assert isinstance(fix, ProposeFix) and fix.fault.id == "demo_cable"
    second.fix("demo_cable", worked=True)
    case = desk.store.load(live.case_id)
    assert case.outcome()["status"] == "resolved" and case.line == 2
    golden = golden_from_case(case)
    assert golden["line"] == 2
    assert golden["fixes"] == {"demo_firmware": {"outcome": "failed", "line": 1}}
    assert golden["expect"] == {"fault": "demo_cable"}
    out = tmp_path / "golden"
    out.mkdir()
    (out / "case.yaml").write_text(yaml.safe_dump(golden), encoding="utf-8")
    run = CliRunner().invoke(cli, ["test", str(out), "--packs", str(packs), "--json", "-j", "1"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["passed"] == 1


def test_the_api_takes_fix_outcomes() -> None:
    lw = Linewise.load([DIALOGUE])
    result = lw.diagnose(INTAKE, {"demo_what": "jam"}, fixes={"demo_jam": "failed"})
    assert result.outcome.kind == "escalate" and "demo_jam" in result.ruled_out
    assert result.outcome.escalation is not None
    assert result.outcome.escalation.kind == "fix_failed"
    assert result.outcome.escalation.reason.startswith("The proposed fixes did not work. ")


BAD_FIXES = {
    "unknown fault": ({"demo_jamm": "failed"}, 2, "unknown fault 'demo_jamm'"),
    "bad outcome": ({"demo_jam": "maybe"}, 2, "not an outcome of the fix of 'demo_jam'"),
    "nothing to confirm": ({"demo_line_test": "failed"}, 2, "nobody confirms"),
    "bad line": ({"demo_jam": {"outcome": "failed", "line": 7}}, 2, "line 7 is not a support line"),
}


@pytest.mark.parametrize("name", sorted(BAD_FIXES))
def test_bad_fix_outcomes_name_file_line_and_key(name: str, tmp_path: Path) -> None:
    fixes, code, message = BAD_FIXES[name]
    path = tmp_path / "case.yaml"
    path.write_text(
        yaml.safe_dump({"intake": INTAKE, "answers": {"demo_what": "jam"}, "fixes": fixes}),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["diagnose", "--packs", str(DIALOGUE), "--answers", str(path)])
    assert result.exit_code == code, result.output
    assert f"{path}:" in result.stderr and "fixes." in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_json_lines_batch_takes_fix_outcomes(tmp_path: Path) -> None:
    lines = [
        {
            "intake": INTAKE,
            "answers": {"demo_what": "frozen"},
            "fixes": {"demo_firmware": "failed"},
        },
        {"intake": INTAKE, "answers": {"demo_what": "cable"}, "fixes": {"demo_cable": "failed"}},
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    args = ["diagnose", "--packs", str(DIALOGUE), "--answers", str(path), "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line)["outcome"] for line in result.stdout.splitlines())
    assert (first["kind"], first["escalation"]["kind"]) == ("escalate", "fix_failed")
    # the failed cable fix sets its fix_of fact: the rule on it concludes the port
    assert (second["kind"], second["fault"]) == ("fault", "demo_port")


def test_an_escalation_no_answers_lead_to_is_not_exported(_case_store: Path) -> None:
    """The agent's own escalation (or a spent budget) is not a decision of the packs: a
    golden case of it would fail at once, so the export says why instead."""
    guided = CliRunner().invoke(cli, TERMINAL, input="escalate\nneeds a visit\n\n\n")
    assert guided.exit_code == 0, guided.output
    assert _stored_outcome(_case_store)["escalation"]["kind"] == "agent"
    exported = CliRunner().invoke(cli, ["case", "export", "1"])
    assert exported.exit_code == 2, exported.output
    assert "went up to Line 2 because the agent escalated it" in exported.stderr
    assert "Traceback" not in exported.output


def test_a_fix_given_twice_with_two_outcomes_is_refused(tmp_path: Path) -> None:
    body = {
        "intake": INTAKE,
        "answers": {"demo_what": "cable", "demo_cable_result": "worked"},
        "fixes": {"demo_cable": "failed"},
    }
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    result = CliRunner().invoke(cli, ["diagnose", "--packs", str(DIALOGUE), "--answers", str(path)])
    assert result.exit_code == 2, result.output
    assert "fixes.demo_cable: the fix of 'demo_cable' failed here" in result.stderr
    assert "its answers say it worked" in result.stderr
