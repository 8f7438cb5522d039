"""Rule patterns as plain data: leaf tests on `Known(key, value)` facts, all / any trees.

This module imports no experta: the compiler builds these trees, and the two
matchers (experta's own Rete network, or the indexed matcher) consume them.

Binding names follow document order: the n-th leaf of a rule's pattern binds
its fact as `b<n>`, whichever matcher runs the rule, so traces read the same.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Leaf:
    """Match a `Known` fact with this key whose value passes `test` (or equals `literal`).

    `index`, when given, lists the `canonical` forms of every value the test can
    accept: the indexed matcher then looks the fact's value up in a hash table
    instead of calling the test of every leaf on that key (the test still decides).
    """

    key: str
    test: Callable[[Any], bool] | None = None
    literal: Any = None
    index: frozenset[Hashable] | None = None


@dataclass(frozen=True)
class AllOf:
    parts: Sequence[Pattern]


@dataclass(frozen=True)
class AnyOf:
    parts: Sequence[Pattern]


Pattern = Leaf | AllOf | AnyOf

# The action called when a rule fires: (engine, rule index, {binding: Known fact}).
Action = Callable[[Any, int, dict[str, Any]], None]


@dataclass(frozen=True)
class RuleSpec:
    """One compiled rule: its index in the knowledge base, salience and condition."""

    index: int
    salience: int
    pattern: Pattern | None  # None: always applies (matches the initial fact)


def canonical(value: Any) -> Hashable | None:
    """The hash key of a value for equality tests: strings case-folded, bools apart from 1/0."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, str):
        return ("text", value.lower())
    return None


Conjunction = tuple[tuple[str, Leaf], ...]

_NAMES: list[str] = []


def binding_name(position: int) -> str:
    """`b<position>`, one string shared by every rule (not one per leaf of each rule)."""
    while len(_NAMES) <= position:
        _NAMES.append(f"b{len(_NAMES)}")
    return _NAMES[position]


def disjuncts(pattern: Pattern | None) -> list[Conjunction]:
    """The pattern in disjunctive normal form: one conjunction of (binding, leaf) per disjunct.

    This mirrors experta's own DNF (an `AnyOf` anywhere splits the rule into one
    activation source per alternative), so both matchers fire a rule equally often.
    """
    if pattern is None:
        return [()]
    counter = [0]

    def walk(node: Pattern) -> list[Conjunction]:
        if isinstance(node, Leaf):
            name = binding_name(counter[0])
            counter[0] += 1
            return [((name, node),)]
        parts = [walk(p) for p in node.parts]
        if isinstance(node, AnyOf):
            return [conj for part in parts for conj in part]
        out: list[Conjunction] = [()]
        for part in parts:
            out = [left + right for left in out for right in part]
        return out

    return walk(pattern)
