"""Conclusions beyond "fix, then did it work?" (issue 16 items 7, 8, 22): confirmation
required / optional / none, what "no" means, outcomes without a fix, and advice shown at
every line that reaches a fault - in the pack language, the session, the case history,
the terminal and the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from cases.export import golden_from_case
from cases.recorded import replay
from cli.main import cli
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.handoff import build_handoff
from engine.session import Conclude, Done, Escalate, ProposeFix
from present.handoff import handoff_document
from present.question import conclusion_view, fix_view
from present.transcript import transcript_document
from rules.knowledge import KnowledgeBase
from rules.schema import Fault
from tests.dialogue import (
    DIALOGUE,
    TERMINAL,
    answered,
    demo_api,
    demo_compiled,
    demo_kb,
    live_after,
    session_after,
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return demo_kb()


@pytest.fixture(scope="module")
def compiled() -> CompiledKnowledge:
    return demo_compiled()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with demo_api(tmp_path_factory.mktemp("web")) as client:
        yield client


# ---- the pack language -------------------------------------------------------------------


def test_defaults_keep_todays_faults() -> None:
    fault = Fault.model_validate({"id": "f", "title": "F", "fix": ["Do it"], "line": 1})
    assert (fault.kind, fault.confirming, fault.when_failed) == ("fault", "required", "rule_out")
    info = Fault.model_validate({"id": "i", "title": "I", "kind": "information"})
    assert info.confirming == "none" and info.line == 1 and info.fix == []


BAD = {
    "no_fix": ("    kind: fault\n    line: 1\n", "missing required key 'fix'"),
    "empty_fix": ("    fix: []\n    line: 1\n", "faults[0].fix: a fault needs at least one step"),
    "info_fix": ("    kind: information\n    fix: [Say it]\n", "has no 'fix'"),
    "info_confirm": ("    kind: no_fault\n    confirm: required\n", "nothing to confirm"),
    "one_choice": ("    kind: alternatives\n    fix: [Only one]\n", "at least two choices"),
    "failed_unasked": (
        "    fix: [Do it]\n    line: 1\n    confirm: none\n    when_failed: escalate\n",
        "'when_failed' needs a fix that is confirmed",
    ),
    "bad_confirm": ("    fix: [Do it]\n    line: 1\n    confirm: maybe\n", "'required'"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_conclusions_are_refused_at_file_and_line(name: str, tmp_path: Path) -> None:
    body, message = BAD[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        "id: demo\nversion: 1.0.0\nline: 1\ntitle: Demo\nfaults:\n  - id: f\n    title: F\n" + body,
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["pack", "validate", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:6:5: faults[0]" in result.output or f"{path}:" in result.output
    assert message in result.output
    assert "Traceback" not in result.output


# ---- the session -----------------------------------------------------------------------


def test_required_confirmation_is_unchanged(compiled: CompiledKnowledge) -> None:
    session = session_after(compiled, "cable")
    step = session.step()
    assert isinstance(step, ProposeFix) and not step.optional
    assert [o.value for o in fix_view(step, "en").options] == ["yes", "no"]


def test_confirm_none_concludes_without_asking(compiled: CompiledKnowledge) -> None:
    session = session_after(compiled, "noise")
    step = session.step()
    assert isinstance(step, Conclude) and step.fault.id == "demo_line_test"
    session.conclude(step.fault.id)
    done = session.step()
    assert done == Done("resolved", "demo_line_test", confirmed=False)


@pytest.mark.parametrize(
    ("seen", "fault", "kind"),
    [
        ("low_toner", "demo_toner_low", "information"),
        ("nothing", "demo_works", "no_fault"),
        ("slow", "demo_choose", "alternatives"),
    ],
)
def test_outcomes_without_a_fix_never_ask_did_it_work(
    compiled: CompiledKnowledge, kb: KnowledgeBase, seen: str, fault: str, kind: str
) -> None:
    step = session_after(compiled, seen).step()
    assert isinstance(step, Conclude) and step.fault.id == fault
    view = conclusion_view(kb, fault, "ru")
    assert view.kind == kind
    if kind == "alternatives":
        assert view.choices == ("Переустановить драйвер", "Взять подменное устройство")
        assert view.steps == ()
    else:
        assert view.choices == () and view.steps == () and view.description


def test_optional_confirmation_offers_cannot_confirm_now(compiled: CompiledKnowledge) -> None:
    step = session_after(compiled, "jam").step()
    assert isinstance(step, ProposeFix) and step.optional
    options = fix_view(step, "ru").options
    assert [o.value for o in options] == ["yes", "no", "later"]
    assert options[2].label == "пока нельзя подтвердить"


def test_when_failed_escalate_goes_up_at_once(compiled: CompiledKnowledge) -> None:
    session = session_after(compiled, "frozen")
    step = session.step()
    assert isinstance(step, ProposeFix) and step.fault.id == "demo_firmware"
    session.fix_result("demo_firmware", worked=False, at="t")
    after = session.step()
    # without when_failed: escalate the next fault (the loose cable, 0.8) would be proposed
    assert isinstance(after, Escalate), after
    assert after.escalation.kind == "fix_failed" and after.escalation.to_line == 2


def test_rule_out_goes_on_to_the_next_fault(kb: KnowledgeBase) -> None:
    """The same pack with the default `when_failed`: the diagnosis goes on."""
    pack = kb.packs["dialogue-demo"].pack
    faults = [
        f.model_copy(update={"when_failed": "rule_out"}) if f.id == "demo_firmware" else f
        for f in pack.faults
    ]
    loaded = kb.packs["dialogue-demo"]
    changed = type(loaded)(
        **{**loaded.__dict__, "pack": pack.model_copy(update={"faults": faults})}
    )
    other = KnowledgeBase.from_loaded([changed])
    session = session_after(compile_knowledge(other.for_line(1)), "frozen")
    session.fix_result("demo_firmware", worked=False, at="t")
    after = session.step()
    assert isinstance(after, ProposeFix) and after.fault.id == "demo_cable"


def test_advice_is_shown_before_escalating_and_kept_in_the_handoff(
    compiled: CompiledKnowledge, kb: KnowledgeBase
) -> None:
    session = session_after(compiled, "smoke")
    step = session.step()
    assert isinstance(step, Escalate) and step.escalation.kind == "needs_line"
    assert step.advice is not None and step.advice.startswith("Unplug the device now")
    packet = build_handoff(session, step, opened_at="2025-01-01T10:00:00", at="2025-01-01T10:05:00")
    assert packet.advice == step.advice
    doc = handoff_document(packet, kb, "en")
    advice = next(s for s in doc.sections if s.key == "advice")
    assert advice.items[0].text == step.advice


def test_no_advice_for_a_fault_not_reached(compiled: CompiledKnowledge) -> None:
    session = session_after(compiled, "cable")
    assert session.step().diagnosis.fault("demo_psu_overheating") is None  # type: ignore[union-attr]


# ---- the case history --------------------------------------------------------------------


def test_a_concluded_case_is_resolved_unconfirmed_in_its_history(kb: KnowledgeBase) -> None:
    desk, live = live_after(kb, "nothing")
    step = live.session.step()
    assert isinstance(step, Conclude)
    live.conclude(step.fault.id, "told the customer")
    case = desk.store.load(live.case_id)
    assert case.status == "resolved"
    assert case.outcome() == {
        "status": "resolved",
        "line": 1,
        "fault": "demo_works",
        "confirmed": False,
    }
    last = case.events[-1]
    assert (last.kind, last.data) == (
        "concluded",
        {"kind": "no_fault", "note": "told the customer"},
    )
    record, ruled_here = replay(case)  # old and new events replay without a knowledge base
    assert ruled_here == [] and record.facts.get("demo_what") is not None
    text = " ".join(i.text for s in transcript_document(case, kb, "en").sections for i in s.items)
    assert "No fault found: “Works as designed”; closed." in text
    assert golden_from_case(case)["expect"] == {"fault": "demo_works"}


# ---- the terminal and the API ----------------------------------------------------------


def test_terminal_shows_a_no_fault_outcome_and_closes_the_case() -> None:
    result = CliRunner().invoke(cli, TERMINAL, input="nothing\n")
    assert result.exit_code == 0, result.output
    assert "No fault found: Works as designed" in result.output
    assert "Did the fix work?" not in result.output
    assert "is closed at a conclusion: Works as designed" in result.output


def test_terminal_alternatives_are_a_choice_not_steps() -> None:
    result = CliRunner().invoke(cli, [*TERMINAL, "--lang", "ru"], input="slow\n")
    assert result.exit_code == 0, result.output
    assert "Любой из вариантов:" in result.output
    assert "- Переустановить драйвер" in result.output
    assert "1. Переустановить" not in result.output


def test_terminal_optional_confirmation_later_closes_unconfirmed() -> None:
    result = CliRunner().invoke(cli, TERMINAL, input="jam\nlater\nwill call back\n")
    assert result.exit_code == 0, result.output
    assert "Did the fix work? (yes/no/later)" in result.output
    assert "is closed at a conclusion: Worn pickup roller" in result.output


def test_terminal_tells_the_advice_before_the_handoff() -> None:
    result = CliRunner().invoke(cli, TERMINAL, input="smoke\n")
    assert result.exit_code == 0, result.output
    advice = result.output.index("Tell the customer: Unplug the device now")
    assert advice < result.output.index("Handoff from Line 1 to Line 2")
    assert "Advice given to the customer" in result.output


def test_api_closes_at_an_information_outcome(api: TestClient) -> None:
    view = answered(api, "low_toner")
    assert view["kind"] == "done" and view["status"] == "resolved"
    assert view["conclusion"]["kind"] == "information"
    assert view["conclusion"]["description"].startswith("Order a new cartridge")


def test_api_optional_fix_may_stay_unconfirmed(api: TestClient) -> None:
    view = answered(api, "jam")
    assert view["kind"] == "fix" and [o["value"] for o in view["fix"]["options"]][-1] == "later"
    body = {"step": view["step"], "fault": "demo_jam", "worked": None}
    done = api.post(f"/api/cases/{view['case']}/fix", json=body).json()
    assert done["kind"] == "done" and done["conclusion"]["ref"] == "demo_jam"


def test_api_refuses_an_unconfirmed_required_fix(api: TestClient) -> None:
    view = answered(api, "cable")
    body = {"step": view["step"], "fault": "demo_cable", "worked": None}
    response = api.post(f"/api/cases/{view['case']}/fix", json=body)
    assert response.status_code == 422, response.text
    assert "must be confirmed" in response.json()["message"]


def test_api_escalation_carries_the_advice(api: TestClient) -> None:
    view = answered(api, "smoke")
    assert view["kind"] == "escalate"
    assert view["escalation"]["advice"].startswith("Unplug the device now")


def test_non_interactive_diagnosis_shows_outcomes_advice_and_no_internal_facts() -> None:
    """`diagnose --answers` words: choices, not numbered steps; advice first."""
    result = CliRunner().invoke(
        cli,
        [
            "diagnose",
            "--packs",
            str(DIALOGUE),
            "-a",
            "demo_what=slow",
            "--complaint",
            "demo_trouble",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Any one of:" in result.output and "1. Reinstall" not in result.output
    smoke = CliRunner().invoke(
        cli,
        [
            "diagnose",
            "--packs",
            str(DIALOGUE),
            "-a",
            "demo_what=smoke",
            "--complaint",
            "demo_trouble",
        ],
    )
    assert smoke.exit_code == 0, smoke.output
    assert smoke.output.index("Tell the customer") < smoke.output.index("Likely causes")
    assert "A hardware sign was seen" in smoke.output
    assert "Bookkeeping step reached" not in smoke.output
