"""Choosing the next question: the candidate that best separates the remaining faults per minute.

Method (decision-theoretic troubleshooting, stated in docs/guided.md):

* **Candidates** are the questions that a still-possible rule depends on: a rule whose
  condition is still *pending*, that concludes a fault not ruled out or escalates, in the
  packs the complaint points to. A question counts only through a comparison that can
  still change the rule's truth (directly, or through a derived fact a pending rule can
  still derive). Known answers (intake, answers, derived facts) are never candidates.
* **Hypotheses** are the faults that can still become *firm* (the certainty of their
  true and still-possible rules can reach the threshold), the escalations a possible
  rule could still require, and "other": a cause the packs do not know (what
  escalation handles). Weights: a fault's prior times the best certainty of its
  possible rules; fixed weights for escalations and "other".
* An answer value keeps the hypotheses it leaves possible (derived facts chained), and
  each hypothesis spreads its likelihood evenly over the values it is compatible with.
* **Score** = expected information gain (bits, over the hypotheses) / the question's
  cost (minutes). Escalation is a priced option: it settles the remaining entropy H
  for `escalation_cost` minutes, so a question is *worthwhile* only while its gain per
  minute is at least H / escalation_cost.
* **Fixed orders** win over scores: a candidate with `order` comes first (lowest first);
  a question with `after` waits until those questions are known or no longer matter.
* **Ties** break by cost, then the packs' declared order, then id.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.certainty import combine_all
from engine.compile import CompiledKnowledge, CompiledRule
from engine.graph import Graph, qnode
from engine.logic import TV, UNKNOWN, FactValue, NLeaf, NNode, evaluate, show_value
from rules.knowledge import INTAKE_PREFIX

DEFAULT_THRESHOLD = 0.7
ESCALATION_WEIGHT = 0.1  # weight of "a possible rule requires escalation"
OTHER_WEIGHT = 0.1  # weight of "a cause the packs do not know"
EPSILON = 1e-9
OTHER = "other"

HypothesisKind = Literal["fault", "escalation", "other"]


@dataclass(frozen=True)
class Hypothesis:
    """One outcome the remaining questions decide between, with its probability now."""

    id: str  # fault id, 'escalate:<pack/rule>' or 'other'
    kind: HypothesisKind
    probability: float
    rules: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "probability": round(self.probability, 4),
            "rules": list(self.rules),
        }


@dataclass(frozen=True)
class Scored:
    """One candidate question with its score and what each answer would leave possible."""

    question: str
    gain: float  # expected information gain, bits
    cost: float  # minutes
    order: int | None
    rules: tuple[str, ...]  # possible rules the question feeds
    decides: tuple[str, ...]  # hypotheses some answer rules out
    splits: tuple[tuple[str, tuple[str, ...]], ...]  # (answer value, hypotheses it keeps)
    rank: int  # declared position (packs' order)

    @property
    def score(self) -> float:
        return self.gain / self.cost

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "gain": round(self.gain, 4),
            "cost": self.cost,
            "score": round(self.score, 4),
            "order": self.order,
            "rules": list(self.rules),
            "decides": list(self.decides),
            "splits": {value: list(kept) for value, kept in self.splits},
        }


@dataclass(frozen=True)
class Choice:
    """The question to ask next, with its WHY: what it decides and why it beats the rest."""

    question: str
    reason: Literal["order", "gain"]
    best: Scored
    runner_up: Scored | None
    candidates: tuple[Scored, ...]  # ranked, best first
    hypotheses: tuple[Hypothesis, ...]
    entropy: float  # bits, over the hypotheses
    escalation_rate: float  # bits per minute escalation buys; 0 when there is no higher line
    worthwhile: bool  # False: escalating is the better buy (or no answer changes anything)

    @property
    def score(self) -> float:
        return self.best.score

    @property
    def rules(self) -> tuple[str, ...]:
        return self.best.rules

    @property
    def faults(self) -> tuple[str, ...]:
        kinds = {h.id: h.kind for h in self.hypotheses}
        return tuple(h for h in self.best.decides if kinds.get(h) == "fault")

    def beats(self) -> str:
        """One sentence: why this question and not the runner-up."""
        best, other = self.best, self.runner_up
        if self.reason == "order" and best.order is not None:
            return f"the packs fix the procedure order: {best.question} has order {best.order}"
        if self.reason == "order":
            return "it comes first in the packs' declared order"
        if other is None:
            return "it is the only question that still matters"
        if best.score > other.score + EPSILON:
            return (
                f"it separates the hypotheses best for its cost: {best.score:.3f} bits/min "
                f"({best.gain:.3f} bits in {best.cost:g} min) against {other.score:.3f} "
                f"for {other.question}"
            )
        if best.cost < other.cost:
            return f"same gain per minute as {other.question}, and it is quicker to ask"
        return f"same gain per minute and cost as {other.question}; it comes first in the packs"

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "reason": self.reason,
            "because": self.beats(),
            "score": round(self.best.score, 4),
            "gain": round(self.best.gain, 4),
            "cost": self.best.cost,
            "faults": list(self.faults),
            "decides": list(self.best.decides),
            "rules": list(self.best.rules),
            "splits": {value: list(kept) for value, kept in self.best.splits},
            "runner_up": self.runner_up.as_dict() if self.runner_up else None,
            "hypotheses": [h.as_dict() for h in self.hypotheses],
            "entropy": round(self.entropy, 4),
            "escalation_rate": round(self.escalation_rate, 4),
            "worthwhile": self.worthwhile,
        }


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


# ---- facts and relevance ----------------------------------------------------------------------


def focus_packs(compiled: CompiledKnowledge, known: Mapping[str, FactValue]) -> set[str]:
    """The packs the complaint points to (with the packs they require or are required by).

    Without a complaint, or for a complaint no pack declares, every pack is in focus.
    """
    kb = compiled.kb
    complaint = known.get(INTAKE_PREFIX + "complaint")
    declaring = {
        pid
        for pid, loaded in kb.packs.items()
        if any(s.id == complaint for s in loaded.pack.symptoms)
    }
    if not declaring:
        return set(kb.packs)
    focus = set(declaring)
    changed = True
    while changed:
        changed = False
        for pid, loaded in kb.packs.items():
            requires = set(loaded.pack.requires)
            linked = (pid in focus and not requires <= focus) or (
                pid not in focus and requires & focus
            )
            if linked:
                focus |= {pid} | (requires & set(kb.packs))
                changed = True
    return focus


def closure(compiled: CompiledKnowledge, known: Mapping[str, FactValue]) -> dict[str, FactValue]:
    """The known facts plus everything the rules derive from them (to a fixpoint)."""
    facts = dict(known)
    derivers: dict[str, list[CompiledRule]] = {}
    for rule in compiled.rules:
        for then in rule.ref.rule.then:
            if then.derive is not None:
                derivers.setdefault(then.derive, []).append(rule)
    changed = True
    while changed:
        changed = False
        for key, rules in derivers.items():
            if key in facts:
                continue
            for rule in rules:
                if evaluate(rule.nnf, facts) is TV.TRUE:
                    then = next(t for t in rule.ref.rule.then if t.derive == key)
                    if then.value is not None:
                        facts[key] = then.value
                        changed = True
                        break
        if changed:
            continue
        # a derived fact no rule can derive any more will never be known: settle it as
        # 'unknown' (matches nothing), so rules waiting on it stop counting as possible
        for key, rules in derivers.items():
            if key in facts or key in compiled.kb.questions:
                continue
            if all(evaluate(r.nnf, facts) in (TV.FALSE, TV.UNSETTLABLE) for r in rules):
                facts[key] = UNKNOWN
                changed = True
    return facts


def open_leaves(node: NNode | None, facts: Mapping[str, FactValue]) -> Iterator[NLeaf]:
    """Pending comparisons that can still change the truth of `node`."""
    if node is None or evaluate(node, facts) is not TV.PENDING:
        return
    if isinstance(node, NLeaf):
        yield node
        return
    for part in node.parts:
        yield from open_leaves(part, facts)


def _useful(rule: CompiledRule, ruled_out: set[str]) -> bool:
    for then in rule.ref.rule.then:
        if then.escalate is not None or (
            then.conclude is not None and then.conclude not in ruled_out
        ):
            return True
    return False


def relevant_questions(
    compiled: CompiledKnowledge,
    known: Mapping[str, FactValue],
    ruled_out: Iterable[str] = (),
    focus: set[str] | None = None,
) -> dict[str, tuple[str, ...]]:
    """Question id -> the possible rules it feeds (sorted), for every unknown relevant question."""
    kb = compiled.kb
    ruled = set(ruled_out)
    packs = focus if focus is not None else set(kb.packs)
    facts = closure(compiled, known)
    derivers: dict[str, list[CompiledRule]] = {}
    for rule in compiled.rules:
        for then in rule.ref.rule.then:
            if then.derive is not None:
                derivers.setdefault(then.derive, []).append(rule)
    found: dict[str, set[str]] = {}
    seen: set[tuple[int, str]] = set()

    def walk(rule: CompiledRule, target: str) -> None:
        if (rule.index, target) in seen:
            return
        seen.add((rule.index, target))
        for leaf in open_leaves(rule.nnf, facts):
            key = leaf.key
            if key in facts or key.startswith(INTAKE_PREFIX):
                continue
            if key in kb.questions:
                found.setdefault(key, set()).add(target)
            for deriver in derivers.get(key, []):
                if evaluate(deriver.nnf, facts) is TV.PENDING:
                    walk(deriver, target)

    for rule in compiled.rules:
        if rule.ref.rule.fallback or rule.ref.pack_id not in packs or not _useful(rule, ruled):
            continue
        if evaluate(rule.nnf, facts) is TV.PENDING:
            walk(rule, rule.qualified)
    return {q: tuple(sorted(rules)) for q, rules in found.items()}


# ---- hypotheses --------------------------------------------------------------------------------


def _fault_weight(
    index: _Index, fault_id: str, facts: Mapping[str, FactValue], threshold: float
) -> tuple[float, tuple[str, ...]]:
    """(weight, possible rules) of a fault that can still become firm, else (0, ())."""
    reachable: list[float] = []
    best = 0.0
    rules: list[str] = []
    for rule, cf in index.concluders.get(fault_id, []):
        status = evaluate(rule.nnf, facts)
        if status is TV.TRUE or (status is TV.PENDING and cf > 0):
            reachable.append(cf)
            if cf > 0:
                best = max(best, cf)
                rules.append(rule.qualified)
    if best <= 0 or combine_all(reachable) < threshold - EPSILON:
        return 0.0, ()
    prior = index.compiled.kb.faults[fault_id].prior
    return prior * best, tuple(sorted(rules))


def _alive(
    index: _Index,
    facts: Mapping[str, FactValue],
    ruled_out: set[str],
    focus: set[str],
    threshold: float,
) -> dict[str, tuple[HypothesisKind, float, tuple[str, ...]]]:
    """Hypothesis id -> (kind, weight, rules) for every hypothesis still possible."""
    kb = index.compiled.kb
    out: dict[str, tuple[HypothesisKind, float, tuple[str, ...]]] = {}
    for fault_id in index.concluders:
        if fault_id in ruled_out or kb.fault_pack(fault_id) not in focus:
            continue
        weight, rules = _fault_weight(index, fault_id, facts, threshold)
        if weight > 0:
            out[fault_id] = ("fault", weight, rules)
    for rule in index.escalators:
        if rule.ref.pack_id in focus and evaluate(rule.nnf, facts) is TV.PENDING:
            out["escalate:" + rule.qualified] = ("escalation", ESCALATION_WEIGHT, (rule.qualified,))
    out[OTHER] = ("other", OTHER_WEIGHT, ())
    return out


def _entropy(weights: Iterable[float]) -> float:
    values = [w for w in weights if w > 0]
    total = sum(values)
    return -sum((w / total) * math.log2(w / total) for w in values) if total > 0 else 0.0


def answer_values(compiled: CompiledKnowledge, question_id: str) -> list[FactValue]:
    """Representative answers: every yes/no or option; for numbers and text, one value per
    region the packs' comparisons tell apart."""
    question = compiled.kb.questions[question_id]
    if question.type == "yesno":
        return [True, False]
    if question.type == "choice":
        return [o.value for o in question.options or ()]
    leaves = [leaf for rule in compiled.rules for leaf in rule.leaves() if leaf.key == question_id]
    if question.type == "text":
        words = sorted(
            {
                str(leaf.cond.operand)
                for leaf in leaves
                if leaf.cond.kind in ("contains", "equals", "one_of")
                and isinstance(leaf.cond.operand, str)
            }
            | {
                str(v)
                for leaf in leaves
                if leaf.cond.kind == "one_of"
                for v in leaf.cond.one_of or []
                if isinstance(v, str)
            }
        )
        return [*words, "\u2400something else"]
    bounds: set[float] = set()
    for leaf in leaves:
        operand = leaf.cond.operand
        for value in operand if isinstance(operand, list | tuple) else [operand]:
            if isinstance(value, int | float) and not isinstance(value, bool):
                bounds.add(float(value))
    ordered = sorted(bounds)
    points = set(ordered)
    points.update((a + b) / 2 for a, b in itertools.pairwise(ordered))
    if ordered:
        points.update({ordered[0] - 1, ordered[-1] + 1})
    else:
        points.add(question.min if question.min is not None else 0.0)
    low = question.min if question.min is not None else -math.inf
    high = question.max if question.max is not None else math.inf
    kept = sorted(p for p in points if low <= p <= high) or [max(low, min(high, 0.0))]
    return [int(p) if float(p).is_integer() else p for p in kept]


