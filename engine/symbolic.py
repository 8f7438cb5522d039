"""A domain's outcome as one binary decision diagram over its answers (dd's CUDD), exactly.

Each answer key gets a few boolean variables holding the index of its representative
value (`engine.constraint`). From them the diagram states, for every answer combination
at once, what a session computes one combination at a time:

- a rule *fires* when its condition is TRUE in three-valued logic (a comparison on a key
  nobody knows is neither true nor false, so `all`/`any` give TRUE and FALSE as two
  functions), a derived fact being known exactly when a rule deriving it fires;
- `engine.diagnose.weigh` then: the highest-priority `stop` rule that fires shadows the
  deciding rules below its priority, a fallback applies when no main rule contributed,
  and the certainties on a fault fold in the order rules apply;
- the outcome holds where some escalation applies or some fault ends above zero.

Counting its models gives the number of gap combinations exactly (Python integers, not
floats), and the gap's minimal answer sets are read off it with implication tests: no
region split, no sampling. A domain the diagram cannot state (a fact derived by an
expression or with different values, a derivation cycle, too many certainty sums on one
fault) raises `Unsupported`, and the region split (`engine.regions`) decides it instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dd import cudd

from engine.certainty import combine
from engine.compile import CompiledRule
from engine.constraint import Space, _same, value_classes
from engine.logic import TV, FactValue, NAll, NLeaf, NNode, eval_leaf, leaf_test

Function = Any  # dd.cudd.Function (the package has no type hints)
MAX_SUMS = 20_000  # distinct partial certainty sums per fault before giving up on a domain


class Unsupported(Exception):
    """The domain uses something the diagram does not state; the region split decides it."""


@dataclass
class Diagram:
    """The answer space of one domain (`keys` over their `space` values) as a BDD."""

    space: Space
    keys: list[str]
    fixed: Mapping[str, FactValue]
    bdd: Any = field(init=False)
    _bits: dict[str, list[Function]] = field(init=False)
    _cubes: dict[tuple[str, int], Function] = field(init=False)
    valid: Function = field(init=False)
    _classes: dict[str, list[list[int]]] = field(init=False)
    _names: set[str] = field(init=False)
    _alike: dict[tuple[str, int], Function] = field(init=False)

    def __post_init__(self) -> None:
        self._classes = {}
        self._alike = {}
        self.bdd = cudd.BDD()
        self.bdd.configure(reordering=False)
        self._bits = {}
        self._cubes = {}
        for k, key in enumerate(self.keys):
            width = max(1, math.ceil(math.log2(self.size(key))))
            names = [f"k{k}b{b}" for b in range(width)]
            self.bdd.declare(*names)
            self._bits[key] = [self.bdd.var(n) for n in names]
        self._names = set(self.bdd.vars)
        self.valid = self.bdd.true
        for key in self.keys:
            self.valid &= self.one_of(key, range(self.size(key)))

    def size(self, key: str) -> int:
        return len(self.space[key].values)

    @property
    def total(self) -> int:
        return math.prod(self.size(k) for k in self.keys)

    def value(self, key: str, index: int) -> Function:
        """Where `key` has its value number `index`."""
        cube = self._cubes.get((key, index))
        if cube is None:
            cube = self.bdd.true
            bits = self._bits[key]
            for b, var in enumerate(bits):
                on = (index >> (len(bits) - 1 - b)) & 1
                cube &= var if on else ~var
            self._cubes[(key, index)] = cube
        return cube

    def one_of(self, key: str, indices: Any) -> Function:
        out = self.bdd.false
        for i in indices:
            out |= self.value(key, i)
        return out

    def tell_apart(self, rules: list[CompiledRule]) -> None:
        """Group each key's values by how every comparison of `rules` treats them: values
        in one class behave alike, so a minimal answer set names one for all of them."""
        for key in self.keys:
            self._classes[key] = value_classes(self.space, rules, key)

    def classes(self, key: str) -> list[list[int]]:
        return self._classes.get(key) or [[i] for i in range(self.size(key))]

    def alike(self, key: str, index: int) -> Function:
        """Where `key` has a value alike to (in the same class as) value number `index`."""
        cube = self._alike.get((key, index))
        if cube is None:
            (members,) = [c for c in self.classes(key) if index in c]
            cube = self._alike[(key, index)] = self.one_of(key, members)
        return cube

    def answers(self, answers: Mapping[str, int]) -> Function:
        """Where every key of `answers` has a value alike to that index."""
        out = self.bdd.true
        for key, index in answers.items():
            out &= self.alike(key, index)
        return out

    def count(self, u: Function) -> int:
        """How many valid answer combinations `u` holds for (exact: Python integers)."""
        u = u & self.valid
        n = len(self.bdd.vars)
        memo: dict[int, int] = {}

        def level(f: Function) -> int:
            return n if f == self.bdd.true or f == self.bdd.false else int(f.level)

        def models(f: Function) -> int:  # over the variables at levels level(f)..n-1
            if f == self.bdd.true:
                return 1
            if f == self.bdd.false:
                return 0
            regular = ~f if f.negated else f
            ident = int(regular)
            got = memo.get(ident)
            if got is None:
                top = level(regular)
                got = 0
                for child in (regular.low, regular.high):
                    got += models(child) << (level(child) - top - 1)
                memo[ident] = got
            return (1 << (n - level(f))) - got if f.negated else got

        return models(u) << level(u)

    def meets(self, u: Function, v: Function) -> bool:
        """Whether `u` and `v` hold together somewhere (without building `u & v`)."""
        return bool(cudd.and_exists(u, v, self._names) != self.bdd.false)

    def first(self, u: Function) -> dict[str, int]:
        """The answers on one path of `u` to TRUE (low branches first, so always the same
        path), each answered key given the first value of its class; a key the path does
        not test is left out, as `u` holds whatever its answer. `u` lies within `valid`."""
        bits: dict[str, bool] = {}
        f = u
        while f != self.bdd.true:
            regular = ~f if f.negated else f
            low, high = regular.low, regular.high
            if f.negated:
                low, high = ~low, ~high
            bits[regular.var] = low == self.bdd.false
            f = high if bits[regular.var] else low
        point: dict[str, int] = {}
        for k, key in enumerate(self.keys):
            names = [f"k{k}b{b}" for b in range(len(self._bits[key]))]
            if not any(n in bits for n in names):
                continue
            index = 0
            for name in names:
                index = (index << 1) | int(bits.get(name, False))
            (members,) = [c for c in self.classes(key) if index in c]
            point[key] = members[0]
        return point


@dataclass
class _Builder:
    """States fires / weighs / outcome of the domain's rules over a `Diagram`."""

    diagram: Diagram
    rules: list[CompiledRule]
    _derived: dict[str, FactValue] = field(default_factory=dict)
    _derivers: dict[str, list[CompiledRule]] = field(default_factory=dict)
    _known: dict[str, Function] = field(default_factory=dict)
    _fires: dict[int, Function] = field(default_factory=dict)
    _busy: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        asked = set(self.diagram.keys) | set(self.diagram.fixed)
        for rule in self.rules:
            for then in rule.ref.rule.then:
                key = then.derive
                if key is None or key in asked:
                    continue
                if then.expr is not None or then.value is None:
                    raise Unsupported(f"fact '{key}' is computed by an expression")
                if key in self._derived and not _same(self._derived[key], then.value):
                    raise Unsupported(f"fact '{key}' is derived with different values")
                self._derived[key] = then.value
                self._derivers.setdefault(key, []).append(rule)

    @property
    def _false(self) -> Function:
        return self.diagram.bdd.false

    def known(self, fact: str) -> Function:
        """Where a derived fact is known: some rule deriving it fires."""
        got = self._known.get(fact)
        if got is None:
            if fact in self._busy:
                raise Unsupported(f"fact '{fact}' is derived in a cycle")
            self._busy.add(fact)
            got = self._false
            for rule in self._derivers[fact]:
                got |= self.fires(rule)
            self._busy.discard(fact)
            self._known[fact] = got
        return got

    def fires(self, rule: CompiledRule) -> Function:
        got = self._fires.get(rule.index)
        if got is None:
            got = self._truth(rule.nnf)[0] if rule.nnf is not None else self.diagram.bdd.true
            self._fires[rule.index] = got
        return got

    def _truth(self, node: NNode) -> tuple[Function, Function]:
        """(where the condition is TRUE, where it is FALSE); elsewhere it is undecided."""
        if isinstance(node, NLeaf):
            return self._leaf(node)
        parts = [self._truth(p) for p in node.parts]
        bdd = self.diagram.bdd
        if isinstance(node, NAll):
            true, false = bdd.true, bdd.false
            for t, f in parts:
                true, false = true & t, false | f
        else:
            true, false = bdd.false, bdd.true
            for t, f in parts:
                true, false = true | t, false & f
        return true, false

    def _leaf(self, leaf: NLeaf) -> tuple[Function, Function]:
        d = self.diagram
        key = leaf.key
        if key in d.keys:
            true = d.one_of(key, sorted(d.space.atom(leaf)))
            everything = d.one_of(key, range(d.size(key)))
            return true, everything & ~true
        if key in d.fixed:
            tv = eval_leaf(leaf, d.fixed)
            return (
                d.bdd.true if tv is TV.TRUE else self._false,
                d.bdd.true if tv is TV.FALSE else self._false,
            )
        if key in self._derived:
            known = self.known(key)
            holds = leaf_test(leaf)(self._derived[key])
            return (known, self._false) if holds else (self._false, known)
        return self._false, self._false  # nobody answers or derives it here: never decided

    def outcome(self) -> Function:
        """Where a session ends with an escalation or a fault above zero certainty."""
        bdd = self.diagram.bdd
        main = [r for r in self.rules if not r.ref.rule.fallback]
        fallbacks = [r for r in self.rules if r.ref.rule.fallback]
        stops = [r for r in main if r.ref.rule.stop]
        shadow: dict[int, Function] = {}
        for rule in main:
            if rule.priority not in shadow:
                above = bdd.false
                for stop in stops:
                    if stop.priority > rule.priority:
                        above |= self.fires(stop)
                shadow[rule.priority] = above
        applied: dict[int, Function] = {}
        contributed = bdd.false
        for rule in main:
            applied[rule.index] = self.fires(rule) & ~shadow[rule.priority]
            if any(
                (t.conclude is not None and t.cf > 0) or t.escalate is not None
                for t in rule.ref.rule.then
            ):
                contributed |= applied[rule.index]
        for rule in fallbacks:
            applied[rule.index] = self.fires(rule) & ~contributed
        outcome = bdd.false
        evidence: dict[str, list[tuple[Function, float]]] = {}
        for rule in [*main, *fallbacks]:
            for then in rule.ref.rule.then:
                if then.escalate is not None:
                    outcome |= applied[rule.index]
                elif then.conclude is not None:
                    evidence.setdefault(then.conclude, []).append((applied[rule.index], then.cf))
        for fault in sorted(evidence):
            outcome |= self._positive(evidence[fault])
        return outcome

    def _positive(self, items: list[tuple[Function, float]]) -> Function:
        """Where the certainties folded in order (each counted where its rule applies) end
        above zero: a diagram over (position, certainty so far), shared where sums meet."""
        bdd = self.diagram.bdd
        n = len(items)
        nonneg = [all(cf >= 0 for _, cf in items[i:]) for i in range(n + 1)]
        nonpos = [all(cf <= 0 for _, cf in items[i:]) for i in range(n + 1)]
        memo: dict[tuple[int, float], Function] = {}

        def at(i: int, cf: float) -> Function:
            if cf > 0 and nonneg[i]:
                return bdd.true
            if cf <= 0 and nonpos[i]:
                return bdd.false
            got = memo.get((i, cf))
            if got is None:
                if len(memo) > MAX_SUMS:
                    raise Unsupported("too many certainty sums on one fault")
                when, value = items[i]
                got = bdd.ite(when, at(i + 1, combine(cf, value)), at(i + 1, cf))
                memo[(i, cf)] = got
            return got

        return at(0, 0.0)


