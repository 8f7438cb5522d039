"""Choosing the next question: the candidate that best separates the remaining faults per minute.

Method (decision-theoretic troubleshooting, stated in docs/guided.md):

* **Candidates** are the questions that a still-possible rule depends on: a rule whose
  condition is still *pending*, that concludes a fault not ruled out or escalates, in the
  packs the complaint points to. A question counts only through a comparison that can
  still change the rule's truth (directly, or through a derived fact a pending rule can
  still derive). Known answers (intake, answers, derived facts) are never candidates.
* **Hypotheses** are the faults that can still become *firm* (the certainty of their
  true and still-possible rules can reach the threshold), one per rule that can still
  conclude it, the escalations a possible rule could still require, and "other": a
  cause the packs do not know (what escalation handles). Weights: the fault's prior x
  the rule's certainty / the fault's number of rules; fixed weights for escalations
  and "other".
* An answer value keeps the hypotheses it leaves possible (derived facts chained), and
  each hypothesis spreads its likelihood evenly over the values it is compatible with.
* **Score** = (expected information gain in bits over the hypotheses + the chance that
  the answer makes a fault firm, which ends the questioning) / the question's cost in
  minutes. Each way a fault can be concluded (each of its rules) is its own hypothesis,
  so a question that tells two routes to the same fault apart still counts.
* **Escalation is a priced option**: it settles (up to) one bit of the remaining
  uncertainty for `escalation_cost` minutes, so a question is *worthwhile* only while
  its score is at least min(H, 1) / escalation_cost.
* **Fixed orders** win over scores: a candidate with `order` comes first (lowest first);
  a question with `after` waits until those questions are known or no longer matter.
* A `stop` rule that holds shadows the conclusions of lower-priority rules, so those
  rules count as impossible (as the engine resolves them).
* **Ties** break by cost, then the packs' declared order, then id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.certainty import combine_all
from engine.choice import EPSILON, Choice, Hypothesis, HypothesisKind, Scored
from engine.compile import CompiledKnowledge, CompiledRule
from engine.graph import Graph, qnode
from engine.logic import TV, FactValue, evaluate, show_value
from engine.possible import (
    answer_values,
    closure,
    focus_packs,
    is_open,
    relevant_questions,
    stop_floor,
)

__all__ = [
    "Choice",
    "Hypothesis",
    "Scored",
    "answer_values",
    "candidates",
    "closure",
    "declared_order",
    "focus_packs",
    "next_question",
    "relevant_questions",
]

DEFAULT_THRESHOLD = 0.7
ESCALATION_WEIGHT = 0.1  # weight of "a possible rule requires escalation"
OTHER_WEIGHT = 0.1  # weight of "a cause the packs do not know"
OTHER = "other"

# ---- the index of a compiled knowledge base (built once per compiled knowledge) -------------


@dataclass
class _Index:
    compiled: CompiledKnowledge
    rank: dict[str, int]  # question id -> declared position
    cost: dict[str, float]
    order: dict[str, int | None]
    derivers: dict[str, list[CompiledRule]]  # fact key -> rules deriving it
    concluders: dict[str, list[tuple[CompiledRule, float]]]  # fault -> (rule, cf), non-fallback
    escalators: list[CompiledRule]  # non-fallback rules that escalate
    pack_of_rule: dict[int, str] = field(default_factory=dict)
    focused: dict[frozenset[str], _Focused] = field(default_factory=dict)

    def focus(self, packs: set[str]) -> _Focused:
        """The concluding and escalating rules of the packs in focus (once per focus)."""
        key = frozenset(packs)
        found = self.focused.get(key)
        if found is None:
            fault_pack = self.compiled.kb.fault_pack
            found = self.focused[key] = _Focused(
                [(f, rules) for f, rules in self.concluders.items() if fault_pack(f) in key],
                [r for r in self.escalators if r.ref.pack_id in key],
            )
        return found


@dataclass(frozen=True)
class _Focused:
    concluders: list[tuple[str, list[tuple[CompiledRule, float]]]]  # fault -> (rule, cf)
    escalators: list[CompiledRule]


_CACHE: dict[int, tuple[CompiledKnowledge, Any, _Index]] = {}


def _index(compiled: CompiledKnowledge, graph: Graph) -> _Index:
    cached = _CACHE.get(id(compiled))
    if cached is not None and cached[0] is compiled and cached[1] is graph:
        return cached[2]
    kb = compiled.kb
    rank = {qid: i for i, qid in enumerate(kb.questions)}
    cost = {qid: float(graph.nodes[qnode(qid)]["cost"]) for qid in kb.questions}
    order = {qid: graph.nodes[qnode(qid)]["order"] for qid in kb.questions}
    derivers: dict[str, list[CompiledRule]] = {}
    concluders: dict[str, list[tuple[CompiledRule, float]]] = {}
    escalators: list[CompiledRule] = []
    for rule in compiled.rules:
        for then in rule.ref.rule.then:
            if then.derive is not None:
                derivers.setdefault(then.derive, []).append(rule)
            elif rule.ref.rule.fallback:
                continue
            elif then.conclude is not None:
                concluders.setdefault(then.conclude, []).append((rule, then.cf))
            elif then.escalate is not None and rule not in escalators:
                escalators.append(rule)
    index = _Index(
        compiled,
        rank,
        cost,
        order,
        derivers,
        concluders,
        escalators,
        {r.index: r.ref.pack_id for r in compiled.rules},
    )
    _CACHE[id(compiled)] = (compiled, graph, index)
    return index


# ---- hypotheses --------------------------------------------------------------------------------


SEP = "|"  # a fault hypothesis is one way to conclude it: 'fault|pack/rule'


def group(hypothesis: str) -> str:
    """The fault (or escalation, or 'other') a hypothesis belongs to."""
    return hypothesis.split(SEP, 1)[0]


Alive = dict[str, tuple[HypothesisKind, float, tuple[str, ...]]]


def _alive(
    index: _Index,
    facts: Mapping[str, FactValue],
    ruled_out: set[str],
    focus: set[str],
    threshold: float,
) -> tuple[Alive, set[str]]:
    """Every hypothesis still possible (id -> kind, weight, rules), and the faults firm now.

    A fault is a hypothesis only while it can still become firm (its true and possible
    rules can reach the threshold); each of its possible rules is one way it can be
    concluded, weighted prior x certainty / number of its rules.
    """
    kb = index.compiled.kb
    floor = stop_floor(index.compiled, facts)
    out: Alive = {}
    firm: set[str] = set()
    focused = index.focus(focus)
    for fault_id, concluders in focused.concluders:
        if fault_id in ruled_out:
            continue
        reachable: list[float] = []
        held: list[float] = []
        ways: list[tuple[str, float]] = []
        for rule, cf in concluders:
            if rule.priority < floor:
                continue
            if evaluate(rule.nnf, facts) is TV.TRUE:
                reachable.append(cf)
                held.append(cf)
            elif cf > 0 and is_open(rule.nnf, facts):
                reachable.append(cf)
            else:
                continue
            if cf > 0:
                ways.append((rule.qualified, cf))
        if held and combine_all(held) >= threshold - EPSILON:
            firm.add(fault_id)
        if not ways or combine_all(reachable) < threshold - EPSILON:
            continue
        share = kb.faults[fault_id].prior / sum(1 for _, cf in concluders if cf > 0)
        for qualified, cf in ways:
            out[fault_id + SEP + qualified] = ("fault", share * cf, (qualified,))
    for rule in focused.escalators:
        if rule.priority >= floor and is_open(rule.nnf, facts):
            out["escalate:" + rule.qualified] = ("escalation", ESCALATION_WEIGHT, (rule.qualified,))
    out[OTHER] = ("other", OTHER_WEIGHT, ())
    return out, firm


def _entropy(weights: Iterable[float]) -> float:
    values = [w for w in weights if w > 0]
    total = sum(values)
    return -sum((w / total) * math.log2(w / total) for w in values) if total > 0 else 0.0


def _score(
    index: _Index,
    question_id: str,
    known: Mapping[str, FactValue],
    alive: Alive,
    ruled_out: set[str],
    focus: set[str],
    threshold: float,
    rules: tuple[str, ...],
) -> Scored:
    """Expected information gain over the hypotheses, and the chance the answer makes a
    fault firm (which ends the questioning)."""
    compiled = index.compiled
    values = answer_values(compiled, question_id)
    kept_by_value: list[tuple[FactValue, set[str], set[str]]] = []
    for value in values:
        facts = closure(compiled, {**known, question_id: value})
        still, firm = _alive(index, facts, ruled_out, focus, threshold)
        kept_by_value.append((value, {h for h in alive if h in still}, firm))
    compatible = {h: [v for v, kept, _ in kept_by_value if h in kept] for h in alive}
    n_values = len(values)
    expected = 0.0
    resolve = 0.0
    total = sum(w for _, w, _ in alive.values())
    for _, kept, firm in kept_by_value:
        mass: dict[str, float] = {}
        for hyp, (_, weight, _) in alive.items():
            if hyp in kept or not compatible[hyp]:
                mass[hyp] = weight / total / (len(compatible[hyp]) or n_values)
        p_value = sum(mass.values())
        if p_value > 0:
            expected += p_value * _entropy(mass.values())
            resolve += sum(m for h, m in mass.items() if group(h) in firm)
    gain = max(0.0, _entropy(w for _, w, _ in alive.values()) - expected)
    decided = {group(h) for h in alive if compatible[h] and len(compatible[h]) < n_values}
    splits = tuple(
        (show_value(v), tuple(sorted({group(h) for h in kept}))) for v, kept, _ in kept_by_value
    )
    return Scored(
        question=question_id,
        gain=gain,
        cost=index.cost[question_id],
        order=index.order[question_id],
        rules=rules,
        decides=tuple(sorted(decided)),
        splits=splits,
        rank=index.rank[question_id],
        resolve=min(1.0, resolve),
    )


def _sort_key(item: Scored) -> tuple[float, float, int, str]:
    return (-round(item.score, 9), item.cost, item.rank, item.question)


def candidates(
    compiled: CompiledKnowledge,
    graph: Graph,
    known: Mapping[str, FactValue],
    *,
    ruled_out: Iterable[str] = (),
) -> list[str]:
    """The questions that may be asked now (relevant, unknown, their `after` settled),
    in the packs' declared order: ordered questions first (lowest first), then the rest."""
    index = _index(compiled, graph)
    focus = focus_packs(compiled, known)
    relevant = relevant_questions(compiled, known, ruled_out, focus)
    eligible = [q for q in relevant if _after_settled(compiled, q, known, relevant)]
    return sorted(eligible, key=lambda q: _declared_key(index, q))


