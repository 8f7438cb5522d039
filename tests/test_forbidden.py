"""A procedure never asks for an action its own escalation forbids (issue 13 item 2).

`pack check` W113 reads it from the packs (`actions` on questions, `forbids` on an
escalation); these tests check the finding's reasoning through derived facts, and that the
shipped Line 2 workshop, under warranty, never asks to open the case on any path.
"""

from __future__ import annotations

import shutil
from collections import deque
from pathlib import Path

import pytest

from cases.golden import load_golden
from engine.compile import compile_knowledge
from engine.facts import FactSet
from engine.guided import guided_tree
from engine.select import answer_values
from engine.session import Ask, Asked, Record, Session
from engine.verify import check_paths
from rules.knowledge import KnowledgeBase, load_knowledge
from tests.conftest import ROOT

VIA_FACT = """id: bench
version: 1.0.0
line: 2
title: Bench
symptoms: [{id: dead, title: Dead}]
questions:
  - {id: board_burnt, text: With the case open is the board burnt?, type: yesno,
     actions: [open_case]}
  - {id: psu_ok, text: Is the charger fine?, type: yesno}
facts:
  - {id: part_failed, text: A part failed, type: yesno}
faults:
  - {id: board, title: Board, fix: [Replace it], line: 2, prior: 0.5}
  - {id: charger, title: Charger, fix: [Replace it], line: 2, prior: 0.5}
rules:
  - id: burnt
    when: {question: board_burnt, equals: yes}
    then: [{conclude: board}, {derive: part_failed, value: yes}]
  - id: to_vendor
    priority: 5
    when:
      all:
        - {intake: service_form, equals: warranty}
        - {fact: part_failed, equals: yes}
    then: [{escalate: 4, reason: Opening voids the warranty, forbids: [open_case]}]
"""


def test_a_question_needed_through_a_derived_fact_counts(tmp_path: Path) -> None:
    """The only way to derive 'part_failed' is to open the case: the escalation needs it."""
    (tmp_path / "bench.yaml").write_text(VIA_FACT, encoding="utf-8")
    found = [f for f in check_paths([tmp_path]).findings if f.code == "W113"]
    assert [f.details.get("question") for f in found] == ["board_burnt"]
    assert "fires only once" in found[0].message and "to_vendor" in found[0].message


def test_forbids_goes_with_escalate(tmp_path: Path) -> None:
    text = VIA_FACT.replace("then: [{conclude: board}", "then: [{conclude: board, forbids: [x]}")
    (tmp_path / "bench.yaml").write_text(text, encoding="utf-8")
    from rules.errors import PackError

    with pytest.raises(PackError, match="'forbids' goes with 'escalate'"):
        load_knowledge([tmp_path])


def _forbidden(kb: KnowledgeBase, line: int) -> set[str]:
    return {
        action
        for item in kb.packs.values()
        if item.pack.line == line
        for rule in item.pack.rules
        for then in rule.then
        for action in then.forbids
    }


def _opening_asks(kb: KnowledgeBase, golden: str, bound: int = 150) -> list[str]:
    """Every Line 2 path after the Line 1 answers of a golden case, walked breadth first
    with the session's own policy: the questions asked that do a forbidden action."""
    case = load_golden(ROOT / "cases" / "golden" / "hardware-l2" / f"{golden}.yaml")
    compiled = compile_knowledge(kb.for_line(2), name="Warranty")
    kb = compiled.kb
    forbidden = _forbidden(kb, 2)
    line1 = {q: v for q, v in case.case.answers.items() if kb.packs[kb.owner[q]].pack.line == 1}
    start: tuple[tuple[str, object], ...] = ()
    queue = deque([start])
    walked = 0
    found: list[str] = []
    while queue:
        answers = queue.popleft()
        walked += 1
        assert walked <= bound, "the walk was cut short: raise the bound"
        facts = FactSet()
        for name, raw in case.case.intake.items():
            facts.intake(kb, name, raw)
        record = Record(facts)
        for qid, raw in line1.items():
            fact = facts.answer(kb, qid, raw)
            record.asked.append(Asked(qid, fact.value, 1, "-", 1.0))
        session = Session(compiled, record, line=2)
        for qid, value in answers:
            session.answer(qid, value)
        step = session.step()
        if not isinstance(step, Ask):
            continue
        if set(step.question.actions) & forbidden:
            found.append(step.question.id)
        queue.extend(
            (*answers, (step.question.id, v)) for v in answer_values(compiled, step.question.id)
        )
    return found


