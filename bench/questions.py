"""Benchmark (not a test): questions per diagnosis over the golden cases, two policies.

Each golden case is played as a guided session on its line: every question asked is
answered from the case's answers ('unknown' when the case has none), a proposed fix
works when it is the expected fault and fails otherwise, and the session runs until
it resolves or escalates. The same session runs twice: with linewise's policy
(information gain per minute, engine.select.next_question) and with the baseline
that asks the still-relevant questions in the packs' declared order.

    .venv/bin/python bench/questions.py        # writes bench/results/questions.json
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

from cases.golden import GoldenCase, golden_files, load_golden
from cases.sla import load_service_levels
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.facts import FactSet
from engine.select import declared_order, next_question
from engine.session import Ask, Escalate, ProposeFix, Record, Session
from rules.knowledge import load_knowledge

RESULTS = Path(__file__).resolve().parent / "results" / "questions.json"
POLICIES = {"information_gain": next_question, "declared_order": declared_order}


def play(golden: GoldenCase, compiled: CompiledKnowledge, policy: Any) -> dict[str, Any]:
    levels = load_service_levels()
    facts = FactSet()
    for name, value in golden.case.intake.items():
        facts.intake(compiled.kb, name, value)
    line = golden.case.line
    session = Session(
        compiled,
        Record(facts),
        line=line,
        budget=levels.budget(golden.case.intake.get("service_form"), line),
        policy=policy,
    )
    outcome = "?"
    for _ in range(200):
        step = session.step()
        if isinstance(step, Ask):
            qid = step.question.id
            session.answer(qid, golden.case.answers.get(qid, "unknown"))
        elif isinstance(step, ProposeFix):
            worked = step.fault.id == golden.expect.fault
            session.fix_result(step.fault.id, worked)
            if worked:
                outcome = f"fault {step.fault.id}"
                break
        elif isinstance(step, Escalate):
            outcome = f"escalate {step.escalation.to_line} ({step.escalation.kind})"
            if step.fault and step.escalation.kind in ("needs_line", "rule"):
                outcome += f" fault {step.fault}"
            break
        else:
            break
    expected = golden.expect.describe()
    reached = (golden.expect.fault is not None and f"fault {golden.expect.fault}" in outcome) or (
        golden.expect.escalate is not None
        and outcome.startswith(f"escalate {golden.expect.escalate}")
    )
    return {
        "questions": len(session.asked_here()),
        "minutes": session.record.minutes(line),
        "outcome": outcome,
        "expected": expected,
        "reached": reached,
    }


def main() -> int:
    kb = load_knowledge()
    knowledge: dict[int, CompiledKnowledge] = {}
    cases: dict[str, dict[str, Any]] = {}
    for path in golden_files():
        golden = load_golden(path)
        line = golden.case.line
        if line not in knowledge:
            knowledge[line] = compile_knowledge(kb.for_line(line), name=f"BenchLine{line}")
        compiled = knowledge[line]
        cases[f"{path.parent.name}/{path.stem}"] = {
            name: play(golden, compiled, policy) for name, policy in POLICIES.items()
        }
    summary: dict[str, Any] = {}
    for name in POLICIES:
        runs = [c[name] for c in cases.values()]
        summary[name] = {
            "mean_questions": round(statistics.mean(r["questions"] for r in runs), 3)
            if runs
            else 0,
            "mean_minutes": round(statistics.mean(r["minutes"] for r in runs), 3) if runs else 0,
            "reached_expected": sum(r["reached"] for r in runs),
        }
    report = {"golden_cases": len(cases), "summary": summary, "cases": dict(sorted(cases.items()))}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"golden cases: {len(cases)}")
    for name, figures in summary.items():
        print(
            f"{name:17} {figures['mean_questions']:.2f} questions, "
            f"{figures['mean_minutes']:.2f} min per diagnosis, "
            f"expected outcome reached in {figures['reached_expected']}/{len(cases)}"
        )
    print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
