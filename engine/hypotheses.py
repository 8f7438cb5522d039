"""The hypotheses the question policy (engine.select) decides between, and what one
candidate answer does to them.

A hypothesis is one way a fault can still be concluded (one of its possible rules), an
escalation a possible rule could still require, or "other" (a cause the packs do not
know). `hypotheses_now` weighs them for the known facts, keeping each rule's status;
`after_answer` re-weighs only the faults and escalations whose rules test what a
candidate answer adds (and its derived facts), so scoring a candidate costs what the
answer touches, not the size of the packs.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from engine.certainty import combine_all
from engine.choice import EPSILON, SEP, HypothesisKind, group
from engine.compile import CompiledKnowledge, CompiledRule
from engine.derivable import can_hold_through
from engine.logic import TV, FactValue, evaluate
from engine.possible import can_hold, is_open, stop_floor

ESCALATION_WEIGHT = 0.1  # weight of "a possible rule requires escalation"
OTHER_WEIGHT = 0.1  # weight of "a cause the packs do not know"
OTHER = "other"

# ---- the index of a compiled knowledge base (built once per compiled knowledge) -------------


@dataclass
class PolicyIndex:
    compiled: CompiledKnowledge
    rank: dict[str, int]  # question id -> declared position
    cost: dict[str, float]
    order: dict[str, int | None]
    concluders: dict[str, list[tuple[CompiledRule, float]]]  # fault -> (rule, cf), non-fallback
    escalators: list[CompiledRule]  # non-fallback rules that escalate
    focused: dict[frozenset[str], Focused] = field(default_factory=dict)
    packed: (
        tuple[
            dict[str, list[tuple[int, str, list[tuple[CompiledRule, float]]]]],
            dict[str, list[CompiledRule]],
        ]
        | None
    ) = None

    def focus(self, packs: set[str]) -> Focused:
        """The concluding and escalating rules of the packs in focus (once per focus)."""
        key = frozenset(packs)
        found = self.focused.get(key)
        if found is None:
            by_pack = self._by_pack()
            concluders = [
                (f, rs) for _, f, rs in sorted(c for p in key for c in by_pack[0].get(p, ()))
            ]
            escalators = sorted(
                (r for p in key for r in by_pack[1].get(p, ())), key=lambda r: r.index
            )
            faults_by_key: dict[str, list[tuple[str, CompiledRule]]] = {}
            for fault_id, rules in concluders:
                for rule, _ in rules:
                    for k in rule.tested():
                        faults_by_key.setdefault(k, []).append((fault_id, rule))
            escalators_by_key: dict[str, list[CompiledRule]] = {}
            for rule in escalators:
                for k in rule.tested():
                    escalators_by_key.setdefault(k, []).append(rule)
            found = self.focused[key] = Focused(
                concluders, escalators, faults_by_key, escalators_by_key
            )
        return found

    def _by_pack(
        self,
    ) -> tuple[
        dict[str, list[tuple[int, str, list[tuple[CompiledRule, float]]]]],
        dict[str, list[CompiledRule]],
    ]:
        """Per pack: its faults' concluders (with their position) and its escalators."""
        if self.packed is None:
            fault_pack = self.compiled.kb.fault_pack
            concluders: dict[str, list[tuple[int, str, list[tuple[CompiledRule, float]]]]] = {}
            for position, (fault_id, rules) in enumerate(self.concluders.items()):
                concluders.setdefault(fault_pack(fault_id), []).append((position, fault_id, rules))
            escalators: dict[str, list[CompiledRule]] = {}
            for rule in self.escalators:
                escalators.setdefault(rule.ref.pack_id, []).append(rule)
            self.packed = (concluders, escalators)
        return self.packed


@dataclass(frozen=True)
class Focused:
    concluders: list[tuple[str, list[tuple[CompiledRule, float]]]]  # fault -> (rule, cf)
    escalators: list[CompiledRule]
    faults_by_key: dict[str, list[tuple[str, CompiledRule]]]  # tested key -> (fault, rule)
    escalators_by_key: dict[str, list[CompiledRule]]  # tested key -> escalating rules


def policy_index(compiled: CompiledKnowledge) -> PolicyIndex:
    """What the policy needs of the compiled knowledge, worked out once and kept with it."""
    return compiled.cached("policy_index", lambda: _build_policy_index(compiled))