GOLDEN = [
    "hw-warranty-beeps-not-opened",
    "hw-warranty-dead-psu-not-swapped",
    "hw-warranty-not-opened",
]


@pytest.mark.parametrize("golden", GOLDEN)
def test_under_warranty_line_2_never_asks_to_open_the_case(
    shipped_kb: KnowledgeBase, golden: str
) -> None:
    assert "open_case" in _forbidden(shipped_kb, 2)
    assert _opening_asks(shipped_kb, golden) == []


def test_the_kept_workshop_version_asked_to_open_the_case(tmp_path: Path) -> None:
    """The walk can fail: version 1.1.0 (kept for replay) needed the liquid check under
    warranty before it escalated because opening voids the warranty."""
    for line in ("line1", "line2", "line4"):
        shutil.copytree(ROOT / "rules" / line, tmp_path / line)
    old = (ROOT / "cases" / "pack_history" / "hardware-l2-1.1.0.yaml").read_text(encoding="utf-8")
    marked = old.replace(
        "    cost: 5\n    order: 1\n", "    cost: 5\n    order: 1\n    actions: [open_case]\n"
    ).replace("      - escalate: 4\n", "      - escalate: 4\n        forbids: [open_case]\n")
    (tmp_path / "line2" / "hardware_l2.yaml").write_text(marked, encoding="utf-8")
    kb = load_knowledge([tmp_path])
    assert _opening_asks(kb, "hw-warranty-beeps-not-opened") == ["hw_liquid_traces"]


def _powered_before_spill(kb: KnowledgeBase) -> list[str]:
    """Line 1 boot paths (the session's own, engine.guided) that end in the spill
    escalation ("do not power it on again") after a question that powers it on."""
    compiled = compile_knowledge(kb.for_line(1), name="Spill")
    forbidden = _forbidden(compiled.kb, 1)
    bad: list[str] = []
    for complaint in ("boot_no_power", "boot_no_start"):
        tree = guided_tree(compiled, line=1, symptoms=[complaint], max_nodes=400)
        assert tree.truncated == 0
        for node in tree.nodes():
            if node.kind != "escalation" or "power it on" not in node.reason:
                continue
            done = [q for q, _ in node.answers if set(compiled.kb.questions[q].actions) & forbidden]
            bad.extend(f"{node.id}: {q}" for q in done)
    return bad


def test_a_wet_or_dropped_computer_is_never_switched_on_first(shipped_kb: KnowledgeBase) -> None:
    assert "power_on" in _forbidden(shipped_kb, 1)
    assert _powered_before_spill(shipped_kb) == []


def test_the_power_pack_settles_what_happened_before_power_on(tmp_path: Path) -> None:
    """Version 1.0.0 (kept for replay) left it to the question policy to ask what happened
    before pressing the power button; without `after` pack check cannot rely on that, and
    says so (W113) at every rule that may switch on a dropped or wet computer."""
    shutil.copytree(ROOT / "rules" / "line1", tmp_path / "line1")
    current = (tmp_path / "line1" / "power_boot.yaml").read_text(encoding="utf-8")
    unordered = current.replace(
        "    after: [boot_recent_change]  # a dropped or wet computer is not switched on\n", ""
    )
    assert unordered != current
    (tmp_path / "line1" / "power_boot.yaml").write_text(unordered, encoding="utf-8")
    found = [f for f in check_paths([tmp_path]).findings if f.code == "W113"]
    assert found and all("boot_spill_or_drop" in f.message for f in found)
    assert {f.details["question"] for f in found} >= {"boot_fans_spin", "boot_screen_state"}
