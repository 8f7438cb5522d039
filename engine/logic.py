"""Conditions as logic: leaf tests, negation normal form, and three-valued evaluation.

The same leaf tests serve the experta patterns (what fires) and the
three-valued evaluator (what is still possible, WHY NOT), so the two can never
disagree about what a comparison means.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any

from rules.expr import evaluate as evaluate_expr
from rules.expr import parse as parse_expr
from rules.knowledge import KnowledgeBase, subject_key
from rules.schema import Condition, Consequence, Scalar
from rules.source import PathKey, format_path


class _Unknown:
    """The value of an answer the customer could not give: settled, but matches nothing."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "unknown"


UNKNOWN = _Unknown()
FactValue = Scalar | _Unknown


class TV(Enum):
    """Three-valued truth, plus UNSETTLABLE for conditions on unknown answers."""

    TRUE = "true"
    FALSE = "false"
    PENDING = "pending"
    UNSETTLABLE = "unsettlable"


@dataclass(frozen=True)
class NLeaf:
    """A comparison, possibly negated ('known and differs'), with its path in the pack."""

    cond: Condition
    negated: bool
    path: PathKey

    @cached_property
    def key(self) -> str:
        """The fact key it tests (computed once: the question policy asks it very often)."""
        kind, ident = self.cond.subject
        return subject_key(kind, ident)

    @cached_property
    def test(self) -> Callable[[Any], bool]:
        """`leaf_test(self)`, built once per leaf."""
        return _build_leaf_test(self)


@dataclass(frozen=True)
class NAll:
    parts: tuple[NNode, ...]


@dataclass(frozen=True)
class NAny:
    parts: tuple[NNode, ...]


NNode = NLeaf | NAll | NAny


def to_nnf(cond: Condition, path: PathKey = ("when",), negate: bool = False) -> NNode:
    """Push `not` down to the comparisons (De Morgan)."""
    if cond.not_ is not None:
        return to_nnf(cond.not_, path + ("not",), not negate)
    if cond.all is not None or cond.any is not None:
        key = "all" if cond.all is not None else "any"
        kids = tuple(to_nnf(c, path + (key, i), negate) for i, c in enumerate(cond.children))
        conjunctive = (key == "all") != negate
        return NAll(kids) if conjunctive else NAny(kids)
    return NLeaf(cond, negate, path)


def nnf_leaves(node: NNode) -> Iterator[NLeaf]:
    if isinstance(node, NLeaf):
        yield node
    else:
        for part in node.parts:
            yield from nnf_leaves(part)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equals(want: Any) -> Callable[[Any], bool]:
    if isinstance(want, str):
        low = want.lower()
        return lambda v: isinstance(v, str) and v.lower() == low
    if isinstance(want, bool):
        return lambda v: isinstance(v, bool) and v is want
    return lambda v: _is_number(v) and v == want


def comparison(cond: Condition) -> Callable[[Any], bool]:
    """The test a known value must pass for the (un-negated) comparison to hold."""
    op = cond.kind
    if op == "known":
        return lambda v: True  # any settled value; 'unknown' is refused by the leaf test
    if op == "equals":
        return _equals(cond.equals)
    if op == "one_of":
        tests = [_equals(w) for w in cond.one_of or []]
        return lambda v: any(t(v) for t in tests)
    if op == "less_than":
        bound = float(cond.less_than or 0)
        return lambda v: _is_number(v) and v < bound
    if op == "greater_than":
        bound = float(cond.greater_than or 0)
        return lambda v: _is_number(v) and v > bound
    if op == "between":
        low, high = cond.between or (0.0, 0.0)
        return lambda v: _is_number(v) and low <= v <= high
    needle = (cond.contains or "").lower()
    return lambda v: isinstance(v, str) and needle in v.lower()


def leaf_test(leaf: NLeaf) -> Callable[[Any], bool]:
    """The test on a known (not unknown) value, negation included."""
    return leaf.test


