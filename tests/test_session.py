"""The guided session as a state machine: fixes, budgets, back, and the handoff packet."""

from __future__ import annotations

import pytest

from cases.sla import load_service_levels
from engine.compile import CompiledKnowledge
from engine.facts import FactSet
from engine.handoff import build_handoff
from engine.session import Ask, Budget, Escalate, NothingToUndo, ProposeFix, Record, Session


def _session(line1: CompiledKnowledge, budget: Budget | None = None) -> Session:
    facts = FactSet()
    facts.intake(line1.kb, "complaint", "wired_no_network")
    return Session(line1, Record(facts), line=1, budget=budget)


def _ask(session: Session) -> str:
    step = session.step()
    assert isinstance(step, Ask), step
    return step.question.id


def test_fix_worked_resolves_and_fix_failed_rules_out(line1: CompiledKnowledge) -> None:
    session = _session(line1)
    assert _ask(session) == "wired_cable_seated"
    session.answer("wired_cable_seated", "no")
    step = session.step()
    assert isinstance(step, ProposeFix) and step.fault.id == "wired_cable_unplugged"
    session.fix_result("wired_cable_unplugged", worked=False, at="t1")
    assert "did not work" in session.record.ruled_out["wired_cable_unplugged"]
    after = session.step()
    assert isinstance(after, Escalate) and after.escalation.kind == "fix_failed"
    packet = build_handoff(
        session, after, opened_at="2025-01-01T10:00:00", at="2025-01-01T10:30:00"
    )
    assert packet.ruled_out == {
        "wired_cable_unplugged": session.record.ruled_out["wired_cable_unplugged"]
    }
    assert packet.elapsed_minutes == 30 and packet.minutes_by_line == {"1": 1.0}
    assert [q["question"] for q in packet.questions] == ["wired_cable_seated"]
    assert {f["key"] for f in packet.facts} >= {"wired_cable_seated", "intake.complaint"}


def test_question_budget_escalates(line1: CompiledKnowledge) -> None:
    session = _session(line1, Budget(questions=2))
    session.answer(_ask(session), "yes")
    session.answer(_ask(session), "no")
    step = session.step()
    assert isinstance(step, Escalate) and step.escalation.kind == "question_budget"
    assert step.escalation.to_line == 2


def test_time_budget_escalates(line1: CompiledKnowledge) -> None:
    session = _session(line1, Budget(minutes=2))
    session.answer(_ask(session), "yes")  # 1 minute
    session.answer(_ask(session), "unknown")  # 1 more: the budget is spent
    step = session.step()
    assert isinstance(step, Escalate) and step.escalation.kind == "sla_spent"


def test_back_undoes_only_this_lines_answers(line1: CompiledKnowledge) -> None:
    session = _session(line1)
    with pytest.raises(NothingToUndo):
        session.back()
    session.answer("wired_cable_seated", "yes")
    assert session.back().question == "wired_cable_seated"
    assert "wired_cable_seated" not in session.record.facts


def test_shipped_service_levels_cover_every_form() -> None:
    levels = load_service_levels()
    premium, paid = levels.budget("premium", 1), levels.budget("paid", 1)
    assert premium.escalation_cost is not None and paid.escalation_cost is not None
    assert premium.escalation_cost < paid.escalation_cost  # premium escalates sooner
    assert levels.budget(None, 1) == paid  # the default form
    clock = levels.clock("premium", "2025-01-01T10:00:00+00:00", "2025-01-01T11:00:00+00:00")
    # the vendor's deadline: the premium resolution target of Line 4 (cases/sla.yaml: 72 h)
    assert levels.resolution("premium", 4) == 72
    assert clock.deadline == "2025-01-04T10:00:00+00:00" and clock.elapsed_minutes == 60
