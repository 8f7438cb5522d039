"""Choosing the next question: only what matters, fixed orders, ties, escalation as a price."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.golden import golden_files
from engine.answers import read_case_input, to_facts
from engine.choice import group
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.diagnose import open_questions
from engine.hypotheses import entropy, escalation_id, hypotheses_now, policy_index
from engine.logic import TV, UNKNOWN, FactValue, evaluate
from engine.possible import can_hold, stop_floor
from engine.select import (
    DEFAULT_THRESHOLD,
    answer_values,
    candidates,
    closure,
    declared_order,
    focus_packs,
    next_question,
    relevant_questions,
)
from rules.knowledge import load_knowledge

GUIDED = Path(__file__).resolve().parent / "data" / "guided"
WIRED_COMPLAINT = {"intake.complaint": "wired_no_network"}


@pytest.fixture(scope="module")
def office() -> CompiledKnowledge:
    return compile_knowledge(load_knowledge([GUIDED]).for_line(2), name="OfficeL2")


def test_fixed_order_comes_first(line1: CompiledKnowledge) -> None:
    choice = next_question(line1, WIRED_COMPLAINT)
    assert choice is not None
    assert choice.question == "wired_cable_seated" and choice.reason == "order"
    assert "procedure order" in choice.beats()


def test_best_gain_per_minute_wins_and_why_names_the_runner_up(line1: CompiledKnowledge) -> None:
    known: dict[str, FactValue] = {**WIRED_COMPLAINT, "wired_cable_seated": True}
    choice = next_question(line1, known)
    assert choice is not None and choice.reason == "gain"
    scores = [c.score for c in choice.candidates]
    assert choice.best.score == max(scores)
    assert choice.runner_up is not None and choice.runner_up.question in choice.beats()
    assert set(choice.faults) <= set(line1.kb.faults)
    assert choice.rules and all(r.startswith("network-wired/") for r in choice.rules)
    data = choice.as_dict()
    assert data["question"] == choice.question and data["splits"]


def test_after_waits_for_its_questions(office: CompiledKnowledge) -> None:
    known: dict[str, FactValue] = {"intake.complaint": "tp_printer_dead", "tp_power_led": True}
    assert "tp_note" not in candidates(office, known)
    assert "tp_note" in candidates(office, {**known, "tp_jam": False})
    assert "tp_note" not in relevant_questions(office, {**known, "tp_jam": True})


def test_a_derived_fact_nothing_can_derive_keeps_no_question_alive(
    line1: CompiledKnowledge,
) -> None:
    # cable not seated: no_link_isolated can never derive wired_physical_problem,
    # so the spare-cable question matters to no possible rule
    known: dict[str, FactValue] = {**WIRED_COMPLAINT, "wired_cable_seated": False}
    assert closure(line1, known)["wired_physical_problem"] is UNKNOWN
    assert "wired_other_cable_works" not in relevant_questions(line1, known)


def test_ruled_out_faults_stop_mattering(line1: CompiledKnowledge) -> None:
    known: dict[str, FactValue] = {
        **WIRED_COMPLAINT,
        "wired_cable_seated": True,
        "wired_link_light": False,
        "wired_neighbours_ok": True,
    }
    assert "wired_other_cable_works" in relevant_questions(line1, known)
    gone = relevant_questions(
        line1, known, ruled_out=["wired_cable_faulty", "wired_wall_port_dead"]
    )
    assert "wired_other_cable_works" not in gone


def test_escalation_is_a_priced_option(line1: CompiledKnowledge) -> None:
    known: dict[str, FactValue] = {**WIRED_COMPLAINT, "wired_cable_seated": True}
    cheap = next_question(line1, known, escalation_cost=0.01)
    dear = next_question(line1, known, escalation_cost=1000)
    assert cheap is not None and dear is not None
    assert not cheap.worthwhile and dear.worthwhile
    assert cheap.escalation_rate > dear.escalation_rate


def test_numbers_get_one_value_per_region(office: CompiledKnowledge) -> None:
    values = answer_values(office, "tp_psu_volts")
    assert any(v < 200 for v in values) and any(200 <= v <= 300 for v in values)  # type: ignore[operator]
    assert all(0 <= v <= 300 for v in values)  # type: ignore[operator]


def test_baseline_asks_in_declared_order(line1: CompiledKnowledge) -> None:
    known: dict[str, FactValue] = {**WIRED_COMPLAINT, "wired_cable_seated": True}
    base = declared_order(line1, known)
    assert base is not None
    assert base.question == candidates(line1, known)[0]


ANSWERS: dict[str, list[Any]] = {
    "wired_cable_seated": [True, False, UNKNOWN],
    "wired_link_light": [True, False, UNKNOWN],
    "wired_neighbours_ok": [True, False, UNKNOWN],
    "wired_other_cable_works": [True, False, UNKNOWN],
    "wired_ip_kind": ["normal", "self_assigned", "none", UNKNOWN],
    "wired_adapter_enabled": [True, False, UNKNOWN],
}


@settings(max_examples=60, deadline=None)
@given(
    st.fixed_dictionaries(
        {}, optional={q: st.sampled_from(values) for q, values in ANSWERS.items()}
    ),
    st.lists(st.sampled_from(sorted(load_knowledge().for_line(1).faults)), max_size=2),
)
def test_never_asks_a_known_or_irrelevant_question(
    line1: CompiledKnowledge, answers: dict[str, Any], ruled_out: list[str]
) -> None:
    known: dict[str, FactValue] = {**WIRED_COMPLAINT, **answers}
    choice = next_question(line1, known, ruled_out=ruled_out)
    facts = closure(line1, known)
    if choice is None:
        return
    question = choice.question
    assert question not in facts, "asked a question whose answer is known"
    # relevant: some possible rule (pending, with an outcome not ruled out) depends on it
    assert question in open_questions(line1, facts)
    possible = [
        r for r in line1.rules if not r.ref.rule.fallback and evaluate(r.nnf, facts) is TV.PENDING
    ]
    assert any(
        question in {leaf.key for leaf in r.leaves()} or r.qualified in choice.rules
        for r in possible
    )
    assert set(choice.rules) <= {r.qualified for r in possible}
    # deterministic
    again = next_question(line1, dict(reversed(list(known.items()))), ruled_out=ruled_out)
    assert again is not None and again.question == question


def _closure_by_passes(compiled: CompiledKnowledge, known: dict[str, FactValue]) -> dict[str, Any]:
    """The reference: full passes over every derived fact until nothing changes."""
    facts: dict[str, Any] = dict(known)
    derivers: dict[str, list[Any]] = {}
    for rule in compiled.rules:
        for then in rule.ref.rule.then:
            if then.derive is not None:
                derivers.setdefault(then.derive, []).append((rule, then.value))
    changed = True
    while changed:
        changed = False
        for key, rules in derivers.items():
            if key not in facts:
                held = [v for r, v in rules if evaluate(r.nnf, facts) is TV.TRUE and v is not None]
                if held:
                    facts[key] = held[0]
                    changed = True
        if changed:
            continue
        for key, rules in derivers.items():
            unsettled = key not in facts and key not in compiled.kb.questions
            if unsettled and not any(can_hold(r.nnf, facts) for r, _ in rules):
                facts[key] = UNKNOWN
                changed = True
    return facts


def _any_answers(
    compiled: CompiledKnowledge, packs: set[str] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    kb = compiled.kb
    questions = sorted(q for q in kb.questions if packs is None or kb.owner[q] in packs)
    return st.dictionaries(
        st.sampled_from(questions).flatmap(
            lambda q: st.tuples(st.just(q), st.sampled_from([*answer_values(compiled, q), UNKNOWN]))
        ),
        st.none(),
        max_size=25,
    ).map(lambda pairs: dict(pairs))


LINE1 = compile_knowledge(load_knowledge().for_line(1), name="Line1Closure")


@settings(max_examples=150, deadline=None)
@given(_any_answers(LINE1), st.sampled_from([None, "wired_no_network", "print_not_printing"]))
def test_closure_visits_only_touched_rules_yet_matches_full_passes(
    answers: dict[str, Any], complaint: str | None
) -> None:
    known: dict[str, FactValue] = dict(answers)
    if complaint is not None:
        known["intake.complaint"] = complaint
    assert closure(LINE1, known) == _closure_by_passes(LINE1, known)
    stops = [r.priority for r in LINE1.rules if r.ref.rule.stop and not r.ref.rule.fallback]
    held = [
        r.priority
        for r in LINE1.rules
        if r.ref.rule.stop and not r.ref.rule.fallback and evaluate(r.nnf, known) is TV.TRUE
    ]
    assert stops, "the shipped packs have stop rules"
    assert stop_floor(LINE1, known) == (max(held) if held else -math.inf)


def _scored_from_scratch(
    compiled: CompiledKnowledge, known: dict[str, FactValue], ruled: set[str], question: str
) -> tuple[float, float]:
    """The reference score: every hypothesis re-weighed from scratch after each answer."""
    index = policy_index(compiled)
    focus = focus_packs(compiled, known)
    facts = closure(compiled, known)
    alive = hypotheses_now(index, facts, ruled, focus, DEFAULT_THRESHOLD).alive
    outcomes = []
    for value in answer_values(compiled, question):
        learnt = closure(compiled, {**facts, question: value})
        after = hypotheses_now(index, learnt, ruled, focus, DEFAULT_THRESHOLD)
        # an escalation the answer makes hold is settled by it, not ruled out
        holding = {
            escalation_id(r) for r in index.escalators if evaluate(r.nnf, learnt) is TV.TRUE
        } & set(alive)
        outcomes.append(({h for h in alive if h in after.alive} | holding, after.firm | holding))
    fits = {h: sum(1 for kept, _ in outcomes if h in kept) for h in alive}
    total = sum(w for _, w, _ in alive.values())
    expected = resolve = 0.0
    for kept, firm in outcomes:
        mass = {
            h: w / total / (fits[h] or len(outcomes))
            for h, (_, w, _) in alive.items()
            if h in kept or not fits[h]
        }
        if sum(mass.values()) > 0:
            expected += sum(mass.values()) * entropy(mass.values())
            resolve += sum(m for h, m in mass.items() if group(h) in firm)
    return max(0.0, entropy(w for _, w, _ in alive.values()) - expected), min(1.0, resolve)


@settings(max_examples=80, deadline=None)
@given(
    _any_answers(LINE1, {"network-wired", "printer", "wifi"}),
    st.sampled_from(["wired_no_network", "print_not_printing", "wifi_no_connection"]),
    st.lists(st.sampled_from(sorted(LINE1.kb.faults)), max_size=2),
)
def test_scoring_what_an_answer_touches_equals_scoring_from_scratch(
    answers: dict[str, Any], complaint: str, ruled_out: list[str]
) -> None:
    known: dict[str, FactValue] = {"intake.complaint": complaint, **answers}
    choice = next_question(LINE1, known, ruled_out=ruled_out)
    if choice is None:
        return
    for scored in choice.candidates:
        gain, resolve = _scored_from_scratch(LINE1, known, set(ruled_out), scored.question)
        assert scored.gain == pytest.approx(gain, abs=1e-9), scored.question
        assert scored.resolve == pytest.approx(resolve, abs=1e-9), scored.question


def _golden_states() -> list[dict[str, FactValue]]:
    """Line 1 golden cases with their last one or two answers not yet given: states
    where a fault is often firm already and a remaining question still touches it."""
    states = []
    for path in golden_files():
        loaded = read_case_input(path)
        if loaded.case.line != 1:
            continue
        facts = to_facts(LINE1.kb, loaded.case.intake, loaded.case.answers, loaded.source)
        known = {f.key: f.value for f in facts}
        answered = [k for k in known if not k.startswith("intake.")]
        for drop in (1, 2):
            if len(answered) > drop:
                states.append({k: v for k, v in known.items() if k not in answered[-drop:]})
    return states


def test_scoring_matches_from_scratch_on_golden_states() -> None:
    checked = 0
    for known in _golden_states():
        choice = next_question(LINE1, known)
        for scored in choice.candidates if choice is not None else ():
            gain, resolve = _scored_from_scratch(LINE1, known, set(), scored.question)
            assert scored.gain == pytest.approx(gain, abs=1e-9), (known, scored.question)
            assert scored.resolve == pytest.approx(resolve, abs=1e-9), (known, scored.question)
            checked += 1
    assert checked > 50


def test_a_fresh_compile_sees_every_stop_rule_on_the_first_call() -> None:
    """Regression: building the stop-rule index once overwrote the `keys` argument, so
    the first call on a new compiled knowledge missed the stop rules on other keys."""
    known: dict[str, FactValue] = {"wired_cable_seated": False}
    held = [
        r.priority
        for r in LINE1.rules
        if r.ref.rule.stop and not r.ref.rule.fallback and evaluate(r.nnf, known) is TV.TRUE
    ]
    assert held, "the shipped packs have a stop rule on wired_cable_seated"
    fresh = compile_knowledge(load_knowledge().for_line(1), name="FreshStops")
    assert stop_floor(fresh, known) == max(held)
    again = compile_knowledge(load_knowledge().for_line(1), name="FreshChoice")
    state: dict[str, FactValue] = {**WIRED_COMPLAINT, **known}
    first, later = next_question(again, state), next_question(again, state)
    assert (first and first.question) == (later and later.question)
