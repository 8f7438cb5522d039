"""What is still possible: derived facts chained, conditions that can still hold, and the
questions a still-possible rule depends on. The question policy (engine.select) builds
on these; they are pure functions of the compiled knowledge and the known facts.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from engine.compile import CompiledKnowledge, CompiledRule
from engine.logic import TV, UNKNOWN, FactValue, NAll, NLeaf, NNode, derived_value, evaluate
from rules.computed import expression_constants
from rules.knowledge import INTAKE_PREFIX, KnowledgeBase
from rules.scope import complaint_map


def focus_packs(compiled: CompiledKnowledge, known: Mapping[str, FactValue]) -> set[str]:
    """The packs with knowledge for the complaint (rules.scope); may be none.

    Without a complaint every pack is in focus. Worked out once per complaint and
    compiled knowledge.
    """
    complaint = known.get(INTAKE_PREFIX + "complaint")
    known_focus: dict[str | None, frozenset[str]] = compiled.cached("focus", dict)
    key = complaint if isinstance(complaint, str) else None
    cached = known_focus.get(key)
    if cached is None:
        cached = known_focus[key] = frozenset(_focus_packs(compiled, key))
    return set(cached)


@dataclass(frozen=True)
class PackIndex:
    """Per pack, what a focus is made of (built once per compiled knowledge), so that
    working out a new complaint's focus costs the size of the focus, not of the line."""

    knowing: dict[str, set[str]]  # complaint -> packs with knowledge for it
    rules: dict[str, list[CompiledRule]]  # pack -> its non-fallback rules, in rule order

    @classmethod
    def of(cls, compiled: CompiledKnowledge) -> PackIndex:
        return compiled.cached("pack_index", lambda: cls._build(compiled))

    @classmethod
    def _build(cls, compiled: CompiledKnowledge) -> PackIndex:
        knowing: dict[str, set[str]] = {}
        known = complaint_map(p.pack for p in compiled.kb.packs.values())
        for pid, complaints in known.items():
            for complaint in complaints:
                knowing.setdefault(complaint, set()).add(pid)
        rules: dict[str, list[CompiledRule]] = {}
        for rule in compiled.rules:
            if not rule.ref.rule.fallback:
                rules.setdefault(rule.ref.pack_id, []).append(rule)
        return cls(knowing, rules)


def _focus_packs(compiled: CompiledKnowledge, complaint: str | None) -> set[str]:
    """The packs with knowledge for the complaint; every pack when there is no complaint.

    A pack merely required by one of them (for its ids) is not in focus: a wired-network
    case is never asked a Wi-Fi question because the Line 2 network pack requires both.
    """
    if complaint is None:
        return set(compiled.kb.packs)
    return set(PackIndex.of(compiled).knowing.get(complaint, ()))


@dataclass(frozen=True)
class Scope:
    """The rules of the packs in focus, in rule order (worked out once per focus)."""

    rules: tuple[CompiledRule, ...]  # non-fallback rules of the focus packs


def scope(compiled: CompiledKnowledge, focus: AbstractSet[str]) -> Scope:
    scopes: dict[frozenset[str], Scope] = compiled.cached("scopes", dict)
    key = frozenset(focus)
    found = scopes.get(key)
    if found is None:
        by_pack = PackIndex.of(compiled).rules
        rules = sorted((r for p in key for r in by_pack.get(p, ())), key=lambda r: r.index)
        found = scopes[key] = Scope(tuple(rules))
    return found


def derivers_of(compiled: CompiledKnowledge) -> dict[str, list[CompiledRule]]:
    """Derived fact -> the rules that derive it (built once per compiled knowledge)."""

    def build() -> dict[str, list[CompiledRule]]:
        found: dict[str, list[CompiledRule]] = {}
        for rule in compiled.rules:
            for then in rule.ref.rule.then:
                if then.derive is not None:
                    found.setdefault(then.derive, []).append(rule)
        return found

    return compiled.cached("derivers", build)


def _leaves_of(compiled: CompiledKnowledge, key: str) -> list[NLeaf]:
    """Every comparison on `key`, in rule order (indexed once per compiled knowledge)."""

    def build() -> dict[str, list[NLeaf]]:
        found: dict[str, list[NLeaf]] = {}
        for rule in compiled.rules:
            for leaf in rule.leaves():
                found.setdefault(leaf.key, []).append(leaf)
        return found

    return compiled.cached("leaves_by_key", build).get(key, [])


