"""Routing that fits the knowledge (issue 13.1, 16.17, 16.19): a case is only ever run on
the packs with knowledge for its complaint, and lands by hand where a line has none."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from cases.desk import Desk
from cases.desk_errors import NoGuidedKnowledge
from cases.memstore import MemoryStore
from engine.compile import compile_knowledge
from engine.diagnose import diagnose
from engine.facts import FactSet
from engine.guided import guided_tree
from engine.moot import moot_questions
from engine.select import answer_values
from engine.session import Ask, Escalate, ProposeFix
from present.handoff import handoff_document
from rules.knowledge import KnowledgeBase, leaves, load_knowledge
from rules.scope import complaint_map, line_knows, named_complaints, packs_for

PATHS_PER_COMPLAINT = 4


def _complaints(kb: KnowledgeBase) -> list[str]:
    return sorted({s for p in kb.packs.values() for s in (x.id for x in p.pack.symptoms)})


def _walk(desk: Desk, complaint: str, line: int, rng: random.Random) -> list[tuple[int, str]]:
    """One case with random answers (and fixes that never work), from `line` up through
    every line that has guided knowledge; (line, question) for every question asked."""
    live = desk.open({"complaint": complaint, "service_form": "paid"}, line)
    asked: list[tuple[int, str]] = []
    for _ in range(120):
        step = live.session.step()
        if isinstance(step, Ask):
            asked.append((live.line, step.question.id))
            values = [*answer_values(live.session.compiled, step.question.id), "unknown"]
            value = rng.choice(values)
            live.answer(
                step.question.id, "yes" if value is True else "no" if value is False else value
            )
        elif isinstance(step, ProposeFix):
            live.fix(step.fault.id, rng.random() < 0.3)
        elif isinstance(step, Escalate):
            live.escalate(step)
            if step.final or step.escalation.to_line > 4:
                return asked
            if not desk.guided(step.escalation.to_line, complaint):
                with pytest.raises(NoGuidedKnowledge, match="without guided knowledge"):
                    desk.resume(live.case_id)
                return asked
            live = desk.resume(live.case_id)
        else:
            return asked
    raise AssertionError(f"a {complaint} case did not end: {asked}")


def _complaint_packs(kb: KnowledgeBase, complaint: str) -> set[str]:
    """The packs with knowledge for the complaint, and the packs whose questions their
    rules for this complaint use (a Line 2 rule may ask a Line 1 question)."""
    knowing = set(packs_for([p.pack for p in kb.packs.values()], complaint))
    used = set(knowing)
    for ref in kb.rules:
        if ref.pack_id not in knowing or ref.rule.when is None:
            continue
        named = set(named_complaints(ref.rule.when))
        if named and complaint not in named:
            continue
        used.update(kb.owner[leaf.question] for leaf in leaves(ref.rule.when) if leaf.question)
    return used


@pytest.mark.slow
def test_no_session_asks_outside_its_complaints_packs(shipped_kb: KnowledgeBase) -> None:
    """Property over every complaint and every line that knows it: random customers, and
    every question asked on every line belongs to the complaint's packs."""
    desk = Desk(MemoryStore(), shipped_kb)
    packs = [p.pack for p in shipped_kb.packs.values()]
    owner = shipped_kb.owner
    checked = 0
    for complaint in _complaints(shipped_kb):
        allowed = _complaint_packs(shipped_kb, complaint)
        if complaint.startswith(("print_", "peri_", "sw_")):  # the cases of issue 13
            assert "network-wired" not in allowed
        for line in shipped_kb.lines():
            if not line_knows(packs, line, complaint):
                continue
            rng = random.Random(f"{complaint}:{line}")
            for _ in range(PATHS_PER_COMPLAINT):
                for at, question in _walk(desk, complaint, line, rng):
                    assert owner[question] in allowed, (complaint, at, question, allowed)
                    checked += 1
    assert checked > 200


