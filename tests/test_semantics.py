"""The semantics of the pack language (docs/packs.md), shown on tests/data/semantics.yaml."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.compile import CompiledKnowledge, compile_knowledge
from engine.diagnose import diagnose
from engine.facts import FactSet
from engine.result import Diagnosis
from rules.knowledge import load_knowledge
from tests.conftest import DATA


@pytest.fixture(scope="module")
def sem() -> CompiledKnowledge:
    return compile_knowledge(load_knowledge([DATA / "semantics.yaml"]), name="Semantics")


def run(sem: CompiledKnowledge, answers: dict[str, Any], **intake: str) -> Diagnosis:
    facts = FactSet()
    for field, value in intake.items():
        facts.intake(sem.kb, field, value)
    for question, value in answers.items():
        facts.answer(sem.kb, question, value)
    return diagnose(sem, facts, line=1)


def certainty(d: Diagnosis, fault: str) -> float | None:
    score = d.fault(fault)
    return score.certainty if score else None


def fired(d: Diagnosis) -> set[str]:
    return {f.rule.split("/")[1] for f in d.trace}


def test_pending_is_not_false(sem: CompiledKnowledge) -> None:
    # q_beeps unanswered: 'not (q_beeps > 0)' is pending, so cable_not_beeping must not fire
    d = run(sem, {"q_power": "no"})
    assert "cable_not_beeping" not in fired(d)
    assert certainty(d, "flt_cable") is None
    assert "q_beeps" in d.outcome.open_questions


def test_negation_holds_once_known_and_different(sem: CompiledKnowledge) -> None:
    assert certainty(run(sem, {"q_power": "no", "q_beeps": 0}), "flt_cable") == 0.4
    assert certainty(run(sem, {"q_power": "no", "q_beeps": 3}), "flt_cable") is None


def test_unknown_answer_matches_neither_comparison_nor_negation(sem: CompiledKnowledge) -> None:
    d = run(sem, {"q_power": "no", "q_beeps": "unknown"})
    assert "cable_not_beeping" not in fired(d)
    # and it is settled: not an open question any more
    assert "q_beeps" not in d.outcome.open_questions


def test_derived_facts_chain(sem: CompiledKnowledge) -> None:
    d = run(sem, {"q_power": "no", "q_fan": "no"})
    assert {"no_power", "psu_suspect", "psu_from_chain"} <= fired(d)
    derived = {f["key"]: f for f in d.facts if f["source"] == "derived"}
    assert derived["f_psu_suspect"]["by"] == "semantics/psu_suspect"
    assert certainty(d, "flt_psu") == 0.6


def test_certainties_combine_mycin(sem: CompiledKnowledge) -> None:
    d = run(sem, {"q_power": "no", "q_fan": "no", "q_colour": "amber"})
    # 0.6 and 0.5 combine to 0.6 + 0.5 * (1 - 0.6) = 0.8
    assert certainty(d, "flt_psu") == pytest.approx(0.8)
    assert d.fault("flt_psu") is not None and d.fault("flt_psu").firm  # type: ignore[union-attr]


def test_negative_evidence_reduces_certainty(sem: CompiledKnowledge) -> None:
    d = run(sem, {"q_message": "No Boot Device found", "q_beeps": 6})
    # 0.8 and -0.5: (0.8 - 0.5) / (1 - 0.5) = 0.6
    assert certainty(d, "flt_disk") == pytest.approx(0.6)


def test_stop_rule_shadows_lower_priority_conclusions(sem: CompiledKnowledge) -> None:
    d = run(sem, {"q_power": "yes", "q_beeps": 3, "q_colour": "amber"})
    assert d.outcome.fault == "flt_ram"
    assert certainty(d, "flt_disk") is None
    shadowed = {f.rule: f.shadowed_by for f in d.trace if f.status == "shadowed"}
    assert shadowed == {"semantics/disk_message": "semantics/ram_beeps"}


def test_fallback_applies_only_when_nothing_else_does(sem: CompiledKnowledge) -> None:
    nothing = run(sem, {"q_power": "yes", "q_beeps": 0}, complaint="sem_problem")
    assert certainty(nothing, "flt_generic") == 0.3
    something = run(sem, {"q_power": "no", "q_beeps": 0}, complaint="sem_problem")
    assert certainty(something, "flt_generic") is None
    assert any(f.status == "fallback_skipped" for f in something.trace)


def test_priorities_order_equal_certainties(write_pack: Any) -> None:
    text = """
