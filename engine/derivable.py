"""Which values a derived fact not known yet can still take, so that a comparison on it
counts as possible only while a rule that can still derive it can give a value that
satisfies it (issue 16 item 10: WHY weighs only the faults derived facts leave possible).

A rule deriving a literal gives that value; one deriving an expression gives every value
it computes over the remaining options of the yes/no and menu questions it names (at
most MAX_COMBINATIONS of them); anything else (a number or text answer in the
expression, too many combinations) counts as able to give any value.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from collections.abc import Set as AbstractSet

from engine.compile import CompiledKnowledge, CompiledRule
from engine.logic import TV, FactValue, NAll, NLeaf, NNode, derived_value, evaluate
from engine.possible import answer_values, derivers_of
from rules.schema import Consequence

MAX_COMBINATIONS = 64
MAX_DEPTH = 16


def can_hold_through(
    compiled: CompiledKnowledge, node: NNode | None, facts: Mapping[str, FactValue]
) -> bool:
    """engine.possible.can_hold, following derived facts not known yet to their rules."""
    return _holds(compiled, node, facts, frozenset())


def _holds(
    compiled: CompiledKnowledge,
    node: NNode | None,
    facts: Mapping[str, FactValue],
    seen: AbstractSet[str],
) -> bool:
    if node is None:
        return True
    if isinstance(node, NLeaf):
        value = evaluate(node, facts)
        if value is not TV.PENDING:
            return value is TV.TRUE
        return _satisfiable(compiled, node, facts, seen)
    if isinstance(node, NAll):
        return all(_holds(compiled, p, facts, seen) for p in node.parts)
    return any(_holds(compiled, p, facts, seen) for p in node.parts)


def _satisfiable(
    compiled: CompiledKnowledge,
    leaf: NLeaf,
    facts: Mapping[str, FactValue],
    seen: AbstractSet[str],
) -> bool:
    """Whether a pending comparison on a derived fact can still come out true."""
    key = leaf.key
    rules = derivers_of(compiled).get(key)
    if not rules or key in seen or len(seen) >= MAX_DEPTH:
        return True  # an answer (or a cycle): pending means possible
    inner = seen | {key}
    for rule in rules:
        if not _holds(compiled, rule.nnf, facts, inner):
            continue
        for then in rule.ref.rule.then:
            if then.derive != key:
                continue
            values = _values(compiled, rule, then, facts)
            if values is None or any(evaluate(leaf, {**facts, key: v}) is TV.TRUE for v in values):
                return True
    return False


def _values(
    compiled: CompiledKnowledge,
    rule: CompiledRule,
    then: Consequence,
    facts: Mapping[str, FactValue],
) -> set[FactValue] | None:
    """The values one `derive` can still give (None: any value)."""
    kb = compiled.kb
    if then.expr is None:
        literal = derived_value(kb, then, facts)
        return None if literal is None else {literal}
    names = sorted({k for k in rule.tested() if k not in facts})
    choices: list[list[FactValue]] = []
    for name in names:
        question = kb.questions.get(name)
        if question is None or question.type not in ("yesno", "choice"):
            return None
        choices.append(answer_values(compiled, name))
    if not choices or any(not c for c in choices):
        return None
    total = 1
    for c in choices:
        total *= len(c)
    if total > MAX_COMBINATIONS:
        return None
    found: set[FactValue] = set()
    for combination in itertools.product(*choices):
        value = derived_value(kb, then, {**facts, **dict(zip(names, combination, strict=True))})
        if value is None:
            return None
        found.add(value)
    return found


def blocking_leaf(
    compiled: CompiledKnowledge, node: NNode | None, facts: Mapping[str, FactValue]
) -> NLeaf | None:
    """The first comparison that keeps `node` from ever holding (None: it still can)."""
    if node is None or _holds(compiled, node, facts, frozenset()):
        return None
    if isinstance(node, NLeaf):
        return node
    found = [blocking_leaf(compiled, p, facts) for p in node.parts]
    return next((f for f in found if f is not None), None)


def inputs(
    compiled: CompiledKnowledge, key: str, facts: Mapping[str, FactValue], depth: int = 0
) -> list[str]:
    """The known answers and intake fields the rules deriving `key` test, through other
    derived facts, in rule order (what a value it can or cannot take depends on)."""
    found: list[str] = []
    derivers = derivers_of(compiled)
    for rule in derivers.get(key, ()):
        for tested in sorted(rule.tested()):
            more = inputs(compiled, tested, facts, depth + 1) if depth < MAX_DEPTH else []
            for name in more if tested in derivers else [tested] if tested in facts else []:
                if name not in found:
                    found.append(name)
    return found