def _build_policy_index(compiled: CompiledKnowledge) -> PolicyIndex:
    kb = compiled.kb
    rank = {qid: i for i, qid in enumerate(kb.questions)}
    weights = compiled.weights
    cost = {
        qid: weights.cost(qid, float(q.cost)) if weights else float(q.cost)
        for qid, q in kb.questions.items()
    }
    order = {qid: q.order for qid, q in kb.questions.items()}
    concluders: dict[str, list[tuple[CompiledRule, float]]] = {}
    escalators: list[CompiledRule] = []
    for rule in compiled.rules:
        for then in rule.ref.rule.then:
            if then.derive is not None or rule.ref.rule.fallback:
                continue
            if then.conclude is not None:
                concluders.setdefault(then.conclude, []).append((rule, then.cf))
            elif then.escalate is not None and (not escalators or escalators[-1] is not rule):
                escalators.append(rule)
    return PolicyIndex(compiled, rank, cost, order, concluders, escalators)


# ---- hypotheses --------------------------------------------------------------------------------


Alive = dict[str, tuple[HypothesisKind, float, tuple[str, ...]]]


@dataclass
class Now:
    """The hypotheses for the known facts, kept per fault, so that a candidate answer
    re-weighs only the faults and escalations whose rules test what it adds."""

    facts: dict[str, FactValue]  # the closure of the known facts
    floor: float  # stop_floor of those facts
    faults: dict[str, tuple[Alive, bool]]  # fault in focus, not ruled out -> hypotheses, firm
    status: dict[int, int]  # concluding rule (index) -> HOLDS, OPEN or CLOSED
    alive: Alive
    firm: set[str]
    total: float = 0.0  # sum of the weights
    entropy: float = 0.0  # bits
    firm_weight: float = 0.0  # weight of the hypotheses of firm faults
    ids: tuple[str, ...] = ()  # the hypotheses, in order
    logs: dict[int, float] = field(default_factory=dict)  # n -> sum of m log2 m, m = w/total/n

    def __post_init__(self) -> None:
        self.ids = tuple(self.alive)
        self.total = sum(w for _, w, _ in self.alive.values())
        self.entropy = entropy(w for _, w, _ in self.alive.values())
        self.firm_weight = sum(w for h, (_, w, _) in self.alive.items() if group(h) in self.firm)

    def spread_log(self, n: int) -> float:
        """Sum of m log2 m over every hypothesis, each spread evenly over n answers."""
        found = self.logs.get(n)
        if found is None:
            found = self.logs[n] = sum(mlog(w / self.total / n) for _, w, _ in self.alive.values())
        return found


def mlog(mass: float) -> float:
    return mass * math.log2(mass) if mass > 0 else 0.0


HOLDS, OPEN, CLOSED = 2, 1, 0


def rule_status(
    rule: CompiledRule, facts: Mapping[str, FactValue], compiled: CompiledKnowledge
) -> int:
    """Whether the rule's condition holds, can still hold, or cannot any more (a derived
    fact not known yet counts only with the values its rules can still give)."""
    value = evaluate(rule.nnf, facts)
    if value is TV.TRUE:
        return HOLDS
    if not can_hold(rule.nnf, facts):
        return CLOSED
    return OPEN if can_hold_through(compiled, rule.nnf, facts) else CLOSED


def fault_hypotheses(
    index: PolicyIndex,
    fault_id: str,
    concluders: list[tuple[CompiledRule, float]],
    status: Mapping[int, int],
    floor: float,
    threshold: float,
    facts: Mapping[str, FactValue] | None = None,
) -> tuple[Alive, bool]:
    """One fault's hypotheses (one per rule that can still conclude it), and whether it is
    firm now. It is a hypothesis only while it can still become firm (its true and
    possible rules can reach the threshold); weight prior x certainty / number of rules."""
    reachable: list[float] = []
    held: list[float] = []
    ways: list[tuple[str, float]] = []
    for rule, cf in concluders:
        if rule.priority < floor:
            continue
        now = status[rule.index]
        if now == HOLDS:
            reachable.append(cf)
            held.append(cf)
        elif cf > 0 and now == OPEN:
            reachable.append(cf)
        else:
            continue
        if cf > 0:
            ways.append((rule.qualified, cf))
    firm = bool(held) and combine_all(held) >= threshold - EPSILON
    if not ways or combine_all(reachable) < threshold - EPSILON:
        return {}, firm
    share = prior(index, fault_id, facts or {}) / sum(1 for _, cf in concluders if cf > 0)
    return {
        fault_id + SEP + qualified: ("fault", share * cf, (qualified,)) for qualified, cf in ways
    }, firm


