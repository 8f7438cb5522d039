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

import itertools
import math
from collections.abc import Iterable, Mapping
from typing import Literal

from engine.choice import EPSILON, Choice, Hypothesis, HypothesisKind, Scored, group
from engine.compile import CompiledKnowledge
from engine.hypotheses import (
    Now,
    PolicyIndex,
    after_answer,
    entropy,
    hypotheses_now,
    mlog,
    policy_index,
)
from engine.logic import FactValue, show_value
from engine.possible import (
    answer_values,
    closure,
    focus_packs,
    relevant_questions,
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


def _score(
    index: PolicyIndex,
    question_id: str,
    now: Now,
    ruled_out: set[str],
    focus: set[str],
    threshold: float,
    rules: tuple[str, ...],
) -> Scored:
    """Expected information gain over the hypotheses, and the chance the answer makes a
    fault firm (which ends the questioning).

    Each hypothesis spreads its likelihood evenly over the answers it is compatible with.
    Only the hypotheses some answer re-weighs are visited: the others are compatible with
    every answer, and their share of each sum is worked out from the totals.
    """
    compiled = index.compiled
    values = answer_values(compiled, question_id)
    n_values = len(values)
    by_value: list[tuple[FactValue, set[str], set[str]]] = []
    touched: set[str] = set()
    size = len(now.facts)
    for value in values:
        facts = closure(compiled, {**now.facts, question_id: value}, since=(question_id,))
        learnt = list(itertools.islice(facts, size, None))
        removed, firm, changed = after_answer(
            index, now, facts, learnt, ruled_out, focus, threshold
        )
        touched |= changed
        by_value.append((value, removed, firm))
    compatible = {h: sum(1 for _, removed, _ in by_value if h not in removed) for h in touched}
    total = now.total
    weight = {h: now.alive[h][1] for h in touched}
    rest = (total - sum(weight.values())) / total / n_values  # each untouched one's share
    rest_log = now.spread_log(n_values) - sum(mlog(w / total / n_values) for w in weight.values())
    rest_firm = (
        (now.firm_weight - sum(w for h, w in weight.items() if group(h) in now.firm))
        / total
        / n_values
    )
    expected = 0.0
    resolve = 0.0
    for _, removed, firm in by_value:
        p_value, mlogs, settles = rest, rest_log, rest_firm
        for hyp, w in weight.items():
            if hyp not in removed:
                mass = w / total / compatible[hyp]
            elif not compatible[hyp]:
                mass = w / total / n_values
            else:
                continue
            p_value += mass
            mlogs += mlog(mass)
            if group(hyp) in firm:
                settles += mass
        if p_value > 0:
            expected += p_value * math.log2(p_value) - mlogs
            resolve += settles
    gain = max(0.0, now.entropy - expected)
    decided = {group(h) for h in touched if 0 < compatible[h] < n_values}
    return Scored(
        question=question_id,
        gain=gain,
        cost=index.cost[question_id],
        order=index.order[question_id],
        rules=rules,
        decides=tuple(sorted(decided)),
        rules_out=tuple((show_value(v), frozenset(removed)) for v, removed, _ in by_value),
        rank=index.rank[question_id],
        resolve=min(1.0, resolve),
        possible=now.ids,
    )


def _sort_key(item: Scored) -> tuple[float, float, int, str]:
    return (-round(item.score, 9), item.cost, item.rank, item.question)


def candidates(
    compiled: CompiledKnowledge,
    known: Mapping[str, FactValue],
    *,
    ruled_out: Iterable[str] = (),
) -> list[str]:
    """The questions that may be asked now (relevant, unknown, their `after` settled),
    in the packs' declared order: ordered questions first (lowest first), then the rest."""
    index = policy_index(compiled)
    focus = focus_packs(compiled, known)
    relevant = relevant_questions(compiled, known, ruled_out, focus)
    eligible = [q for q in relevant if _after_settled(compiled, q, known, relevant)]
    return sorted(eligible, key=lambda q: _declared_key(index, q))


def _declared_key(index: PolicyIndex, question_id: str) -> tuple[int, float, int]:
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
    index = policy_index(compiled)
    ruled = set(ruled_out)
    focus = focus_packs(compiled, known)
    relevant = relevant_questions(compiled, known, ruled, focus)
    eligible = [q for q in relevant if _after_settled(compiled, q, known, relevant)]
    if not eligible:
        return None
    now = hypotheses_now(index, closure(compiled, known), ruled, focus, threshold)
    alive = now.alive
    scored = sorted(
        (_score(index, q, now, ruled, focus, threshold, relevant[q]) for q in eligible),
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
    bits = entropy(w for _, w, _ in alive.values())
    rate = min(bits, 1.0) / escalation_cost if escalation_cost else 0.0
    useful = best.gain + best.resolve > EPSILON
    worthwhile = reason == "order" or (useful and best.score >= rate - EPSILON)
    return Choice(
        question=best.question,
        reason=reason,
        best=best,
        runner_up=runner_up,
        candidates=tuple(scored),
        hypotheses=hypotheses,
        entropy=bits,
        escalation_rate=rate,
        worthwhile=worthwhile,
    )


def declared_order(
    compiled: CompiledKnowledge,
    known: Mapping[str, FactValue],
    *,
    ruled_out: Iterable[str] = (),
    threshold: float = DEFAULT_THRESHOLD,
    escalation_cost: float | None = None,
) -> Choice | None:
    """The baseline policy: the first candidate in the packs' declared order (no scoring
    beyond what WHY shows). Same candidates as `next_question`; used by the benchmark."""
    choice = next_question(
        compiled, known, ruled_out=ruled_out, threshold=threshold, escalation_cost=None
    )
    if choice is None:
        return None
    index = policy_index(compiled)
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
