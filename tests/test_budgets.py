"""`pack check` W114: a fault out of reach within a form of service's budget (issue 16.5).

The finding is a lower bound, so it must agree with what a session really does: on the
planted long procedure, a premium session (12 questions at Line 1) escalates for the
budget with every step answered as the fault needs, and a paid one (15) reaches the fault.
"""

from __future__ import annotations

from pathlib import Path

from cases.sla import load_service_levels
from engine.compile import compile_knowledge
from engine.facts import FactSet
from engine.session import Ask, Escalate, ProposeFix, Record, Session, Step
from engine.verify import check_paths, load_for_check, verify
from rules.intake import SERVICE_FORMS
from rules.knowledge import KnowledgeBase, load_knowledge
from tests.conftest import DATA

PACK = DATA / "check" / "over_budget.yaml"


def _run(kb: KnowledgeBase, form: str, answers: dict[str, str]) -> Step:
    compiled = compile_knowledge(kb, name="Budget")
    facts = FactSet()
    facts.intake(kb, "complaint", "long_trouble")
    facts.intake(kb, "service_form", form)
    budget = load_service_levels().budget(form, 1)
    session = Session(compiled, Record(facts), line=1, budget=budget)
    step = session.step()
    while isinstance(step, Ask):
        session.answer(step.question.id, answers.get(step.question.id, "yes"))
        step = session.step()
    return step


def test_the_budget_finding_is_what_sessions_do() -> None:
    kb = load_knowledge([PACK])
    deep = {f"step_{i:02d}": "yes" for i in range(1, 14)}
    premium = _run(kb, "premium", deep)
    assert isinstance(premium, Escalate) and premium.escalation.kind == "question_budget"
    paid = _run(kb, "paid", deep)
    assert isinstance(paid, ProposeFix) and paid.fault.id == "deep_fault"


def test_budgets_are_checked_only_when_given() -> None:
    """Without service levels (a library caller) there is nothing to compare with."""
    assert not [f for f in check_paths([PACK]).findings if f.code == "W114"]


def test_a_fault_gated_to_another_form_is_not_held_to_premium(tmp_path: Path) -> None:
    folder = tmp_path
    text = PACK.read_text(encoding="utf-8").replace(
        "        - {question: step_01, equals: yes}\n",
        "        - {intake: service_form, equals: paid}\n"
        "        - {question: step_01, equals: yes}\n",
    )
    (folder / "p.yaml").write_text(text, encoding="utf-8")
    levels = load_service_levels()
    budgets = {f: {n: levels.budget(f, n) for n in range(1, 5)} for f in SERVICE_FORMS}
    found = verify(load_for_check([folder]), budgets=budgets).findings
    deep = [f for f in found if f.code == "W114" and "deep_fault" in f.message]
    assert deep == []


def test_publishing_holds_faults_to_the_budgets_too() -> None:
    """`pack publish` runs the same checker, so a strict publish refuses W114 as well."""
    from cases import cache
    from cases.publish import verification_problems

    files = cache.resolve_files([PACK])
    problems = verification_problems(files, "procedure", strict=True)
    assert any("W114" in p and "deep_fault" in p for p in problems), problems
