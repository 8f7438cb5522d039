"""Rule conditions as finite constraints, so that the verifier can reason about them exactly.

Every comparison in the packs is constant between the constants the packs mention, so
each fact key gets a small tuple of representative values (its *space*): the options of
a yes/no or choice key, the constants and the points between them for a number, the
searched words plus "none of them" for a text. A condition in negation normal form
then becomes a disjunction of terms (DNF), each term giving the allowed values per key.

The index `len(values)` of every key stands for ABSENT: not known, or answered
"unknown". No comparison (negated or not) holds on it, exactly like the engine's
three-valued logic, which is what makes "A true implies B true" decidable here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from engine.compile import CompiledRule
from engine.logic import FactValue, NAll, NLeaf, NNode, leaf_test
from rules.expr import parse as parse_expr
from rules.knowledge import KnowledgeBase

MAX_TERMS = 512
OTHER_TEXT = "\u2205"  # a text that contains none of the searched words

Term = dict[str, frozenset[int]]  # key -> allowed value indices; a missing key allows anything


class TooComplex(Exception):
    """A condition whose DNF exceeds MAX_TERMS: the verifier then makes no claim about it."""


@dataclass(frozen=True)
class KeySpace:
    """The representative values of one fact key; index len(values) is ABSENT."""

    key: str
    values: tuple[FactValue, ...]

    @property
    def absent(self) -> int:
        return len(self.values)

    @property
    def known(self) -> frozenset[int]:
        return frozenset(range(len(self.values)))

    @property
    def full(self) -> frozenset[int]:
        return frozenset(range(len(self.values) + 1))

    def indices(self, wanted: Iterable[FactValue]) -> frozenset[int]:
        wanted = list(wanted)
        return frozenset(i for i, v in enumerate(self.values) if any(_same(v, w) for w in wanted))


def _same(left: FactValue, right: FactValue) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return (type(left) is type(right) and left == right) or (
        isinstance(left, int | float) and isinstance(right, int | float) and left == right
    )


def _number_points(constants: set[float], low: float | None, high: float | None) -> list[float]:
    """One point on each constant and one inside each interval between and around them."""
    marks = sorted(constants | {m for m in (low, high) if m is not None})
    if not marks:
        return [0]
    points = set(marks)
    points.update((a + b) / 2 for a, b in itertools.pairwise(marks))
    points.update((marks[0] - 1, marks[-1] + 1))
    kept = [p for p in points if (low is None or p >= low) and (high is None or p <= high)]
    return [int(p) if float(p).is_integer() else p for p in sorted(kept)]


class Space:
    """The representative values of every key the rules test or derive."""

    def __init__(self, keys: Mapping[str, KeySpace]) -> None:
        self.keys = dict(keys)
        self._atoms: dict[int, frozenset[int]] = {}

    def __getitem__(self, key: str) -> KeySpace:
        return self.keys[key]

    def atom(self, leaf: NLeaf) -> frozenset[int]:
        """The value indices on which this comparison holds (never ABSENT)."""
        cached = self._atoms.get(id(leaf))
        if cached is None:
            test = leaf_test(leaf)
            space = self.keys[leaf.key]
            cached = frozenset(i for i, v in enumerate(space.values) if test(v))
            self._atoms[id(leaf)] = cached
        return cached

    def terms(self, node: NNode | None, negate: bool = False) -> list[Term]:
        """The condition (or, negated, its "not true") as a list of satisfiable-looking terms."""
        if node is None:
            return [] if negate else [{}]
        if isinstance(node, NLeaf):
            allowed = self.atom(node)
            if negate:
                allowed = self.keys[node.key].full - allowed
            return [{node.key: allowed}] if allowed else []
        conjunctive = isinstance(node, NAll) != negate
        parts = [self.terms(p, negate) for p in node.parts]
        if not conjunctive:
            out = [t for part in parts for t in part]
        else:
            out = [{}]
            for part in parts:
                out = [m for left in out for right in part if (m := self.merge(left, right))]
                if len(out) > MAX_TERMS:
                    raise TooComplex
        if len(out) > MAX_TERMS:
            raise TooComplex
        return out

    def merge(self, left: Term, right: Term) -> Term | None:
        """The conjunction of two terms, or None when some key has no value left."""
        merged = dict(left)
        for key, allowed in right.items():
            both = merged[key] & allowed if key in merged else allowed
            if not both:
                return None
            merged[key] = both
        return merged

    def term_fits(self, term: Term, allowed: Mapping[str, frozenset[int]]) -> str | None:
        """None when the term can hold within `allowed`, else the first key that cannot."""
        for key in sorted(term):
            if key in allowed and not term[key] & allowed[key]:
                return key
        return None

    def satisfiable(
        self, node: NNode | None, allowed: Mapping[str, frozenset[int]] | None = None
    ) -> bool:
        return self.blocking_key(node, allowed or {}) is None

    def blocking_key(self, node: NNode | None, allowed: Mapping[str, frozenset[int]]) -> str | None:
        """None if the condition can hold; else a key that keeps its first term from holding.

        An empty string means the condition is plainly impossible (every term vanished).
        """
        terms = self.terms(node)
        if not terms:
            return self._first_conflict(node)
        blocker: str | None = ""
        for term in terms:
            key = self.term_fits(term, allowed)
            if key is None:
                return None
            if blocker == "":
                blocker = key
        return blocker

    def _first_conflict(self, node: NNode | None) -> str:
        """Some key whose comparisons in the condition cannot hold together."""
        if isinstance(node, NLeaf):
            return node.key
        if node is None:
            return ""
        for part in node.parts:
            if not self.terms(part):
                return self._first_conflict(part)
        keys = sorted({leaf.key for leaf in _leaves(node)})
        return keys[0] if keys else ""

    def implies(self, premise: NNode | None, conclusion: NNode | None) -> bool:
        """Whenever `premise` is true (in three-valued logic), `conclusion` is true too."""
        negated = self.terms(conclusion, negate=True)
        return not any(self.merge(a, b) for a in self.terms(premise) for b in negated)


def value_classes(space: Space, rules: Iterable[CompiledRule], key: str) -> list[list[int]]:
    """The key's value indices grouped by how every comparison of `rules` treats them (the
    values of one class behave alike everywhere), each sorted, in order of first value."""
    leaves = [leaf for rule in rules for leaf in rule.leaves() if leaf.key == key]
    groups: dict[tuple[bool, ...], list[int]] = {}
    for i in range(len(space[key].values)):
        groups.setdefault(tuple(i in space.atom(leaf) for leaf in leaves), []).append(i)
    return sorted(groups.values())


def _leaves(node: NNode) -> Iterable[NLeaf]:
    if isinstance(node, NLeaf):
        yield node
    else:
        for part in node.parts:
            yield from _leaves(part)


def build_space(kb: KnowledgeBase, rules: Iterable[CompiledRule]) -> Space:
    """Representative values for every key tested or derived by these rules."""
    constants: dict[str, set[FactValue]] = {}
    for rule in rules:
        for leaf in rule.leaves():
            cond = leaf.cond
            bag = constants.setdefault(leaf.key, set())
            if cond.equals is not None:
                bag.add(cond.equals)
            bag.update(cond.one_of or ())
            for bound in (cond.less_than, cond.greater_than):
                if bound is not None:
                    bag.add(bound)
            bag.update(cond.between or ())
            if cond.contains is not None:
                bag.add(cond.contains.lower())
        for then in rule.ref.rule.then:
            if then.derive is not None and then.value is not None:
                constants.setdefault(then.derive, set()).add(then.value)
            if then.expr is not None:  # opaque arithmetic: its constants as points of its inputs
                expr = parse_expr(then.expr)
                for name in expr.names():
                    constants.setdefault(name, set()).update(expr.constants())
    keys: dict[str, KeySpace] = {}
    for key, found in sorted(constants.items()):
        spec = kb.spec(key)
        if spec is None:
            continue
        values: list[FactValue]
        if spec.type == "yesno":
            values = [True, False]
        elif spec.type == "choice":
            values = [*(spec.options or sorted(str(v) for v in found))]
        elif spec.type == "number":
            numbers = {float(v) for v in found if isinstance(v, int | float)}
            values = [*_number_points(numbers, spec.minimum, spec.maximum)]
        else:
            words = sorted(str(v) for v in found)
            values = [*words, " ".join(words), OTHER_TEXT] if words else [OTHER_TEXT]
            values = list(dict.fromkeys(values))
        keys[key] = KeySpace(key, tuple(values))
    return Space(keys)