@dataclass(frozen=True)
class _DeriveIndex:
    """Derived facts in rule order, and which of them each tested key can make derivable."""

    keys: tuple[str, ...]  # derived keys, in the order of their first deriving rule
    rules: tuple[tuple[CompiledRule, ...], ...]  # per derived key, its deriving rules
    triggers: dict[str, tuple[int, ...]]  # tested key -> derived keys (positions) it feeds
    always: tuple[int, ...]  # derived keys with a deriving rule that tests nothing


def _derive_index(compiled: CompiledKnowledge) -> _DeriveIndex:
    return compiled.cached("derive_index", lambda: _build_derive_index(compiled))


def _build_derive_index(compiled: CompiledKnowledge) -> _DeriveIndex:
    derivers = derivers_of(compiled)
    keys = tuple(derivers)
    triggers: dict[str, set[int]] = {}
    always: list[int] = []
    for position, key in enumerate(keys):
        for rule in derivers[key]:
            if rule.nnf is None:
                always.append(position)
            for key_tested in rule.tested():
                triggers.setdefault(key_tested, set()).add(position)
    return _DeriveIndex(
        keys,
        tuple(tuple(derivers[k]) for k in keys),
        {k: tuple(sorted(v)) for k, v in triggers.items()},
        tuple(sorted(set(always))),
    )


def closure(
    compiled: CompiledKnowledge,
    known: Mapping[str, FactValue],
    since: Iterable[str] | None = None,
) -> dict[str, FactValue]:
    """The known facts plus everything the rules derive from them (to a fixpoint).

    Each pass visits the derived facts in rule order: the first deriving rule that holds
    gives the value; when nothing more can be derived, a derived fact that no rule can
    derive any more is settled as 'unknown' (it matches nothing, so rules waiting on it
    stop counting as possible), and derivation resumes.

    Only derived facts whose deriving rules test a known key are visited: the others are
    pending as a whole, so they could neither be derived nor settled. The cost is that of
    the touched rules, never a pass over every rule.

    `since`: `known` is already closed except for these keys (a candidate answer added
    to a closure); only what they touch is visited. New keys are added after `known`'s.
    """
    index = _derive_index(compiled)
    facts = dict(known)
    questions = compiled.kb.questions
    touched: set[int] = set(index.always)
    for key in facts if since is None else since:
        touched.update(index.triggers.get(key, ()))
    settling = False
    while True:
        changed = False
        queue = sorted(p for p in touched if index.keys[p] not in facts)
        queued = set(queue)
        while queue:
            position = heapq.heappop(queue)
            key = index.keys[position]
            if key in facts:
                continue
            if settling:
                if key in questions:
                    continue
                value = _settle(index.rules[position], facts)
            else:
                value = _derive(compiled.kb, index.rules[position], key, facts)
            if value is None:
                continue
            facts[key] = value
            changed = True
            for fed in index.triggers.get(key, ()):
                touched.add(fed)
                if fed > position and fed not in queued:
                    heapq.heappush(queue, fed)
                    queued.add(fed)
        if changed:
            settling = False
        elif settling:
            return facts
        else:
            settling = True


def _derive(
    kb: KnowledgeBase, rules: Iterable[CompiledRule], key: str, facts: Mapping[str, FactValue]
) -> FactValue | None:
    for rule in rules:
        if evaluate(rule.nnf, facts) is TV.TRUE:
            then = next(t for t in rule.ref.rule.then if t.derive == key)
            value = derived_value(kb, then, facts)
            if value is not None:
                return value
    return None


def _settle(rules: Iterable[CompiledRule], facts: Mapping[str, FactValue]) -> FactValue | None:
    return None if any(can_hold(r.nnf, facts) for r in rules) else UNKNOWN


def can_hold(node: NNode | None, facts: Mapping[str, FactValue]) -> bool:
    """Whether `node` is true or can still become true (an 'unknown' answer never can)."""
    if node is None:
        return True
    if isinstance(node, NLeaf):
        return evaluate(node, facts) in (TV.TRUE, TV.PENDING)
    if isinstance(node, NAll):
        return all(can_hold(p, facts) for p in node.parts)
    return any(can_hold(p, facts) for p in node.parts)


def is_open(node: NNode | None, facts: Mapping[str, FactValue]) -> bool:
    """Not true yet, but can still become true."""
    return evaluate(node, facts) is not TV.TRUE and can_hold(node, facts)


