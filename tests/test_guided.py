"""The guided diagnosis through the real command, answered prompt by prompt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from guided_driver import asked, case_id_of, case_json, customer, drive

from cases.golden import GoldenCase, golden_files, load_golden
from cli.main import cli
from rules.knowledge import load_knowledge

GUIDED = Path(__file__).resolve().parent / "data" / "guided"
GOLDEN = golden_files()
WIRED = {
    "wired_cable_seated": True,
    "wired_neighbours_ok": True,
    "wired_link_light": False,
    "wired_other_cable_works": True,
    "wired_adapter_enabled": True,
    "wired_ip_kind": "none",
}
INTAKE = [
    "--customer",
    "Anna Petrova",
    "--location",
    "HQ room 312",
    "--equipment-type",
    "desktop",
    "--model",
    "OptiPlex",
    "--serial",
    "A-1",
    "--service-form",
    "paid",
    "--channel",
    "phone",
]
FLAGS = {
    "customer": "--customer",
    "location": "--location",
    "equipment_type": "--equipment-type",
    "equipment_model": "--model",
    "equipment_serial": "--serial",
    "service_form": "--service-form",
    "channel": "--channel",
    "complaint": "--complaint",
}


def _intake_args(golden: GoldenCase) -> list[str]:
    intake = {
        "customer": "golden",
        "location": "lab",
        "equipment_type": "pc",
        "equipment_model": "m",
        "equipment_serial": "s",
        **golden.case.intake,
    }
    args: list[str] = []
    for name, value in intake.items():
        args += [FLAGS[name], str(value)]
    return args


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_case_reached_by_a_guided_session(path: Path, line1_symptoms: set[str]) -> None:
    """Line 1 first; an escalated case is resumed line by line up to the case's line.

    A case whose complaint no Line 1 pack declares is opened at its own line directly."""
    golden = load_golden(path)
    opening = 1 if golden.case.intake.get("complaint") in line1_symptoms else golden.case.line
    # the customer's fix works only for the real fault; any other fix fails and is ruled out
    answer = customer(golden.case.answers, fix_works=lambda fault: fault == golden.expect.fault)
    # with ids shown: two packs may ask the same question in the same words
    args = ["diagnose", "--ids", "--line", str(opening), *_intake_args(golden)]
    result, _ = drive(args, answer)
    assert result.exit_code == 0, result.output
    case_id = case_id_of(result.output)
    output = result.output
    case = case_json(case_id)
    while case["outcome"]["status"] == "escalated" and case["outcome"]["line"] <= golden.case.line:
        result, _ = drive(["resume", case_id, "--ids"], answer)
        assert result.exit_code == 0, result.output
        output += result.output
        case = case_json(case_id)
    outcome, expect = case["outcome"], golden.expect
    questions = asked(output)
    assert len(questions) == len(set(questions)), f"a question was asked twice: {questions}"
    if expect.fault is not None:
        assert outcome.get("fault") == expect.fault, (outcome, questions)
        if outcome["status"] == "escalated":  # a fault for a higher line: needs_line
            assert outcome["escalation"]["kind"] in ("needs_line", "rule")
        else:
            assert outcome["status"] == "resolved"
    else:
        assert outcome["status"] == "escalated" and outcome["line"] == expect.escalate, outcome
        if expect.kind is not None:
            assert outcome["escalation"]["kind"] == expect.kind


@pytest.fixture(scope="module")
def line1_symptoms() -> set[str]:
    return set(load_knowledge().for_line(1).symptoms)


def _wired(*extra: str) -> list[str]:
    return ["diagnose", *INTAKE, "--complaint", "wired_no_network", *extra]


def test_why_how_whynot_speak_in_titles_and_sentences() -> None:
    commands = {
        "wired_cable_seated": ["why"],
        "wired_link_light": [
            "how",
            "whynot wired_cable_faulty",
            "whynot wired_cabel",
            "whynot 1",
            "whynot zzzz",
            "maybe",
            "help",
            "quit",
        ],
    }
    result, _ = drive(_wired(), customer(WIRED, commands=commands))
    out = result.output
    flat = " ".join(out.split())
    assert result.exit_code == 0, out
    # WHY: the faults it decides between by title, and why it comes now
    why = flat.split("Why this question: Is the network cable firmly plugged in")[1]
    assert "It decides between:" in why and "- Network cable unplugged or loose" in why
    assert "The packs check this first" in why
    # HOW: facts with provenance, in words
    assert (
        "Is the network cable firmly plugged in at both ends (computer and wall socket)? — yes "
        "(answered)" in flat
    )
    assert "Complaint — No network over the cable (from the intake)" in flat
    # WHY NOT: the rule and its first blocking condition, in words
    assert "Why not: Faulty network cable Not concluded." in flat
    assert "waits for: The fault is physical (cable or socket) — yes (not known yet)" in flat
    # a misspelt id lists the candidates, and one is picked by its number; nonsense says so
    assert "Several faults match “wired_cabel”; type whynot and a number: 1) Faulty network" in flat
    assert flat.count("Why not: Faulty network cable") == 2
    assert "No fault matches “zzzz”." in flat
    # a wrong answer: a clear message, then the same question again
    assert "Please give a number from 1 to 2 or one of: yes, no" in flat
    assert asked(out) == ["wired_cable_seated", "wired_link_light"]
    assert "How to check: The light is green or orange" in flat
    assert "Saved case" in out
    # no internal id on screen unless asked for
    assert "wired_cable" not in out and "network-wired/" not in out


def test_ids_on_request() -> None:
    result = CliRunner().invoke(cli, _wired("--ids"), input="why\nquit\n")
    assert "[wired_cable_seated]" in result.output
    assert "[network-wired/cable_loose]" in result.output
    toggled = CliRunner().invoke(cli, _wired(), input="ids\nwhy\nquit\n")
    assert "Ids are shown." in toggled.output and "[network-wired/cable_loose]" in toggled.output


def test_a_fix_that_did_not_work_rules_the_fault_out() -> None:
    result, _ = drive(_wired(), customer(WIRED, fix_works=False))
    assert result.exit_code == 0, result.output
    assert "“Faulty network cable” is ruled out; the diagnosis goes on." in result.output
    case = case_json(case_id_of(result.output))
    failed = [e for e in case["events"] if e["kind"] == "fix_failed"]
    assert [e["fault"] for e in failed] == ["wired_cable_faulty"]
    assert "did not work" in failed[0]["reason"]
    handoff = next(e for e in case["events"] if e["kind"] == "escalated")["data"]["handoff"]
    assert "wired_cable_faulty" in handoff["ruled_out"]
    assert case["status"] == "escalated" and case["line"] == 2


def _office(*extra: str) -> list[str]:
    return [
        "diagnose",
        "--packs",
        str(GUIDED),
        *INTAKE[:-4],
        "--service-form",
        "premium",
        "--channel",
        "phone",
        "--complaint",
        "tp_printer_dead",
        *extra,
    ]


OFFICE = {"tp_power_led": False, "tp_cable": True, "tp_psu_volts": 230, "tp_selftest": False}


def test_escalation_line_by_line_with_handoff_never_asks_again() -> None:
    first, _ = drive(_office(), customer(OFFICE))
    assert first.exit_code == 0, first.output
    case_id = case_id_of(first.output)
    line1 = asked(first.output)
    assert line1 == ["tp_power_led", "tp_cable"]
    assert "Handoff from Line 1 to Line 2" in first.output

    second, _ = drive(["resume", case_id, "--packs", str(GUIDED)], customer(OFFICE))
    assert second.exit_code == 0, second.output
    assert "Line 2" in second.output
    assert "Handoff from Line 1 to Line 2" in second.output  # the packet Line 2 receives
    assert "Line 1 · Is the power light on? — no" in " ".join(second.output.split())
    line2 = asked(second.output)
    assert line2 and not set(line2) & set(line1), (line1, line2)
    assert "Handoff from Line 2 to Line 4" in second.output
    assert "Vendor: Acme Printers" in second.output

    case = case_json(case_id)
    handoff = [e for e in case["events"] if e["kind"] == "escalated"][-1]["data"]["handoff"]
    assert handoff["vendor"] == "Acme Printers"
    assert handoff["sla"]["service_form"] == "premium" and handoff["sla"]["resolve_hours"] == 72
    assert [q["question"] for q in handoff["questions"]] == line1 + line2
    assert handoff["minutes_by_line"] == {"1": 2.0, "2": 2.0}
    assert any(h["fault"] == "tp_board" for h in handoff["hypotheses"])

    third, _ = drive(["resume", case_id, "--packs", str(GUIDED)], customer(OFFICE))
    assert third.exit_code == 0, third.output
    # Line 4 asks only its own pack's question (Line 2's firm fault is a hypothesis until then)
    assert asked(third.output) == ["tp_rma"]
    assert "Case C-000001 is resolved: Main board failed." in third.output
    assert case_json(case_id)["status"] == "resolved"
    closed = CliRunner().invoke(cli, ["resume", case_id, "--packs", str(GUIDED)])
    assert closed.exit_code == 2 and "is resolved" in closed.output


def test_quit_then_resume_reaches_the_same_outcome() -> None:
    straight, _ = drive(_wired(), customer(WIRED))
    reference = case_json(case_id_of(straight.output))

    stop_at = {"wired_other_cable_works": ["quit"]}
    first, _ = drive(_wired(), customer(WIRED, commands=stop_at))
    assert first.exit_code == 0 and "Saved case" in first.output
    case_id = case_id_of(first.output)
    assert case_json(case_id)["status"] == "abandoned"
    second, _ = drive(["resume", case_id], customer(WIRED))
    assert second.exit_code == 0, second.output
    resumed = case_json(case_id)
    assert resumed["outcome"] == reference["outcome"]
    answers = [e["question"] for e in resumed["events"] if e["kind"] == "answer"]
    assert answers == [e["question"] for e in reference["events"] if e["kind"] == "answer"]
    assert asked(first.output + second.output).count("wired_other_cable_works") == 2


def test_end_of_input_saves_and_exits_cleanly() -> None:
    result = CliRunner().invoke(cli, _wired(), input="yes\n")
    assert result.exit_code == 0, result.output
    assert "Saved case C-000001 (end of input)" in result.output
    case = case_json("C-000001")
    assert case["status"] == "abandoned"
    assert [e["question"] for e in case["events"] if e["kind"] == "answer"] == [
        "wired_cable_seated"
    ]


def test_no_stdin_at_all_opens_no_case() -> None:
    result = CliRunner().invoke(cli, ["diagnose"], input="")
    assert result.exit_code == 0, result.output
    assert "no case was opened" in result.output


def test_intake_is_prompted_with_numbered_choices() -> None:
    symptoms = load_knowledge().for_line(1).symptoms.values()
    titles = sorted(s.title.en for s in symptoms)
    number = titles.index("No network over the cable") + 1
    typed = ["Boris", "", "", "", "", "7", "3", "chat", str(number), "quit"]
    result = CliRunner().invoke(cli, ["diagnose"], input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    assert "Please give a number from 1 to 4" in result.output
    assert "1) Warranty   2) Paid service   3) Premium   4) Self-service" in result.output
    assert f"{number}) No network over the cable" in result.output
    assert case_json("C-000001")["intake"] == {
        "customer": "Boris",
        "service_form": "premium",
        "channel": "chat",
        "complaint": "wired_no_network",
    }


def test_back_takes_the_last_answer_back() -> None:
    result = CliRunner().invoke(cli, _wired(), input="yes\nback\nno\nyes\n")
    assert result.exit_code == 0, result.output
    assert "Took back the answer to “Is the network cable firmly plugged in" in result.output
    assert asked(result.output) == ["wired_cable_seated", "wired_link_light", "wired_cable_seated"]
    assert "Likely cause: Network cable unplugged or loose (certainty 0.90)" in result.output
    events = [e["kind"] for e in case_json("C-000001")["events"]]
    assert events[-5:] == ["answer", "back", "answer", "fix_proposed", "fix_worked"]


def test_unknown_answer_and_agent_escalation() -> None:
    result = CliRunner().invoke(cli, _wired(), input="unknown\nescalate\n\n")
    assert result.exit_code == 0, result.output
    case = case_json("C-000001")
    assert [e["kind"] for e in case["events"]][2:] == ["unknown", "escalated"]
    assert case["outcome"]["escalation"]["kind"] == "agent"
    assert "note" not in case["events"][-1]["data"]  # an empty note is no note


def test_ctrl_c_saves_and_exits_130() -> None:
    def respond(seen: str) -> str | None:
        if len(asked(seen)) >= 2:
            raise KeyboardInterrupt
        return "yes"

    result, _ = drive(_wired(), respond)
    assert result.exit_code == 130, result.output
    assert (
        "interrupted (Ctrl-C); case C-000001 is saved; resume with: linewise resume C-000001"
        in result.output
    )
    assert "Traceback" not in result.output
    case = case_json("C-000001")
    assert case["status"] == "abandoned"
    assert [e["reason"] for e in case["events"] if e["kind"] == "quit"] == ["interrupted"]


def test_unknown_case_gets_did_you_mean() -> None:
    CliRunner().invoke(cli, _wired(), input="")
    result = CliRunner().invoke(cli, ["resume", "C-000010"])
    assert result.exit_code == 3
    assert "unknown case 'C-000010' (did you mean 'C-000001'?)" in result.output
    shown = CliRunner().invoke(cli, ["case", "show", "C-0000O1"])
    assert shown.exit_code == 3 and "did you mean 'C-000001'?" in shown.output


def test_resume_refuses_changed_pack_versions(tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    shutil.copytree(GUIDED, packs)
    first = CliRunner().invoke(cli, [*_office()[:2], str(packs), *_office()[3:]], input="no\n")
    assert first.exit_code == 0, first.output
    l1 = packs / "office_l1.yaml"
    l1.write_text(l1.read_text().replace("version: 1.0.0", "version: 1.1.0"))
    refused = CliRunner().invoke(cli, ["resume", "1", "--packs", str(packs)], input="")
    assert refused.exit_code == 2
    assert "tp-office 1.0.0 -> 1.1.0" in refused.output and "--allow-pack-change" in refused.output
    allowed = CliRunner().invoke(
        cli, ["resume", "1", "--packs", str(packs), "--allow-pack-change"], input="no\n"
    )
    assert allowed.exit_code == 0, allowed.output
    assert asked(allowed.output) == ["tp_cable"]
    resumed = [e for e in case_json("1")["events"] if e["kind"] == "resumed"]
    assert resumed[-1]["data"]["packs_changed"]["tp-office"] == {
        "recorded": "1.0.0",
        "now": "1.1.0",
    }


def test_case_list_and_transcript() -> None:
    drive(_wired(), customer(WIRED))
    listing = CliRunner().invoke(cli, ["case", "list"])
    assert listing.exit_code == 0
    assert "C-000001" in listing.output and "resolved" in listing.output
    row = listing.output.splitlines()[1]
    assert "No network over the cable" in row and "wired_no_network" not in row
    with_ids = CliRunner().invoke(cli, ["case", "list", "--ids"]).output.splitlines()[1]
    assert "No network over the cable [wired_no_network]" in with_ids
    russian = CliRunner().invoke(cli, ["case", "list", "--lang", "ru"]).output
    assert "Нет сети по кабелю" in russian and "решено" in russian, russian
    text = CliRunner().invoke(cli, ["case", "show", "C-000001"])
    flat = " ".join(text.output.split())
    assert "Line 1 session (resolved)" in flat
    assert "Is the small light next to the computer's network port lit or blinking? — no" in flat
    assert "The fix for “Faulty network cable” worked: resolved." in flat
    assert "Form of service: Paid service" in flat
    russian = CliRunner().invoke(cli, ["case", "show", "C-000001", "--lang", "ru", "--ids"])
    assert "[wired_link_light]" in russian.output
