"""What is still possible: derived facts chained, conditions that can still hold, and the
questions a still-possible rule depends on. The question policy (engine.select) builds
on these; they are pure functions of the compiled knowledge and the known facts.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping

from engine.compile import CompiledKnowledge, CompiledRule
from engine.logic import TV, UNKNOWN, FactValue, NAll, NLeaf, NNode, evaluate
from rules.knowledge import INTAKE_PREFIX


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


def _derivers(compiled: CompiledKnowledge) -> dict[str, list[CompiledRule]]:
    """Derived fact -> the rules that derive it (built once per compiled knowledge)."""
    cached = compiled.cache.get("derivers")
    if cached is None:
        cached = {}
        for rule in compiled.rules:
            for then in rule.ref.rule.then:
                if then.derive is not None:
                    cached.setdefault(then.derive, []).append(rule)
        compiled.cache["derivers"] = cached
    derivers: dict[str, list[CompiledRule]] = cached
    return derivers


def _leaves_of(compiled: CompiledKnowledge, key: str) -> list[NLeaf]:
    """Every comparison on `key`, in rule order (indexed once per compiled knowledge)."""
    index = compiled.cache.get("leaves_by_key")
    if index is None:
        index = {}
        for rule in compiled.rules:
            for leaf in rule.leaves():
                index.setdefault(leaf.key, []).append(leaf)
        compiled.cache["leaves_by_key"] = index
    leaves: list[NLeaf] = index.get(key, [])
    return leaves


def closure(compiled: CompiledKnowledge, known: Mapping[str, FactValue]) -> dict[str, FactValue]:
    """The known facts plus everything the rules derive from them (to a fixpoint)."""
    facts = dict(known)
    derivers = _derivers(compiled)
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
            if not any(can_hold(r.nnf, facts) for r in rules):
                facts[key] = UNKNOWN
                changed = True
    return facts


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


def stop_floor(compiled: CompiledKnowledge, facts: Mapping[str, FactValue]) -> float:
    """The priority below which conclusions are shadowed by a `stop` rule that holds."""
    stops = compiled.cache.get("stop_rules")
    if stops is None:
        stops = [r for r in compiled.rules if r.ref.rule.stop and not r.ref.rule.fallback]
        compiled.cache["stop_rules"] = stops
    floors = [r.priority for r in stops if evaluate(r.nnf, facts) is TV.TRUE]
    return max(floors) if floors else -math.inf


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
    derivers = _derivers(compiled)
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
                if is_open(deriver.nnf, facts):
                    walk(deriver, target)

    floor = stop_floor(compiled, facts)
    for rule in compiled.rules:
        if rule.ref.rule.fallback or rule.ref.pack_id not in packs or not _useful(rule, ruled):
            continue
        if rule.priority < floor:
            continue
        if is_open(rule.nnf, facts):
            walk(rule, rule.qualified)
    return {q: tuple(sorted(rules)) for q, rules in found.items()}


def answer_values(compiled: CompiledKnowledge, question_id: str) -> list[FactValue]:
    """Representative answers: every yes/no or option; for numbers and text, one value per
    region the packs' comparisons tell apart (worked out once per question)."""
    key = "answer_values:" + question_id
    cached = compiled.cache.get(key)
    if cached is None:
        cached = compiled.cache[key] = _answer_values(compiled, question_id)
    values: list[FactValue] = list(cached)
    return values


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