def outcome_diagram(
    space: Space, keys: list[str], fixed: Mapping[str, FactValue], rules: list[CompiledRule]
) -> tuple[Diagram, Function]:
    """The domain's diagram and where its sessions reach an outcome (`Unsupported` when
    the diagram cannot state the rules)."""
    diagram = Diagram(space, keys, fixed)
    diagram.tell_apart(rules)
    return diagram, _Builder(diagram, rules).outcome()


def gap_sets(diagram: Diagram, gap: Function, limit: int) -> tuple[list[dict[str, int]], bool]:
    """Minimal answer sets covering the gap, each a gap whatever the answers it leaves out:
    from the first gap combination not yet covered, answers are dropped in key order
    while that stays true. At most `limit` sets; the flag says whether they cover it all."""
    bdd = diagram.bdd
    outside = diagram.valid & ~gap
    rest = gap & diagram.valid
    found: list[dict[str, int]] = []
    while rest != bdd.false:
        if len(found) >= limit:
            return found, False
        point = diagram.first(rest)
        keys = list(point)
        after = [bdd.true] * (len(keys) + 1)  # after[i]: the answers to keys i.. of point
        for i in range(len(keys) - 1, -1, -1):
            after[i] = after[i + 1] & diagram.alike(keys[i], point[keys[i]])
        head, kept = bdd.true, {}
        for i, key in enumerate(keys):
            if diagram.meets(head & after[i + 1], outside):  # the answer matters: keep it
                head &= diagram.alike(key, point[key])
                kept[key] = point[key]
        found.append(kept)
        rest &= ~diagram.answers(kept)
    return found, True