def _build_leaf_test(leaf: NLeaf) -> Callable[[Any], bool]:
    test = comparison(leaf.cond)
    if leaf.negated:
        return lambda v: not isinstance(v, _Unknown) and not test(v)
    return lambda v: not isinstance(v, _Unknown) and test(v)


def eval_leaf(leaf: NLeaf, facts: Mapping[str, FactValue]) -> TV:
    if leaf.key not in facts:
        return TV.PENDING
    value = facts[leaf.key]
    if isinstance(value, _Unknown):
        return TV.UNSETTLABLE
    return TV.TRUE if leaf_test(leaf)(value) else TV.FALSE


def evaluate(node: NNode | None, facts: Mapping[str, FactValue]) -> TV:
    """Kleene logic over TRUE / FALSE / PENDING; UNSETTLABLE ranks just above TRUE/FALSE."""
    if node is None:
        return TV.TRUE
    if isinstance(node, NLeaf):
        return eval_leaf(node, facts)
    values = [evaluate(p, facts) for p in node.parts]
    decisive, neutral = (TV.FALSE, TV.TRUE) if isinstance(node, NAll) else (TV.TRUE, TV.FALSE)
    if decisive in values:
        return decisive
    if TV.PENDING in values:
        return TV.PENDING
    if TV.UNSETTLABLE in values:
        return TV.UNSETTLABLE
    return neutral


@dataclass(frozen=True)
class Blocker:
    """The first comparison that keeps a rule from firing."""

    leaf: NLeaf
    status: TV
    value: FactValue | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "condition": describe(self.leaf),
            "path": format_path(self.leaf.path),
            "status": self.status.value,
            "key": self.leaf.key,
            "value": show_value(self.value) if self.value is not None else None,
            "test": leaf_parts(self.leaf),
        }


def first_blocker(node: NNode | None, facts: Mapping[str, FactValue]) -> Blocker | None:
    """Walk in document order to the first leaf that is not TRUE where it matters."""
    if node is None or evaluate(node, facts) is TV.TRUE:
        return None
    if isinstance(node, NLeaf):
        return Blocker(node, eval_leaf(node, facts), facts.get(node.key))
    for part in node.parts:
        if evaluate(part, facts) is not TV.TRUE:
            return first_blocker(part, facts)
    return None  # pragma: no cover - evaluate() said not TRUE


def derived_value(
    kb: KnowledgeBase, then: Consequence, known: Mapping[str, FactValue]
) -> FactValue | None:
    """The value a firing `derive` sets: its literal, or its expression computed from the
    known facts (None when the expression is undefined, e.g. a division by zero)."""
    if then.expr is None:
        return then.value
    return evaluate_expr(parse_expr(then.expr), kb.number_of(known))


def show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, _Unknown):
        return "unknown"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def leaf_parts(leaf: NLeaf) -> dict[str, Any]:
    """A comparison as data (subject, operator, operand, negated), for people's words."""
    cond = leaf.cond
    kind, ident = cond.subject
    op = cond.kind
    operand = getattr(cond, op)
    return {
        "subject": kind,
        "id": ident,
        "op": op,
        "operand": list(operand) if isinstance(operand, list | tuple) else operand,
        "negated": leaf.negated,
    }


def describe(leaf: NLeaf) -> str:
    """'wired_link_light = no', 'not (disk_free_gb < 5)'."""
    cond = leaf.cond
    kind, ident = cond.subject
    name = f"intake.{ident}" if kind == "intake" else ident
    op = cond.kind
    if op == "known":
        text = f"{name} is known"
    elif op == "equals":
        text = f"{name} = {show_value(cond.equals)}"
    elif op == "one_of":
        text = f"{name} in ({', '.join(show_value(v) for v in cond.one_of or [])})"
    elif op == "less_than":
        text = f"{name} < {show_value(cond.less_than)}"
    elif op == "greater_than":
        text = f"{name} > {show_value(cond.greater_than)}"
    elif op == "between":
        low, high = cond.between or (0, 0)
        text = f"{show_value(low)} <= {name} <= {show_value(high)}"
    else:
        text = f"{name} contains '{cond.contains}'"
    return f"not ({text})" if leaf.negated else text