def prior(index: PolicyIndex, fault_id: str, facts: Mapping[str, FactValue]) -> float:
    """The fault's likelihood: learned for the case's complaint when a learned overlay is
    published (engine.weights), else the pack's prior."""
    own = index.compiled.kb.faults[fault_id].likelihood
    weights = index.compiled.weights
    return weights.likelihood(fault_id, facts, own) if weights is not None else own


def escalation_id(rule: CompiledRule) -> str:
    return "escalate:" + rule.qualified


def hypotheses_now(
    index: PolicyIndex,
    facts: dict[str, FactValue],
    ruled_out: set[str],
    focus: set[str],
    threshold: float,
) -> Now:
    """Every hypothesis still possible (id -> kind, weight, rules), and the faults firm now."""
    floor = stop_floor(index.compiled, facts)
    alive: Alive = {}
    firm: set[str] = set()
    faults: dict[str, tuple[Alive, bool]] = {}
    status: dict[int, int] = {}
    focused = index.focus(focus)
    for fault_id, concluders in focused.concluders:
        if fault_id in ruled_out:
            continue
        for rule, _ in concluders:
            if rule.index not in status and rule.priority >= floor:
                status[rule.index] = rule_status(rule, facts, index.compiled)
        found = faults[fault_id] = fault_hypotheses(
            index, fault_id, concluders, status, floor, threshold, facts
        )
        alive.update(found[0])
        if found[1]:
            firm.add(fault_id)
    for rule in focused.escalators:
        if rule.priority >= floor and is_open(rule.nnf, facts):
            alive[escalation_id(rule)] = ("escalation", ESCALATION_WEIGHT, (rule.qualified,))
    alive[OTHER] = ("other", OTHER_WEIGHT, ())
    return Now(facts, floor, faults, status, alive, firm)


def after_answer(
    index: PolicyIndex,
    now: Now,
    facts: dict[str, FactValue],
    learnt: list[str],
    ruled_out: set[str],
    focus: set[str],
    threshold: float,
) -> tuple[set[str], set[str], set[str]]:
    """What one candidate answer does to the hypotheses: (the hypotheses it rules out, the
    faults firm and the escalations that hold after it, the hypotheses re-weighed).
    `learnt`: the keys it adds (the answer and what it derives); only the faults and
    escalations whose rules test them are re-weighed, unless it lets a `stop` rule hold,
    which can shadow anything."""
    compiled = index.compiled
    if max(now.floor, stop_floor(compiled, facts, learnt)) != now.floor:
        shadowed = hypotheses_now(index, facts, ruled_out, focus, threshold)
        return {h for h in now.alive if h not in shadowed.alive}, shadowed.firm, set(now.alive)
    focused = index.focus(focus)
    removed: set[str] = set()
    touched: set[str] = set()
    firm = set(now.firm)
    status: dict[int, int] = {}
    faults: set[str] = set()
    for key in learnt:
        for fault_id, rule in focused.faults_by_key.get(key, ()):
            before = now.status.get(rule.index)
            if fault_id in ruled_out or before is None:
                continue
            after = status.get(rule.index)
            if after is None:
                after = status[rule.index] = rule_status(rule, facts, index.compiled)
            if after != before:  # a fault whose rules keep their status keeps its hypotheses
                faults.add(fault_id)
    for fault_id in faults:
        hypotheses, _ = now.faults[fault_id]
        still, is_firm = fault_hypotheses(
            index,
            fault_id,
            index.concluders[fault_id],
            collections.ChainMap(status, now.status),
            now.floor,
            threshold,
            facts,
        )
        touched.update(hypotheses)
        removed.update(h for h in hypotheses if h not in still)
        if is_firm:
            firm.add(fault_id)
        else:
            firm.discard(fault_id)
    for key in learnt:
        for rule in focused.escalators_by_key.get(key, ()):
            hypothesis = escalation_id(rule)
            if hypothesis in now.alive and not is_open(rule.nnf, facts):
                touched.add(hypothesis)
                if evaluate(rule.nnf, facts) is TV.TRUE:
                    firm.add(hypothesis)  # the escalation now holds: the answer settles it
                else:
                    removed.add(hypothesis)
    return removed, firm, touched


def entropy(weights: Iterable[float]) -> float:
    values = [w for w in weights if w > 0]
    total = sum(values)
    return -sum((w / total) * math.log2(w / total) for w in values) if total > 0 else 0.0
