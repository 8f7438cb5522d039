"""Playing a generated flowchart's paths (bench/flowchart.py) through linewise, for the
tests and for bench/questions.py: non-interactively (`diagnose` over the path's answers)
and as a guided session answered from the path's world."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.flowchart import SYMPTOM, Flowchart, strip_procedure, to_pack
from bench.flowchart import Path as ChartPath
from engine.answers import to_facts
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.diagnose import diagnose
from engine.facts import FactSet
from engine.select import next_question
from engine.session import Ask, Budget, Escalate, ProposeFix, Record, Session
from rules.knowledge import load_knowledge


def _answer(value: Any) -> Any:
    return value if isinstance(value, bool) else str(value)


def compiled_chart(flow: Flowchart, folder: Path, *, procedure: bool) -> CompiledKnowledge:
    """The chart as a pack file in `folder`, loaded and compiled like any pack."""
    pack = to_pack(flow)
    if not procedure:
        pack = strip_procedure(pack)
    path = folder / ("flowchart.yaml" if procedure else "flowchart-bare.yaml")
    path.write_text(yaml.safe_dump(pack, sort_keys=False), encoding="utf-8")
    return compile_knowledge(load_knowledge([path]), name="Flowchart")


def outcome_of(kind: str, fault: str | None, escalation_kind: str | None) -> str:
    if kind == "fault" and fault is not None:
        return f"fault {fault}"
    if escalation_kind == "rule":
        return "escalate"
    return f"{kind} ({escalation_kind})"


def replay(compiled: CompiledKnowledge, path: ChartPath) -> str:
    """The outcome of `diagnose` over the path's answers alone."""
    facts = to_facts(compiled.kb, {"complaint": SYMPTOM}, {q: _answer(v) for q, v in path.answers})
    outcome = diagnose(compiled, facts, line=1).outcome
    return outcome_of(
        outcome.kind, outcome.fault, outcome.escalation.kind if outcome.escalation else None
    )


@dataclass(frozen=True)
class Played:
    outcome: str
    asked: int


def guided(
    compiled: CompiledKnowledge,
    world: dict[str, Any],
    policy: Any = next_question,
    escalation_cost: float | None = None,
) -> Played:
    """A guided session answered from `world` (every question has an answer there)."""
    facts = FactSet()
    facts.intake(compiled.kb, "complaint", SYMPTOM)
    budget = Budget(escalation_cost=escalation_cost)
    session = Session(compiled, Record(facts), line=1, policy=policy, budget=budget)
    for _ in range(200):
        step = session.step()
        if isinstance(step, Ask):
            session.answer(step.question.id, _answer(world[step.question.id]))
        elif isinstance(step, ProposeFix):
            return Played(f"fault {step.fault.id}", len(session.asked_here()))
        elif isinstance(step, Escalate):
            kind = step.escalation.kind
            return Played(outcome_of("escalate", None, kind), len(session.asked_here()))
    raise AssertionError("the session did not end in 200 steps")


def worlds(flow: Flowchart, paths: list[ChartPath], seed: int = 16) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [flow.world(p, rng) for p in paths]
