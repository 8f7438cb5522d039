"""Messages mid-dialogue (`say`), internal facts, fix outcomes in rules and questions asked
again in a bounded loop (issue 16 items 6, 9, 21): pack language, session, case history,
terminal and API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from cases.desk import Desk
from cases.memstore import MemoryStore
from cases.recorded import replay
from cli.main import cli
from engine.compile import CompiledKnowledge
from engine.handoff import build_handoff
from engine.session import Ask, Conclude, Escalate, ProposeFix, Session
from present.explain import how_document
from present.handoff import handoff_document
from present.say import said_texts
from present.transcript import transcript_document
from rules.jsonschema import pack_json_schema
from rules.knowledge import KnowledgeBase
from rules.schema import Pack
from tests.dialogue import (
    DIALOGUE,
    INTAKE,
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
    step = session_after(compiled, "frozen").step()  # no customer in the intake
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
    view = answered(api, "frozen")
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
    session = session_after(compiled, "smoke")
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
    view = answered(api, "frozen")
    plain = api.get(f"/api/cases/{view['case']}/how").json()
    assert "demo_step_counter" not in {f["key"] for f in plain["data"]["facts"]}
    everything = api.get(f"/api/cases/{view['case']}/how", params={"all": "true"}).json()
    assert "demo_step_counter" in {f["key"] for f in everything["data"]["facts"]}


# ---- fix outcomes in rules, and questions asked again ----------------------------------


def test_a_rule_tests_that_a_fix_failed(compiled: CompiledKnowledge) -> None:
    session = session_after(compiled, "cable")
    step = session.step()
    assert isinstance(step, ProposeFix) and step.fault.id == "demo_cable"
    session.fix_result("demo_cable", worked=False, at="t")
    after = session.step()  # without the fix outcome fact: nothing left, fix_failed
    assert isinstance(after, ProposeFix) and after.fault.id == "demo_port"
    fact = session.record.facts.get("demo_cable_result")
    assert fact is not None and (fact.value, fact.source) == ("failed", "fix")


def test_a_resumed_case_remembers_the_fix_outcome(kb: KnowledgeBase) -> None:
    desk, live = live_after(kb, "cable")
    live.fix("demo_cable", False, "no change")
    again = desk.resume(live.case_id, allow_pack_change=True)
    step = again.session.step()
    assert isinstance(step, ProposeFix) and step.fault.id == "demo_port"


def _looped(compiled: CompiledKnowledge, answers: list[str]) -> tuple[Session, list[str]]:
    session = session_after(compiled, "no_light")
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


@pytest.mark.parametrize(
    "fact",
    [
        {"fix_of": "f"},
        {"fix_of": "f", "type": "choice"},
        {"fix_of": "f", "type": "number"},
        {"fix_of": "f", "options": [{"value": "worked", "text": "W"}]},
        {"internal": True},
        {"type": "choice"},
    ],
)
def test_the_json_schema_agrees_on_fact_declarations(fact: dict[str, Any]) -> None:
    pack = {
        "id": "d",
        "version": "1.0.0",
        "line": 1,
        "title": "T",
        "faults": [{"id": "f", "title": "F", "fix": ["x"], "line": 1}],
        "facts": [{"id": "o", "text": "O", **fact}],
    }
    try:
        Pack.model_validate(pack)
        model_ok = True
    except ValidationError:
        model_ok = False
    assert Draft202012Validator(pack_json_schema()).is_valid(pack) == model_ok


def test_pack_check_understands_messages_loops_and_fix_outcomes() -> None:
    """A `say` beside a conclusion is no conflict (E104), and a rule on a fix outcome can
    fire (no W110 / W101): the demo pack checks clean."""
    result = CliRunner().invoke(cli, ["pack", "check", str(DIALOGUE)])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output