def open_leaves(node: NNode | None, facts: Mapping[str, FactValue]) -> Iterator[NLeaf]:
    """Pending comparisons that can still make `node` true."""
    if node is None or not is_open(node, facts):
        return
    if isinstance(node, NLeaf):
        yield node
        return
    for part in node.parts:
        yield from open_leaves(part, facts)


def _stop_rules_by_key(compiled: CompiledKnowledge) -> dict[str, list[CompiledRule]]:
    """Tested key ("" for no condition) -> the non-fallback `stop` rules testing it."""

    def build() -> dict[str, list[CompiledRule]]:
        found: dict[str, list[CompiledRule]] = {}
        for rule in compiled.rules:
            if rule.ref.rule.stop and not rule.ref.rule.fallback:
                for key in rule.tested() if rule.nnf is not None else {""}:
                    found.setdefault(key, []).append(rule)
        return found

    return compiled.cached("stop_rules_by_key", build)


def stop_floor(
    compiled: CompiledKnowledge, facts: Mapping[str, FactValue], keys: Iterable[str] | None = None
) -> float:
    """The priority below which conclusions are shadowed by a `stop` rule that holds.

    Only `stop` rules that test a known key (or nothing) can hold; only those are evaluated.
    `keys`: look only at the stop rules that test these keys (the ones just learnt).
    """
    by_key = _stop_rules_by_key(compiled)
    floor = -math.inf
    for key in ("", *facts) if keys is None else keys:  # "": stop rules with no condition
        for rule in by_key.get(key, ()):
            if rule.priority > floor and evaluate(rule.nnf, facts) is TV.TRUE:
                floor = rule.priority
    return floor


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
    derivers = derivers_of(compiled)
    found: dict[str, set[str]] = {}
    feeding: dict[int, frozenset[str]] = {}  # rule -> the questions its open leaves need

    def questions_of(rule: CompiledRule) -> frozenset[str]:
        """The unknown questions a rule's open leaves depend on, directly or through a
        derived fact an open rule can still derive (worked out once per rule)."""
        known_set = feeding.get(rule.index)
        if known_set is not None:
            return known_set
        feeding[rule.index] = frozenset()  # a cycle of derived facts adds nothing
        needed: set[str] = set()
        for leaf in open_leaves(rule.nnf, facts):
            key = leaf.key
            if key in facts or key.startswith(INTAKE_PREFIX):
                continue
            if key in kb.questions:
                needed.add(key)
            for deriver in derivers.get(key, []):
                if is_open(deriver.nnf, facts):
                    needed |= questions_of(deriver)
        feeding[rule.index] = frozenset(needed)
        return feeding[rule.index]

    floor = stop_floor(compiled, facts)
    for rule in scope(compiled, packs).rules:
        if not _useful(rule, ruled):
            continue
        if rule.priority < floor:
            continue
        if is_open(rule.nnf, facts):
            for question in questions_of(rule):
                found.setdefault(question, set()).add(rule.qualified)
    return {q: tuple(sorted(rules)) for q, rules in found.items()}


def answer_values(compiled: CompiledKnowledge, question_id: str) -> list[FactValue]:
    """Representative answers: every yes/no or option; for numbers and text, one value per
    region the packs' comparisons tell apart (worked out once per question)."""
    values = compiled.cached(
        "answer_values:" + question_id, lambda: _answer_values(compiled, question_id)
    )
    return list(values)


def number_bounds(compiled: CompiledKnowledge, question_id: str) -> list[float]:
    """The numbers the packs compare a question's answer with, in order: the edges of
    the regions its representative answers stand for (a picture labels them as ranges)."""
    bounds: set[float] = set()
    for leaf in _leaves_of(compiled, question_id):
        operand = leaf.cond.operand
        for value in operand if isinstance(operand, list | tuple) else [operand]:
            if isinstance(value, int | float) and not isinstance(value, bool):
                bounds.add(float(value))
    computed = expression_constants((r.ref.rule for r in compiled.rules), question_id)
    if computed:  # arithmetic is opaque here: its constants and the answer's range
        question = compiled.kb.questions[question_id]
        bounds |= computed
        bounds.update(b for b in (question.min, question.max) if b is not None)
    return sorted(bounds)


def _answer_values(compiled: CompiledKnowledge, question_id: str) -> list[FactValue]:
    question = compiled.kb.questions[question_id]
    if question.type == "yesno":
        return [True, False]
    if question.type == "choice":
        return [o.value for o in question.options or ()]
    leaves = _leaves_of(compiled, question_id)
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
    ordered = number_bounds(compiled, question_id)
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
