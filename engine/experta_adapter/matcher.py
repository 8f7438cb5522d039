"""An experta matcher indexed on the fact key, built once per engine class.

experta's `ReteMatcher` tests every fact against the alpha network's children
one by one, walks the whole network on every reset, and collects activations by
scanning every conflict-set node on every agenda update: all linear in the
number of rules, per fact or per step. linewise's patterns are simpler than
experta's general ones (leaf tests on `Known(key, value)` facts, combined by
all / any), which allows:

- an alpha index: `(key, value)` for literal leaves, `(key, canonical value)` for
  equality / one-of leaves, and per key the list of the other tests, each test
  called once per fact however many rules share it;
- beta memories per conjunction (the rule's disjunctive normal form), created on
  first use and dropped on reset, so a reset costs what the last case touched;
- activations handed over as they arise, never by scanning the rules.

The semantics are experta's: the same activations (rule, facts, bindings
`b0, b1, ...`), fed to experta's own agenda and strategy (salience, then depth).
Among activations that tie on both, the lower rule index fires first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from experta.abstract import Matcher
from experta.activation import Activation
from experta.fact import InitialFact

from engine.experta_adapter.patterns import RuleSpec, canonical, disjuncts

Slot = tuple[int, int]  # (conjunction id, position in it)
Test = Callable[[Any], bool]


@dataclass
class Network:
    """The shared, immutable part: conjunctions and the alpha index over them."""

    rules: list[Any]  # conjunction id -> experta Rule
    order: list[int]  # conjunction id -> rule index (ties fire lower index first)
    names: list[tuple[str, ...]]  # conjunction id -> binding names per position
    always: list[int] = field(default_factory=list)  # conjunctions without leaves
    literal: dict[tuple[str, Hashable], list[Slot]] = field(default_factory=dict)
    indexed: dict[tuple[str, Hashable], list[tuple[Test, list[Slot]]]] = field(default_factory=dict)
    scanned: dict[str, list[tuple[Test, list[Slot]]]] = field(default_factory=dict)

    @classmethod
    def build(cls, specs: Sequence[RuleSpec], rules: Sequence[Any]) -> Network:
        """One pass over the rules; tests shared by several leaves are grouped (by identity)."""
        net = cls(rules=[], order=[], names=[])
        literal: dict[tuple[str, Hashable], list[Slot]] = defaultdict(list)
        indexed: dict[tuple[str, Hashable], dict[int, tuple[Test, list[Slot]]]] = defaultdict(dict)
        scanned: dict[str, dict[int, tuple[Test, list[Slot]]]] = defaultdict(dict)
        shared_names: dict[tuple[str, ...], tuple[str, ...]] = {}
        for spec, rule in zip(specs, rules, strict=True):
            for conj in disjuncts(spec.pattern):
                cid = len(net.rules)
                net.rules.append(rule)
                net.order.append(spec.index)
                names = tuple(name for name, _ in conj)
                net.names.append(shared_names.setdefault(names, names))
                if not conj:
                    net.always.append(cid)
                for pos, (_, leaf) in enumerate(conj):
                    slot = (cid, pos)
                    if leaf.test is None:
                        literal[(leaf.key, leaf.literal)].append(slot)
                    elif leaf.index is not None:
                        for value in leaf.index:
                            bucket = indexed[(leaf.key, value)]
                            bucket.setdefault(id(leaf.test), (leaf.test, []))[1].append(slot)
                    else:
                        group = scanned[leaf.key]
                        group.setdefault(id(leaf.test), (leaf.test, []))[1].append(slot)
        net.literal = dict(literal)
        net.indexed = {k: list(v.values()) for k, v in indexed.items()}
        net.scanned = {k: list(v.values()) for k, v in scanned.items()}
        return net

    def slots(self, fact: Any) -> list[Slot]:
        """Every (conjunction, position) whose leaf this fact satisfies, sorted."""
        key, value = fact.get("key"), fact.get("value")
        hits: set[Slot] = set()
        with suppress(TypeError):  # an unhashable value matches no literal
            hits.update(self.literal.get((key, value), ()))
        canon = canonical(value)
        if canon is not None:
            for test, slots in self.indexed.get((key, canon), ()):
                if test(value):
                    hits.update(slots)
        for test, slots in self.scanned.get(key, ()):
            if test(value):
                hits.update(slots)
        return sorted(hits)


class IndexedMatcher(Matcher):  # type: ignore[misc]
    """experta's matcher interface over a prebuilt `Network` (see the module docstring)."""

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self.network: Network = type(engine).lw_network
        self.memory: dict[int, list[list[Any]]] = {}
        self.activations: dict[int, list[Activation]] = {}

    def reset(self) -> None:
        self.memory = {}
        self.activations = {}

    def changes(
        self, adding: Iterable[Any] | None = None, deleting: Iterable[Any] | None = None
    ) -> tuple[list[Activation], list[Activation]]:
        removed: list[Activation] = []
        for fact in deleting or ():
            removed.extend(self._retract(fact))
        added: list[tuple[int, int, Activation]] = []
        for fact in adding or ():
            added.extend(self._assert(fact))
        added.sort(key=lambda item: (-item[0], -item[1]))
        return [act for _, _, act in added], removed

    def _assert(self, fact: Any) -> list[tuple[int, int, Activation]]:
        net = self.network
        if isinstance(fact, InitialFact):
            return [self._activate(cid, (fact,)) for cid in net.always]
        out: list[tuple[int, int, Activation]] = []
        by_conj: dict[int, list[int]] = defaultdict(list)
        for cid, pos in net.slots(fact):
            by_conj[cid].append(pos)
        for cid, positions in by_conj.items():
            memory = self.memory.get(cid)
            if memory is None:
                memory = self.memory[cid] = [[] for _ in net.names[cid]]
            for pos in positions:
                memory[pos].append(fact)
                # combinations whose last occurrence of `fact` is at `pos`: each exactly once
                # (positions after `pos` do not hold `fact` yet)
                lists = [[fact] if j == pos else memory[j] for j in range(len(memory))]
                if all(lists):
                    out.extend(self._activate(cid, combo) for combo in product(*lists))
        return out

    def _activate(self, cid: int, combo: Sequence[Any]) -> tuple[int, int, Activation]:
        net = self.network
        # a conjunction without leaves matches the initial fact and binds nothing
        context = dict(zip(net.names[cid], combo, strict=False))
        act = Activation(net.rules[cid], combo, context)
        self.activations.setdefault(cid, []).append(act)
        return net.order[cid], cid, act

    def _retract(self, fact: Any) -> list[Activation]:
        if isinstance(fact, InitialFact):
            cids: Iterable[int] = self.network.always
        else:
            cids = {cid for cid, _ in self.network.slots(fact)}
        removed: list[Activation] = []
        for cid in cids:
            memory = self.memory.get(cid)
            if memory is not None:
                for slot in memory:
                    slot[:] = [f for f in slot if f is not fact]
            kept: list[Activation] = []
            for act in self.activations.get(cid, ()):
                (removed if any(f is fact for f in act.facts) else kept).append(act)
            self.activations[cid] = kept
        return removed