id: prio
version: 1.0.0
line: 1
title: t
questions: [{id: pq, text: q, type: yesno}]
faults:
  - {id: pa, title: a, fix: [x], line: 1, prior: 0.5}
  - {id: pb, title: b, fix: [x], line: 1, prior: 0.5}
rules:
  - {id: low, priority: 1, when: {question: pq, equals: yes}, then: [{conclude: pa}]}
  - {id: high, priority: 9, when: {question: pq, equals: yes}, then: [{conclude: pb}]}
"""
    compiled = compile_knowledge(load_knowledge([write_pack("prio.yaml", text)]))
    facts = FactSet()
    facts.answer(compiled.kb, "pq", "yes")
    d = diagnose(compiled, facts, line=1)
    assert [f.id for f in d.faults] == ["pb", "pa"]


def test_firm_fault_of_a_higher_line_escalates(sem: CompiledKnowledge) -> None:
    # flt_psu (Line 2) reaches 0.8; six beeps hold flt_disk back to 0.6
    d = run(sem, {"q_power": "no", "q_fan": "no", "q_colour": "amber", "q_beeps": 6})
    assert d.top is not None and d.top.id == "flt_psu"
    assert d.outcome.kind == "escalate"
    assert d.outcome.escalation is not None
    assert (d.outcome.escalation.kind, d.outcome.escalation.to_line) == ("needs_line", 2)


def test_running_again_never_rebuilds_the_network(sem: CompiledKnowledge) -> None:
    run(sem, {"q_power": "no"})
    engine = sem._engine
    run(sem, {"q_power": "yes"})
    assert sem._engine is engine


ANSWERS: dict[str, st.SearchStrategy[Any]] = {
    "q_power": st.sampled_from(["yes", "no", "unknown"]),
    "q_fan": st.sampled_from(["yes", "no", "unknown"]),
    "q_beeps": st.integers(0, 10),
    "q_colour": st.sampled_from(["green", "amber", "off", "unknown"]),
    "q_message": st.sampled_from(["No boot device", "ok", "unknown"]),
}


def _outcome(d: Diagnosis) -> tuple[Any, ...]:
    return (
        d.outcome.model_dump_json(),
        [(f.id, f.certainty) for f in d.faults],
        sorted((f.rule, f.status) for f in d.trace),
        sorted((f["key"], str(f["value"])) for f in d.facts),
    )


@settings(max_examples=150, deadline=None)
@given(
    answers=st.fixed_dictionaries({}, optional=ANSWERS),
    order=st.randoms(use_true_random=False),
)
def test_answer_order_never_changes_the_result(
    sem: CompiledKnowledge, answers: dict[str, Any], order: Any
) -> None:
    items = list(answers.items())
    shuffled = items[:]
    order.shuffle(shuffled)
    first = run(sem, dict(items), complaint="sem_problem")
    second = run(sem, dict(shuffled), complaint="sem_problem")
    assert _outcome(first) == _outcome(second)


def test_a_rule_counts_once_when_several_any_branches_hold(write_pack: Any) -> None:
    text = """
id: anytwice
version: 1.0.0
line: 1
title: t
questions:
  - {id: qa, text: a, type: yesno}
  - {id: qb, text: b, type: yesno}
faults: [{id: fa, title: a, fix: [x], line: 1, prior: 0.5}]
rules:
  - id: either
    when: {any: [{question: qa, equals: yes}, {question: qb, equals: yes}]}
    then: [{conclude: fa, certainty: 0.5}]
"""
    compiled = compile_knowledge(load_knowledge([write_pack("any.yaml", text)]))
    facts = FactSet()
    facts.answer(compiled.kb, "qa", "yes")
    facts.answer(compiled.kb, "qb", "yes")
    d = diagnose(compiled, facts, line=1)
    assert certainty(d, "fa") == 0.5  # not 0.75: one rule is one piece of evidence
    assert [f.rule for f in d.trace] == ["anytwice/either"]
