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
* **Procedures** win over scores: a question that a known answer's `next:` link names
  comes first (engine.procedure), then a candidate with `order` (lowest first); a
  question with `after` waits until those questions are known or no longer matter.
* **Look-ahead**: when no single question is worth asking (questions that matter only
  together each score zero alone), the questions a still-possible rule depends on are
  weighed together (engine.lookahead), and the group's first question is asked when
  the group is worth its cost.
* A `stop` rule that holds shadows the conclusions of lower-priority rules, so those
  rules count as impossible (as the engine resolves them).
* **Ties** break by cost, then the packs' declared order, then id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from engine.choice import EPSILON, Choice, Hypothesis, HypothesisKind, Scored, group
from engine.compile import CompiledKnowledge
from engine.hypotheses import (
    Now,
    PolicyIndex,
    entropy,
    hypotheses_now,
    policy_index,
)
from engine.information import worth
from engine.logic import FactValue, show_value
from engine.lookahead import look_ahead
from engine.possible import (
    answer_values,
    closure,
    focus_packs,
    relevant_questions,
)
from engine.procedure import next_step

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
    fault firm (which ends the questioning): engine.information over its answers."""
    values = answer_values(index.compiled, question_id)
    found = worth(
        index, now, (question_id,), [{question_id: v} for v in values], ruled_out, focus, threshold
    )
    return Scored(
        question=question_id,
        gain=found.gain,
        cost=index.cost[question_id],
        order=index.order[question_id],
        rules=rules,
        decides=tuple(sorted(found.decided)),
        rules_out=tuple(
            (show_value(v), removed)
            for v, (removed, _) in zip(values, found.by_answer, strict=True)
        ),
        rank=index.rank[question_id],
        resolve=found.resolve,
        possible=now.ids,
    )


def _worth_asking(item: Scored, rate: float) -> bool:
    """Useful (some answer changes something) and at least as good a buy as escalating."""
    return item.gain + item.resolve > EPSILON and item.score >= rate - EPSILON


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
    step = next_step(compiled, known, eligible)
    # a procedure's step is asked whatever the scores say: only it is scored
    scoring = [step[0]] if step is not None else eligible
    scored = sorted(
        (_score(index, q, now, ruled, focus, threshold, relevant[q]) for q in scoring),
        key=_sort_key,
    )
    ordered = (
        [next(s for s in scored if s.question == step[0])]
        if step is not None
        else sorted(
            (s for s in scored if s.order is not None),
            key=lambda s: _declared_key(index, s.question),
        )
    )
    reason: Literal["order", "gain", "lookahead"] = "order" if ordered else "gain"
    best = ordered[0] if ordered else scored[0]
    bits = entropy(w for _, w, _ in alive.values())
    rate = min(bits, 1.0) / escalation_cost if escalation_cost else 0.0
    if reason == "gain" and not _worth_asking(best, rate):
        myopic = {s.question: s for s in scored}
        ahead = look_ahead(index, now, eligible, relevant, myopic, ruled, focus, threshold)
        if ahead:
            leader = min(ahead, key=_sort_key)
            if _worth_asking(leader, rate):
                best, reason = leader, "lookahead"
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
    worthwhile = reason == "order" or _worth_asking(best, rate)
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
        step_of=step[1:] if step is not None else None,
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
    if choice.step_of is not None:  # a procedure's `next:` link is the declared order too
        return choice
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
