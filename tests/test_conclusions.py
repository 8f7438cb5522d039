"""Conclusions beyond "fix, then did it work?" (issue 16 items 7, 8, 22): confirmation
required / optional / none, what "no" means, outcomes without a fix, and advice shown at
every line that reaches a fault - in the pack language, the session, the case history,
the terminal and the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from cases.desk import Desk, LiveCase
from cases.export import golden_from_case
from cases.memstore import MemoryStore
from cases.recorded import replay
from cli.main import cli
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.facts import FactSet
from engine.handoff import build_handoff
from engine.session import Ask, Conclude, Done, Escalate, ProposeFix, Record, Session
from present.explain import how_document
from present.handoff import handoff_document
from present.question import conclusion_view, fix_view
from present.say import said_texts
from present.transcript import transcript_document
from rules.knowledge import KnowledgeBase, load_knowledge
from rules.schema import Fault
from web.accounts import Accounts
from web.app import create_app
from web.settings import Settings

DIALOGUE = Path(__file__).resolve().parent / "data" / "dialogue"
INTAKE = {"complaint": "demo_trouble", "service_form": "paid", "channel": "phone"}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge([DIALOGUE])


@pytest.fixture(scope="module")
def compiled(kb: KnowledgeBase) -> CompiledKnowledge:
    return compile_knowledge(kb.for_line(1))


def _session(compiled: CompiledKnowledge, seen: str) -> Session:
    facts = FactSet()
    facts.intake(compiled.kb, "complaint", "demo_trouble")
    session = Session(compiled, Record(facts), line=1)
    step = session.step()
    assert isinstance(step, Ask) and step.question.id == "demo_what"
    session.answer("demo_what", seen)
    return session


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
    session = _session(compiled, "cable")
    step = session.step()
    assert isinstance(step, ProposeFix) and not step.optional
    assert [o.value for o in fix_view(step, "en").options] == ["yes", "no"]


def test_confirm_none_concludes_without_asking(compiled: CompiledKnowledge) -> None:
    session = _session(compiled, "noise")
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
    step = _session(compiled, seen).step()
    assert isinstance(step, Conclude) and step.fault.id == fault
    view = conclusion_view(kb, fault, "ru")
    assert view.kind == kind
    if kind == "alternatives":
        assert view.choices == ("Переустановить драйвер", "Взять подменное устройство")
        assert view.steps == ()
    else:
        assert view.choices == () and view.steps == () and view.description


def test_optional_confirmation_offers_cannot_confirm_now(compiled: CompiledKnowledge) -> None:
    step = _session(compiled, "jam").step()
    assert isinstance(step, ProposeFix) and step.optional
    options = fix_view(step, "ru").options
    assert [o.value for o in options] == ["yes", "no", "later"]
    assert options[2].label == "пока нельзя подтвердить"


def test_when_failed_escalate_goes_up_at_once(compiled: CompiledKnowledge) -> None:
    session = _session(compiled, "frozen")
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
    session = _session(compile_knowledge(other.for_line(1)), "frozen")
    session.fix_result("demo_firmware", worked=False, at="t")
    after = session.step()
    assert isinstance(after, ProposeFix) and after.fault.id == "demo_cable"


def test_advice_is_shown_before_escalating_and_kept_in_the_handoff(
    compiled: CompiledKnowledge, kb: KnowledgeBase
) -> None:
    session = _session(compiled, "smoke")
    step = session.step()
    assert isinstance(step, Escalate) and step.escalation.kind == "needs_line"
    assert step.advice is not None and step.advice.startswith("Unplug the device now")
    packet = build_handoff(session, step, opened_at="2025-01-01T10:00:00", at="2025-01-01T10:05:00")
    assert packet.advice == step.advice
    doc = handoff_document(packet, kb, "en")
    advice = next(s for s in doc.sections if s.key == "advice")
    assert advice.items[0].text == step.advice


def test_no_advice_for_a_fault_not_reached(compiled: CompiledKnowledge) -> None:
    session = _session(compiled, "cable")
    assert session.step().diagnosis.fault("demo_psu_overheating") is None  # type: ignore[union-attr]


# ---- the case history --------------------------------------------------------------------


def _live(kb: KnowledgeBase, seen: str) -> tuple[Desk, LiveCase]:
    desk = Desk(MemoryStore(), kb)
    live = desk.open(INTAKE)
    live.answer("demo_what", seen)
    return desk, live


def test_a_concluded_case_is_resolved_unconfirmed_in_its_history(kb: KnowledgeBase) -> None:
    desk, live = _live(kb, "nothing")
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

TERMINAL = [
    "diagnose",
    "--packs",
    str(DIALOGUE),
    "--customer",
    "Anna",
    "--location",
    "HQ",
    "--equipment-type",
    "printer",
    "--model",
    "m",
    "--serial",
    "s",
    "--service-form",
    "paid",
    "--channel",
    "phone",
    "--complaint",
    "demo_trouble",
]


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


@pytest.fixture(scope="module")
def api(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Any:
    settings = Settings(
        store_path=tmp_path_factory.mktemp("web") / "cases.sqlite3", secret="s" * 48
    )
    accounts = Accounts.open(settings.store_path, legacy=settings.accounts_path)
    accounts.add_user("anna", "correct horse battery", "line1")
    token = accounts.new_token("anna", "tests")
    accounts.close()
    with TestClient(create_app(settings, kb, {})) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def _answered(api: TestClient, seen: str) -> dict[str, Any]:
    opened = api.post("/api/cases", json={"intake": INTAKE})
    assert opened.status_code == 201, opened.text
    view = opened.json()
    body = {"step": view["step"], "question": "demo_what", "value": seen}
    response = api.post(f"/api/cases/{view['case']}/answer", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_api_closes_at_an_information_outcome(api: TestClient) -> None:
    view = _answered(api, "low_toner")
    assert view["kind"] == "done" and view["status"] == "resolved"
    assert view["conclusion"]["kind"] == "information"
    assert view["conclusion"]["description"].startswith("Order a new cartridge")


def test_api_optional_fix_may_stay_unconfirmed(api: TestClient) -> None:
    view = _answered(api, "jam")
    assert view["kind"] == "fix" and [o["value"] for o in view["fix"]["options"]][-1] == "later"
    body = {"step": view["step"], "fault": "demo_jam", "worked": None}
    done = api.post(f"/api/cases/{view['case']}/fix", json=body).json()
    assert done["kind"] == "done" and done["conclusion"]["ref"] == "demo_jam"


def test_api_refuses_an_unconfirmed_required_fix(api: TestClient) -> None:
    view = _answered(api, "cable")
    body = {"step": view["step"], "fault": "demo_cable", "worked": None}
    response = api.post(f"/api/cases/{view['case']}/fix", json=body)
    assert response.status_code == 422, response.text
    assert "must be confirmed" in response.json()["message"]


def test_api_escalation_carries_the_advice(api: TestClient) -> None:
    view = _answered(api, "smoke")
    assert view["kind"] == "escalate"
    assert view["escalation"]["advice"].startswith("Unplug the device now")


# ---- messages mid-dialogue (say) -------------------------------------------------------


def test_a_rule_says_its_message_once_with_known_values(kb: KnowledgeBase) -> None:
    desk = Desk(MemoryStore(), kb)
    live = desk.open({**INTAKE, "customer": "Anna"})
    live.answer("demo_what", "frozen")
    step = live.session.step()
    assert isinstance(step, ProposeFix) and [m.key for m in step.messages] == [
        "dialogue-demo/frozen_note#0"
    ]
    texts = said_texts(step.messages, kb, "ru")
    assert texts == ["Anna сообщает: Экран завис. Не выключайте устройство {для журнала}."]
    live.say(step.messages, texts)
    again = live.session.step()
    assert isinstance(again, ProposeFix) and again.messages == ()  # said once
    case = desk.store.load(live.case_id)
    assert case.events[-1].kind == "said" and case.events[-1].data["text"] == texts[0]
    record, _ = replay(case)
    assert record.said == {"dialogue-demo/frozen_note#0"}  # a resumed case does not repeat it
    shown = " ".join(i.text for s in transcript_document(case, kb, "en").sections for i in s.items)
    assert "Said: Anna сообщает" in shown


def test_an_unknown_value_shows_as_an_ellipsis(
    compiled: CompiledKnowledge, kb: KnowledgeBase
) -> None:
    step = _session(compiled, "frozen").step()  # no customer in the intake
    assert said_texts(step.messages, kb, "en")[0].startswith("… reports: The screen is frozen.")  # type: ignore[union-attr]


SAY_BAD = {
    "attribute": ("{demo_what.__class__}", "is not a place for a value"),
    "index": ("{demo_what[0]}", "is not a place for a value"),
    "format_spec": ("{demo_what!r}", "is not a place for a value"),
    "positional": ("{0}", "is not a place for a value"),
    "lone_brace": ("100% {", "a lone '{'"),
    "unknown_name": ("{demo_wat}", "unknown name '{demo_wat}' in the message"),
}


@pytest.mark.parametrize("name", sorted(SAY_BAD))
def test_messages_are_data_not_format_strings(name: str, tmp_path: Path) -> None:
    text, message = SAY_BAD[name]
    path = tmp_path / "say.yaml"
    path.write_text(
        "id: demo\nversion: 1.0.0\nline: 1\ntitle: Demo\nquestions:\n"
        "  - {id: demo_what, text: What?, type: yesno}\nrules:\n"
        "  - id: r\n    when: {question: demo_what, equals: yes}\n    then:\n"
        f"      - say: {json.dumps(text)}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["pack", "validate", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:11:" in result.output and "rules[0].then[0].say" in result.output
    assert message in result.output and "Traceback" not in result.output


def test_terminal_shows_what_rules_say_before_the_fix() -> None:
    result = CliRunner().invoke(cli, TERMINAL, input="frozen\nyes\n")
    assert result.exit_code == 0, result.output
    said = result.output.index("» Anna reports: The screen is frozen.")
    assert said < result.output.index("Likely cause: Firmware hang")


def test_api_shows_what_rules_said_until_the_next_answer(api: TestClient) -> None:
    view = _answered(api, "frozen")
    assert view["kind"] == "fix"
    assert view["said"] == ["… reports: The screen is frozen. Keep the device on {for the log}."]
    again = api.get(f"/api/cases/{view['case']}").json()  # a reload shows it, said once
    assert again["said"] == view["said"] and again["step"] == view["step"]


# ---- internal facts --------------------------------------------------------------------

INTERNAL = "Bookkeeping step reached"
VISIBLE = "A hardware sign was seen"


def _texts(doc: Any) -> str:
    def walk(items: Any) -> list[str]:
        return [t for i in items for t in (i.text, *walk(i.items))]

    return " ".join(t for s in doc.sections for t in walk(s.items))


def test_internal_facts_stay_out_of_how_and_the_handoff_unless_asked(
    compiled: CompiledKnowledge, kb: KnowledgeBase
) -> None:
    session = _session(compiled, "smoke")
    shown = _texts(how_document(session))
    assert VISIBLE in shown and INTERNAL not in shown
    assert INTERNAL in _texts(how_document(session, everything=True))
    step = session.step()
    assert isinstance(step, Escalate)
    packet = build_handoff(session, step, opened_at="2025-01-01T10:00:00", at="2025-01-01T10:01:00")
    assert "demo_step_counter" in {f["key"] for f in packet.facts}  # the packet keeps it
    assert INTERNAL not in _texts(handoff_document(packet, kb, "en"))
    assert VISIBLE in _texts(handoff_document(packet, kb, "en"))
    assert INTERNAL in _texts(handoff_document(packet, kb, "en", everything=True))


def test_terminal_how_all_shows_internal_facts() -> None:
    result = CliRunner().invoke(cli, TERMINAL, input="frozen\nhow\nhow all\nquit\n")
    assert result.exit_code == 0, result.output
    first, second = result.output.split("How the diagnosis stands")[1:3]
    assert VISIBLE in first and INTERNAL not in first
    assert INTERNAL in second


def test_api_how_leaves_internal_facts_out_unless_all(api: TestClient) -> None:
    view = _answered(api, "frozen")
    plain = api.get(f"/api/cases/{view['case']}/how").json()
    assert "demo_step_counter" not in {f["key"] for f in plain["data"]["facts"]}
    everything = api.get(f"/api/cases/{view['case']}/how", params={"all": "true"}).json()
    assert "demo_step_counter" in {f["key"] for f in everything["data"]["facts"]}


# ---- fix outcomes in rules, and questions asked again ----------------------------------


def test_a_rule_tests_that_a_fix_failed(compiled: CompiledKnowledge) -> None:
    session = _session(compiled, "cable")
    step = session.step()
    assert isinstance(step, ProposeFix) and step.fault.id == "demo_cable"
    session.fix_result("demo_cable", worked=False, at="t")
    after = session.step()  # without the fix outcome fact: nothing left, fix_failed
    assert isinstance(after, ProposeFix) and after.fault.id == "demo_port"
    fact = session.record.facts.get("demo_cable_result")
    assert fact is not None and (fact.value, fact.source) == ("failed", "fix")


def test_a_resumed_case_remembers_the_fix_outcome(kb: KnowledgeBase) -> None:
    desk, live = _live(kb, "cable")
    live.fix("demo_cable", False, "no change")
    again = desk.resume(live.case_id, allow_pack_change=True)
    step = again.session.step()
    assert isinstance(step, ProposeFix) and step.fault.id == "demo_port"


def _looped(compiled: CompiledKnowledge, answers: list[str]) -> tuple[Session, list[str]]:
    session = _session(compiled, "no_light")
    seen = []
    for value in answers:
        step = session.step()
        assert isinstance(step, Ask), step
        seen.append(f"{step.question.id}{'*' if step.repeated_by else ''}")
        session.answer(step.question.id, value)
    return session, seen


def test_a_question_is_asked_again_until_yes(compiled: CompiledKnowledge) -> None:
    session, seen = _looped(compiled, ["no", "yes"])
    assert seen == ["demo_light", "demo_light*"]
    step = session.step()
    assert isinstance(step, Conclude) and step.fault.id == "demo_recovered"


def test_a_loop_stops_at_its_bound(compiled: CompiledKnowledge) -> None:
    session, seen = _looped(compiled, ["no", "no", "no"])
    assert seen == ["demo_light", "demo_light*", "demo_light*"]
    step = session.step()
    assert isinstance(step, Escalate) and step.fault == "demo_board"
    assert session.why() is None or session.why()["reason"] != "repeat"  # type: ignore[index]


def test_why_at_a_repeated_question_names_the_loop(compiled: CompiledKnowledge) -> None:
    session, _ = _looped(compiled, ["no"])
    why = session.why()
    assert why is not None and why["reason"] == "repeat" and why["answers"] == 1


def test_terminal_asks_again_and_keeps_each_answer() -> None:
    result = CliRunner().invoke(cli, TERMINAL, input="no_light\nno\nyes\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Restart it and look") == 2
    assert "Asked again (the last answer is the one that counts)." in result.output
    assert "Recovered after a restart" in result.output


REPEAT_BAD = {
    "no_bound": ("{repeat: q}", "'repeat' and 'at_most' go together"),
    "bound_alone": ("{conclude: f, at_most: 3}", "'repeat' and 'at_most' go together"),
    "too_many": ("{repeat: q, at_most: 50}", "less than or equal to 20"),
    "unknown": ("{repeat: qq, at_most: 3}", "unknown question 'qq'"),
    "derive_fix": ("{derive: outcome, value: failed}", "never derive it"),
}


@pytest.mark.parametrize("name", sorted(REPEAT_BAD))
def test_bad_loops_and_fix_outcomes_are_refused(name: str, tmp_path: Path) -> None:
    then, message = REPEAT_BAD[name]
    path = tmp_path / "loop.yaml"
    path.write_text(
        "id: demo\nversion: 1.0.0\nline: 1\ntitle: Demo\n"
        "questions: [{id: q, text: Q?, type: yesno}]\n"
        "facts: [{id: outcome, text: Outcome, fix_of: f}]\n"
        "faults: [{id: f, title: F, fix: [Do it], line: 1}]\n"
        f"rules:\n  - id: r\n    when: {{question: q, equals: no}}\n    then: [{then}]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["pack", "validate", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:11:" in result.output and "rules[0].then[0]" in result.output
    assert message in result.output and "Traceback" not in result.output
