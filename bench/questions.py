"""Benchmark (not a test): questions per diagnosis, the priced policy against the
declared order, on the shipped packs and on generated procedural packs.

Shipped packs: each golden case is played as a guided session on its line: every
question asked is answered from the case's answers ('unknown' when the case has none), a
proposed fix works when it is the expected fault and fails otherwise, and the session
runs until it resolves or escalates. The same session runs three times: the baseline
that asks the still-relevant questions in the packs' declared order (`next:` links,
`order`, then the packs' order: `declared_order`), linewise's policy on the packs as
written (`information_gain`: information gain per minute, look-ahead, honouring `order`
and `next:`), and linewise's policy on the packs with every `order`, `after` and
`next:` removed (`no_order`).

Generated procedural packs (bench/flowchart.py): flowcharts with numbered menus,
computed scores and shared sub-flows; a seeded sample of paths, each played guided with
the chart's own order (`declared_order`, following its `next:` links) and with the
priced policy on the same pack without any declared order (`no_order`), against the
chart's own answer.

    .venv/bin/python -m bench.questions [--paths 150]   # writes bench/results/questions.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.flowchart import chart, sample, stats
from bench.flowchart_play import compiled_chart, guided, worlds
from cases.golden import GoldenCase, golden_files, load_golden
from cases.sla import load_service_levels
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.facts import FactSet
from engine.select import declared_order, next_question
from engine.session import Ask, Escalate, ProposeFix, Record, Session
from rules.knowledge import KnowledgeBase, load_knowledge
from rules.loader import LoadedPack

RESULTS = Path(__file__).resolve().parent / "results" / "questions.json"
POLICIES = ("declared_order", "information_gain", "no_order")


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


def without_order(kb: KnowledgeBase) -> KnowledgeBase:
    """The same knowledge with every `order`, `after` and `next:` removed."""
    loaded = []
    for item in kb.loaded:
        questions = [
            q.model_copy(
                update={
                    "order": None,
                    "after": [],
                    "next": {},
                    "options": [o.model_copy(update={"next": None}) for o in q.options]
                    if q.options is not None
                    else None,
                }
            )
            for q in item.pack.questions
        ]
        pack = item.pack.model_copy(update={"questions": questions})
        loaded.append(LoadedPack(pack, item.source, item.path, item.set_aside))
    return KnowledgeBase.from_loaded(loaded)


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "mean_questions": round(statistics.mean(r["questions"] for r in runs), 3) if runs else 0,
        "mean_minutes": round(statistics.mean(r["minutes"] for r in runs), 3) if runs else 0,
        "reached_expected": sum(r["reached"] for r in runs),
    }


def shipped() -> dict[str, Any]:
    """The golden cases, each played by the three policies."""
    kb = load_knowledge()
    bare = without_order(kb)
    knowledge: dict[tuple[str, int], CompiledKnowledge] = {}
    cases: dict[str, dict[str, Any]] = {}
    for path in golden_files():
        golden = load_golden(path)
        line = golden.case.line
        for name, base in (("as_written", kb), ("bare", bare)):
            if (name, line) not in knowledge:
                knowledge[(name, line)] = compile_knowledge(
                    base.for_line(line), name=f"Bench{name.title()}Line{line}"
                )
        written, stripped = knowledge[("as_written", line)], knowledge[("bare", line)]
        cases[f"{path.parent.name}/{path.stem}"] = {
            "declared_order": play(golden, written, declared_order),
            "information_gain": play(golden, written, next_question),
            "no_order": play(golden, stripped, next_question),
        }
    summary = {name: _summary([c[name] for c in cases.values()]) for name in POLICIES}
    return {"golden_cases": len(cases), "summary": summary, "cases": dict(sorted(cases.items()))}


def procedural(paths: int, seeds: tuple[int, ...] = (16, 17)) -> dict[str, Any]:
    """Generated flowcharts: a sample of paths, with the chart's order and without any."""
    charts: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            flow = chart(seed=seed, levels=10, width=40)
            folder = Path(tmp) / str(seed)
            folder.mkdir()
            compiled = {
                "declared_order": (compiled_chart(flow, folder, procedure=True), declared_order),
                "no_order": (compiled_chart(flow, folder, procedure=False), next_question),
            }
            picked = sample(flow, paths, seed=seed)
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in compiled}
            for path, world in zip(picked, worlds(flow, picked, seed), strict=True):
                for name, (knowledge, policy) in compiled.items():
                    played = guided(knowledge, world, policy)
                    runs[name].append(
                        {
                            "questions": played.asked,
                            "minutes": float(played.asked),  # every step costs 1 minute
                            "reached": played.outcome == path.outcome,
                        }
                    )
            chart_questions = statistics.mean(len(p.answers) for p in picked)
            charts.append(
                {
                    "seed": seed,
                    "chart": stats(flow),
                    "paths_played": len(picked),
                    "chart_mean_questions": round(chart_questions, 3),
                    "summary": {name: _summary(r) for name, r in runs.items()},
                }
            )
    return {"charts": charts}


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--paths", type=int, default=150, help="paths played per flowchart")
    options = args.parse_args(argv)
    started = time.monotonic()
    report: dict[str, Any] = {"load": os.getloadavg()[0]}
    report["shipped"] = shipped()
    report["procedural"] = procedural(options.paths)
    report["seconds"] = round(time.monotonic() - started, 1)
    report["load_after"] = os.getloadavg()[0]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    golden = report["shipped"]
    print(f"shipped packs, golden cases: {golden['golden_cases']}")
    for name, figures in golden["summary"].items():
        print(
            f"  {name:17} {figures['mean_questions']:.2f} questions, "
            f"{figures['mean_minutes']:.2f} min per diagnosis, "
            f"expected outcome reached in {figures['reached_expected']}/{golden['golden_cases']}"
        )
    for item in report["procedural"]["charts"]:
        print(
            f"flowchart seed {item['seed']} ({item['chart']['steps']} steps, "
            f"{item['chart']['paths']} paths; {item['paths_played']} played, the chart asks "
            f"{item['chart_mean_questions']:.2f} on average)"
        )
        for name, figures in item["summary"].items():
            print(
                f"  {name:17} {figures['mean_questions']:.2f} questions, chart's answer "
                f"reached in {figures['reached_expected']}/{item['paths_played']}"
            )
    print(f"written to {RESULTS} in {report['seconds']} s (load {report['load']:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