def _declared_key(index: _Index, question_id: str) -> tuple[int, float, int]:
    order = index.order[question_id]
    return (0 if order is not None else 1, order or 0, index.rank[question_id])


def _after_settled(
    compiled: CompiledKnowledge,
    question_id: str,
    known: Mapping[str, FactValue],
    relevant: Mapping[str, object],
) -> bool:
    return all(p in known or p not in relevant for p in compiled.kb.questions[question_id].after)


def next_question(
    compiled: CompiledKnowledge,
    graph: Graph,
    known: Mapping[str, FactValue],
    *,
    ruled_out: Iterable[str] = (),
    threshold: float = DEFAULT_THRESHOLD,
    escalation_cost: float | None = None,
) -> Choice | None:
    """The next question to ask, or None when no question can change the outcome any more.

    `known` holds every known fact (answers, intake as 'intake.X', derived facts);
    `escalation_cost` is what escalating from this line costs in minutes (None: there is
    no higher line, so asking is always worth it while it can change something).
    """
    index = _index(compiled, graph)
    ruled = set(ruled_out)
    focus = focus_packs(compiled, known)
    relevant = relevant_questions(compiled, known, ruled, focus)
    eligible = [q for q in relevant if _after_settled(compiled, q, known, relevant)]
    if not eligible:
        return None
    facts = closure(compiled, known)
    alive, _ = _alive(index, facts, ruled, focus, threshold)
    scored = sorted(
        (_score(index, q, facts, alive, ruled, focus, threshold, relevant[q]) for q in eligible),
        key=_sort_key,
    )
    ordered = sorted(
        (s for s in scored if s.order is not None), key=lambda s: _declared_key(index, s.question)
    )
    reason: Literal["order", "gain"] = "order" if ordered else "gain"
    best = ordered[0] if ordered else scored[0]
    runner_up = next((s for s in scored if s.question != best.question), None)
    total = sum(w for _, w, _ in alive.values())
    grouped: dict[str, tuple[HypothesisKind, float, set[str]]] = {}
    for hyp, (kind, weight, hyp_rules) in alive.items():
        _, mass, seen = grouped.get(group(hyp), (kind, 0.0, set()))
        grouped[group(hyp)] = (kind, mass + weight / total, seen | set(hyp_rules))
    hypotheses = tuple(
        sorted(
            (Hypothesis(h, kind, p, tuple(sorted(r))) for h, (kind, p, r) in grouped.items()),
            key=lambda h: (-h.probability, h.id),
        )
    )
    entropy = _entropy(w for _, w, _ in alive.values())
    rate = min(entropy, 1.0) / escalation_cost if escalation_cost else 0.0
    useful = best.gain + best.resolve > EPSILON
    worthwhile = reason == "order" or (useful and best.score >= rate - EPSILON)
    return Choice(
        question=best.question,
        reason=reason,
        best=best,
        runner_up=runner_up,
        candidates=tuple(scored),
        hypotheses=hypotheses,
        entropy=entropy,
        escalation_rate=rate,
        worthwhile=worthwhile,
    )


def declared_order(
    compiled: CompiledKnowledge,
    graph: Graph,
    known: Mapping[str, FactValue],
    *,
    ruled_out: Iterable[str] = (),
    threshold: float = DEFAULT_THRESHOLD,
    escalation_cost: float | None = None,
) -> Choice | None:
    """The baseline policy: the first candidate in the packs' declared order (no scoring
    beyond what WHY shows). Same candidates as `next_question`; used by the benchmark."""
    choice = next_question(
        compiled, graph, known, ruled_out=ruled_out, threshold=threshold, escalation_cost=None
    )
    if choice is None:
        return None
    index = _index(compiled, graph)
    first = min((c for c in choice.candidates), key=lambda s: _declared_key(index, s.question))
    others = [c for c in choice.candidates if c.question != first.question]
    return Choice(
        question=first.question,
        reason="order",
        best=first,
        runner_up=others[0] if others else None,
        candidates=choice.candidates,
        hypotheses=choice.hypotheses,
        entropy=choice.entropy,
        escalation_rate=0.0,
        worthwhile=True,
    )