def test_printer_case_at_line_2_is_worked_by_hand(shipped_kb: KnowledgeBase) -> None:
    """The printer case that used to be asked about the network cable at Line 2."""
    desk = Desk(MemoryStore(), shipped_kb)
    live = desk.open({"complaint": "print_not_printing", "service_form": "paid"})
    answers = {"print_printer_on": "yes", "print_display_error": "ready"}
    while True:
        step = live.session.step()
        if not isinstance(step, Ask):
            break
        live.answer(step.question.id, answers.get(step.question.id, "unknown"))
    assert isinstance(step, Escalate) and step.escalation.to_line == 2
    packet = live.escalate(step)
    assert packet.guided is False
    doc = handoff_document(packet, shipped_kb, "en")
    assert doc.sections[0].key == "by_hand"
    assert "Line 2 has no guided knowledge for “Nothing comes out of the printer”" in (
        doc.sections[0].items[0].text
    )
    ru = handoff_document(packet, shipped_kb, "ru")
    assert "вручную" in ru.sections[0].items[0].text
    with pytest.raises(NoGuidedKnowledge, match="Line 2's queue without guided knowledge"):
        desk.resume(live.case_id)


def test_a_wired_case_at_line_2_is_guided(shipped_kb: KnowledgeBase) -> None:
    desk = Desk(MemoryStore(), shipped_kb)
    assert desk.guided(2, "wired_no_network") and not desk.guided(2, "print_not_printing")
    assert not desk.guided(3, "wired_no_network")
    # network-l2 requires the Wi-Fi and VPN packs, but knows wired cases: those are not
    # a wired case's packs
    allowed = packs_for([p.pack for p in shipped_kb.packs.values()], "wired_no_network")
    assert allowed == ["network-l2", "network-wired"]


TWO_PACKS = {
    "alpha.yaml": """id: alpha
version: 1.0.0
line: 1
title: Alpha
symptoms: [{id: alpha_broken, title: Alpha broken}]
questions: [{id: qa, text: A?, type: yesno}]
faults: [{id: fa, title: FA, fix: [Fix], line: 1, prior: 0.5}]
rules:
  - {id: ra, when: {question: qa, equals: yes}, then: [{conclude: fa}]}
  - {id: alpha_other, fallback: true, then: [{escalate: 2, reason: Alpha catch-all}]}
""",
    "beta.yaml": """id: beta
version: 1.0.0
line: 1
title: Beta
symptoms: [{id: beta_broken, title: Beta broken}]
questions: [{id: qb, text: B?, type: yesno}]
faults: [{id: fb, title: FB, fix: [Fix], line: 1, prior: 0.5}]
rules:
  - {id: rb, when: {question: qb, equals: yes}, then: [{conclude: fb}]}
  - {id: beta_other, fallback: true, then: [{escalate: 2, reason: Beta catch-all}]}
""",
}


def test_a_fallback_without_when_answers_only_its_packs_complaints(tmp_path: Path) -> None:
    for name, text in TWO_PACKS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    kb = load_knowledge([tmp_path])
    compiled = compile_knowledge(kb, name="FallbackScope")
    facts = FactSet()
    facts.intake(kb, "complaint", "beta_broken")
    facts.answer(kb, "qb", "no")
    result = diagnose(compiled, facts, line=1)
    assert result.outcome.kind == "escalate"
    assert [e.reason for e in result.escalations] == ["Beta catch-all"]
    assert complaint_map(p.pack for p in kb.packs.values()) == {
        "alpha": frozenset({"alpha_broken"}),
        "beta": frozenset({"beta_broken"}),
    }


