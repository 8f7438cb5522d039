"""Regression: a Line 2 session never escalates 'up' to Line 2 because of a required Line 1 pack.

Found by `linewise cases simulate` on the full shipped set: a Line 1 pack's
`escalate: 2` rule, pulled into Line 2 by `requires`, made the session hand the
case to its own line again and again.
"""

from __future__ import annotations

from pathlib import Path

from engine.compile import compile_knowledge
from engine.facts import FactSet
from engine.session import Budget, Escalate, Record, Session
from rules.knowledge import load_knowledge

LINE1 = """id: first
version: 1.0.0
line: 1
title: First
symptoms: [{id: broken, title: Broken}]
questions:
  - {id: q_one, text: One?, type: yesno}
faults:
  - {id: f_one, title: One, fix: [Fix one], line: 1, prior: 0.5}
rules:
  - id: one_fixes
    when: {question: q_one, equals: no}
    then: [{conclude: f_one}]
  - id: one_up
    when: {question: q_one, equals: yes}
    then: [{escalate: 2, reason: Line 2 checks it}]
"""
LINE2 = """id: second
version: 1.0.0
line: 2
title: Second
requires: [first]
questions:
  - {id: q_two, text: Two?, type: yesno}
  - {id: q_slow, text: Slow?, type: yesno, cost: 1000}
faults:
  - {id: f_two, title: Two, fix: [Fix two], line: 2, prior: 0.5}
  - {id: f_slow, title: Slow, fix: [Fix slow], line: 2, prior: 0.01}
rules:
  - id: slow_fixes
    when: {all: [{question: q_one, equals: yes}, {question: q_slow, equals: yes}]}
    then: [{conclude: f_slow}]
  - id: two_fixes
    when: {all: [{question: q_one, equals: yes}, {question: q_two, equals: yes}]}
    then: [{conclude: f_two}]
"""


def test_line_2_escalates_to_line_3_not_to_itself(tmp_path: Path) -> None:
    (tmp_path / "first.yaml").write_text(LINE1, encoding="utf-8")
    (tmp_path / "second.yaml").write_text(LINE2, encoding="utf-8")
    kb = load_knowledge([tmp_path])
    compiled = compile_knowledge(kb.for_line(2), name="Line2Regression")
    facts = FactSet()
    facts.intake(compiled.kb, "complaint", "broken")
    facts.answer(compiled.kb, "q_one", "yes")
    budget = Budget(escalation_cost=30)  # q_slow (1000 minutes) is not worth asking
    session = Session(compiled, Record(facts), line=2, budget=budget)
    session.answer("q_two", "no")
    step = session.step()
    assert isinstance(step, Escalate)
    assert step.escalation.to_line == 3, step.escalation