def _score(
    index: _Index,
    question_id: str,
    known: Mapping[str, FactValue],
    alive: dict[str, tuple[HypothesisKind, float, tuple[str, ...]]],
    ruled_out: set[str],
    focus: set[str],
    threshold: float,
    rules: tuple[str, ...],
) -> Scored:
    compiled = index.compiled
    values = answer_values(compiled, question_id)
    kept_by_value: list[tuple[FactValue, set[str]]] = []
    for value in values:
        facts = closure(compiled, {**known, question_id: value})
        still = _alive(index, facts, ruled_out, focus, threshold)
        kept_by_value.append((value, {h for h in alive if h in still}))
    compatible = {h: [v for v, kept in kept_by_value if h in kept] for h in alive}
    n_values = len(values)
    expected = 0.0
    total = sum(w for _, w, _ in alive.values())
    for _, kept in kept_by_value:
        mass: dict[str, float] = {}
        for hyp, (_, weight, _) in alive.items():
            share = len(compatible[hyp]) or n_values
            fits = hyp in kept or not compatible[hyp]
            if fits:
                mass[hyp] = weight / total / share
        p_value = sum(mass.values())
        if p_value > 0:
            expected += p_value * _entropy(mass.values())
    gain = max(0.0, _entropy(w for _, w, _ in alive.values()) - expected)
    decides = tuple(sorted(h for h in alive if compatible[h] and len(compatible[h]) < n_values))
    splits = tuple((show_value(v), tuple(sorted(kept))) for v, kept in kept_by_value)
    return Scored(
        question=question_id,
        gain=gain,
        cost=index.cost[question_id],
        order=index.order[question_id],
        rules=rules,
        decides=decides,
        splits=splits,
        rank=index.rank[question_id],
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
    alive = _alive(index, facts, ruled, focus, threshold)
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
    hypotheses = tuple(
        sorted(
            (Hypothesis(h, kind, w / total, rules) for h, (kind, w, rules) in alive.items()),
            key=lambda h: (-h.probability, h.id),
        )
    )
    entropy = _entropy(w for _, w, _ in alive.values())
    rate = entropy / escalation_cost if escalation_cost else 0.0
    worthwhile = reason == "order" or (best.gain > EPSILON and best.score >= rate - EPSILON)
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
