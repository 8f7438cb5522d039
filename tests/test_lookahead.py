"""The question policy looks ahead (issue 16 item 4): questions that matter only together
are worth asking, so the session reaches the fault instead of escalating, without any
`order` in the pack (tests/data/policy/joint.yaml)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from engine.compile import CompiledKnowledge, compile_knowledge
from engine.facts import FactSet
from engine.select import next_question
from engine.session import Ask, Escalate, ProposeFix, Record, Session
from rules.knowledge import INTAKE_PREFIX, load_knowledge
from tests.conftest import DATA

JOINT = DATA / "policy" / "joint.yaml"
COMPLAINT = {INTAKE_PREFIX + "complaint": "battery_drains"}


@pytest.fixture(scope="module")
def joint() -> CompiledKnowledge:
    return compile_knowledge(load_knowledge([JOINT]), name="Joint")


def play(compiled: CompiledKnowledge, answers: dict[str, Any]) -> tuple[str, list[str]]:
    facts = FactSet()
    facts.intake(compiled.kb, "complaint", "battery_drains")
    session = Session(compiled, Record(facts), line=1)
    asked: list[str] = []
    for _ in range(10):
        step = session.step()
        if isinstance(step, Ask):
            asked.append(step.question.id)
            session.answer(step.question.id, answers[step.question.id])
        elif isinstance(step, ProposeFix):
            return f"fault {step.fault.id}", asked
        elif isinstance(step, Escalate):
            return f"escalate {step.escalation.kind}", asked
    raise AssertionError("the session did not end")


def test_no_single_question_is_worth_asking_alone(joint: CompiledKnowledge) -> None:
    choice = next_question(joint, COMPLAINT)
    assert choice is not None
    assert all(c.gain + c.resolve < 1e-9 for c in choice.candidates)
    assert choice.reason == "lookahead" and choice.worthwhile
    assert choice.best.together == ("apps_running",)
    assert choice.question == "screen_hours"  # same cost: the packs' order
    assert "together with apps_running" in choice.beats()
    assert choice.as_dict()["together"] == ["apps_running"]


@pytest.mark.parametrize(
    ("screen", "apps", "expected"),
    [
        (a, b, "fault heavy_use" if a + b >= 5 else "fault worn_battery" if a + b <= 3 else "")
        for a, b in itertools.product((1, 2, 3), repeat=2)
    ],
)
def test_joint_questions_reach_the_fault_without_order(
    joint: CompiledKnowledge, screen: int, apps: int, expected: str
) -> None:
    outcome, asked = play(joint, {"screen_hours": screen, "apps_running": apps})
    assert sorted(asked) == ["apps_running", "screen_hours"]
    assert outcome == (expected or "escalate rule")


def test_look_ahead_is_still_priced_against_escalation(joint: CompiledKnowledge) -> None:
    """A group that costs far more than escalating is not worth it."""
    dear = next_question(joint, COMPLAINT, escalation_cost=0.01)
    assert dear is not None and not dear.worthwhile
    cheap = next_question(joint, COMPLAINT, escalation_cost=1000)
    assert cheap is not None and cheap.worthwhile and cheap.reason == "lookahead"


SAFETY = """
id: safety
version: 1.0.0
line: 1
title: Burning smell
symptoms:
  - {id: smell, title: A burning smell}
questions:
  - {id: smoke_seen, text: Is there smoke?, type: yesno}
faults:
  - {id: dusty_fan, title: Dust on the fan, fix: [Clean the fan], line: 1}
rules:
  - id: smoke
    when: {question: smoke_seen, equals: yes}
    then: [{escalate: 2, reason: Smoke needs an on-site engineer}]
  - id: dust
    fallback: true
    then: [{conclude: dusty_fan, certainty: 0.5}]
"""


def test_an_answer_that_makes_an_escalation_hold_is_worth_asking(
    write_pack: Any,
) -> None:
    """Regression: an escalation rule that an answer makes hold was counted as ruled out,
    so the only question left scored zero and the session escalated without asking."""
    compiled = compile_knowledge(load_knowledge([write_pack("safety.yaml", SAFETY)]), name="S")
    choice = next_question(compiled, {INTAKE_PREFIX + "complaint": "smell"})
    assert choice is not None and choice.question == "smoke_seen"
    assert choice.worthwhile and choice.best.resolve == pytest.approx(0.5)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_why_names_the_questions_asked_together(joint: CompiledKnowledge, lang: str) -> None:
    """WHY says in people's words that this question counts together with the others."""
    from present.explain import why_document

    facts = FactSet()
    facts.intake(joint.kb, "complaint", "battery_drains")
    session = Session(joint, Record(facts), line=1, lang=lang)
    step = session.step()
    assert isinstance(step, Ask) and step.question.id == "screen_hours"
    document = why_document(session, "screen_hours")
    text = " ".join([document.summary or ""] + [i.text for s in document.sections for i in s.items])
    other = joint.kb.questions["apps_running"].text.get(lang)
    assert other in text
    assert ("together with" if lang == "en" else "вместе с") in text
    assert "tells the possible causes apart best" not in text