CHAIN = """id: chain
version: 1.0.0
line: 1
title: Chain
symptoms: [{id: odd, title: Odd}]
questions:
  - {id: q_a, text: A?, type: yesno}
  - {id: q_b, text: B?, type: yesno}
facts: [{id: f_mid, text: Mid, type: yesno}]
faults: [{id: f_x, title: X, fix: [Fix], line: 1, prior: 0.5}]
rules:
  - {id: mid, when: {question: q_a, equals: yes}, then: [{derive: f_mid, value: yes}]}
  - id: x
    when: {all: [{fact: f_mid, equals: yes}, {question: q_b, equals: yes}]}
    then: [{conclude: f_x}]
  - id: other
    fallback: true
    when: {intake: complaint, equals: odd}
    then: [{escalate: 2, reason: Nothing fits}]
"""


@pytest.mark.parametrize("a_answer", ["no", "unknown"])
def test_a_dead_derived_fact_does_not_stall_a_fallback(tmp_path: Path, a_answer: str) -> None:
    """16.17: 'f_mid' can no longer be derived, so 'q_b' cannot change anything and the
    fallback escalates (it used to stay 'incomplete' with q_b open)."""
    (tmp_path / "chain.yaml").write_text(CHAIN, encoding="utf-8")
    kb = load_knowledge([tmp_path])
    compiled = compile_knowledge(kb, name="DeadDerived")
    facts = FactSet()
    facts.intake(kb, "complaint", "odd")
    facts.answer(kb, "q_a", a_answer)
    result = diagnose(compiled, facts, line=1)
    assert result.outcome.kind == "escalate", result.outcome
    assert result.outcome.open_questions == []
    facts.answer(kb, "q_a", "yes")  # derivable again: q_b matters
    assert diagnose(compiled, facts, line=1).outcome.open_questions == ["q_b"]


MOOT = """id: lamp
version: 1.0.0
line: 1
title: Lamp
symptoms: [{id: lamp_dark, title: Dark lamp}]
questions:
  - {id: lamp_plugged, text: Plugged in?, type: yesno, order: 1}
  - id: lamp_bulb_kind
    text: What kind of bulb?
    type: choice
    order: 2
    options: [{value: led, text: LED}, {value: halogen, text: Halogen}]
faults:
  - {id: lamp_unplugged, title: Unplugged, fix: [Plug it in], line: 1, prior: 0.5}
  - {id: lamp_bulb, title: Bulb gone, fix: [Change the bulb], line: 1, prior: 0.5}
rules:
  - {id: unplugged, stop: true, priority: 10, when: {question: lamp_plugged, equals: no},
     then: [{conclude: lamp_unplugged}]}
  - id: led_gone
    when: {all: [{question: lamp_plugged, equals: yes}, {question: lamp_bulb_kind, equals: led}]}
    then: [{conclude: lamp_bulb}]
  - id: halogen_gone
    when: {all: [{question: lamp_plugged, equals: yes},
                 {question: lamp_bulb_kind, equals: halogen}]}
    then: [{conclude: lamp_bulb}]
"""


def test_a_question_every_answer_of_which_leads_to_the_same_place_is_found(
    tmp_path: Path,
) -> None:
    """13.2: the sense check behind the review: the bulb's kind changes nothing."""
    (tmp_path / "lamp.yaml").write_text(MOOT, encoding="utf-8")
    kb = load_knowledge([tmp_path])
    found = moot_questions(compile_knowledge(kb, name="Moot"), line=1, symptoms=["lamp_dark"])
    assert [(m.question, m.answers, m.outcome) for m in found] == [
        ("lamp_bulb_kind", (("lamp_plugged", "yes"),), ("fault", "lamp_bulb", None))
    ]


def test_the_reviewed_printer_path_has_no_moot_output_question(shipped_kb: KnowledgeBase) -> None:
    """After "nothing comes out", the printer never asks what the printouts look like."""
    compiled = compile_knowledge(shipped_kb.for_line(1), name="PrinterMoot")
    tree = guided_tree(compiled, line=1, symptoms=["print_not_printing"], max_nodes=400)
    assert all(n.question != "print_output_issue" for n in tree.nodes())
