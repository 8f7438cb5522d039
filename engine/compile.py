"""Compiling a knowledge base into an experta engine class, once, from the data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from engine import experta_adapter as xa
from engine.logic import (
    UNKNOWN,
    FactValue,
    NAll,
    NLeaf,
    NNode,
    derived_value,
    leaf_test,
    to_nnf,
)
from rules.gcpause import paused_gc
from rules.knowledge import KnowledgeBase, RuleRef
from rules.schema import Condition
from rules.scope import COMPLAINT, complaint_map

if TYPE_CHECKING:
    from engine.weights import Weights


@dataclass(frozen=True)
class CompiledRule:
    """A pack rule with its condition in negation normal form."""

    index: int
    ref: RuleRef
    nnf: NNode | None

    @property
    def qualified(self) -> str:
        return self.ref.qualified

    @property
    def priority(self) -> int:
        return self.ref.rule.priority

    def leaves(self) -> Iterator[NLeaf]:
        from engine.logic import nnf_leaves

        return nnf_leaves(self.nnf) if self.nnf is not None else iter(())

    def tested(self) -> frozenset[str]:
        """The keys the condition tests (empty when it has none)."""
        return frozenset(leaf.key for leaf in self.leaves())


T = TypeVar("T")


@dataclass
class RunState:
    """What one run of the engine saw: fired rules and derived facts, in firing order."""

    known: dict[str, FactValue]
    fired: list[tuple[int, list[tuple[str, Any]]]] = field(default_factory=list)
    derived: dict[str, tuple[FactValue, str]] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)


@dataclass
class CompiledKnowledge:
    """A knowledge base plus its experta engine class, built once and reused for every run."""

    kb: KnowledgeBase
    rules: list[CompiledRule]
    engine_class: type
    name: str
    _engine: Any = None
    cache: dict[str, Any] = field(default_factory=dict)  # indexes derived from the rules
    weights: Weights | None = None  # a published learned overlay (engine.weights)

    def weighted(self, weights: Weights | None) -> CompiledKnowledge:
        """The same rules and engine class, read with learned weights (or the packs' own)."""
        if weights is self.weights:
            return self
        return replace(self, weights=weights, cache={}, _engine=None)

    def cached(self, name: str, build: Callable[[], T]) -> T:
        """An index worked out once from the compiled rules and kept with them."""
        if name not in self.cache:
            self.cache[name] = build()
        found: T = self.cache[name]
        return found

    def run(self, facts: list[tuple[str, FactValue]]) -> RunState:
        """Reset, declare the facts (canonical order) and run; never rebuilds the network."""
        if self._engine is None:
            self._engine = xa.new_engine(self.engine_class)
        state = RunState(known=dict(facts))
        self._engine.lw_state = state
        xa.run_with(self._engine, [(k, v) for k, v in facts if v is not UNKNOWN])
        return state


class _Patterns:
    """NNF -> adapter patterns; equal comparisons share one test (the matcher calls it once)."""

    def __init__(self) -> None:
        self.tests: dict[tuple[Any, ...], xa.Leaf] = {}

    def pattern(self, node: NNode) -> xa.Pattern:
        if isinstance(node, NLeaf):
            return self.leaf(node)
        parts = [self.pattern(p) for p in node.parts]
        return xa.AllOf(parts) if isinstance(node, NAll) else xa.AnyOf(parts)

    def leaf(self, node: NLeaf) -> xa.Leaf:
        cond = node.cond
        if cond.kind == "equals" and not node.negated and not isinstance(cond.equals, str):
            # bool literals: experta's alpha network matches them by value
            literal = cond.equals
            if isinstance(literal, bool) or literal is None:
                return xa.Leaf(node.key, literal=literal)
        op = cond.kind
        sig = (node.key, node.negated, op, repr(getattr(cond, op)))
        leaf = self.tests.get(sig)
        if leaf is None:
            index = None
            if not node.negated and op in ("equals", "one_of"):
                wants = [cond.equals] if op == "equals" else list(cond.one_of or [])
                index = frozenset(xa.canonical(w) for w in wants)
            leaf = self.tests[sig] = xa.Leaf(node.key, test=leaf_test(node), index=index)
        return leaf


def _make_action(kb: KnowledgeBase, rules: list[CompiledRule]) -> xa.Action:
    def action(engine: Any, index: int, bindings: dict[str, Any]) -> None:
        state: RunState = engine.lw_state
        matched = sorted(
            (xa.fact_of(b) for name, b in bindings.items() if name.startswith("b")),
            key=lambda kv: kv[0],
        )
        state.fired.append((index, matched))
        rule = rules[index]
        for then in rule.ref.rule.then:
            if then.derive is None:
                continue
            key, value = then.derive, derived_value(kb, then, state.known)
            if value is None:  # an expression without a value (a division by zero)
                state.conflicts.append(f"{rule.qualified} cannot compute {key}: {then.expr}")
                continue
            if key in state.known:
                if state.known[key] != value:
                    state.conflicts.append(
                        f"{rule.qualified} would set {key}={value!r}, already {state.known[key]!r}"
                    )
                continue
            state.known[key] = value
            state.derived[key] = (value, rule.qualified)
            xa.declare(engine, key, value)

    return action


def compile_knowledge(
    kb: KnowledgeBase, name: str = "Knowledge", matcher: xa.MatcherKind = "indexed"
) -> CompiledKnowledge:
    """One experta Rule per pack rule, salience = priority.

    `matcher="plain"` uses experta's own Rete matcher (for benchmarks and equivalence tests).
    """
    with paused_gc():
        return _compile(kb, name, matcher)


def _condition(ref: RuleRef, known: dict[str, frozenset[str]]) -> NNode | None:
    """The rule's condition; a fallback without `when` applies to its pack's complaints
    (rules.scope), so that with several packs loaded one pack's catch-all never answers
    another pack's case. A pack that knows no complaint keeps it unconditional."""
    if ref.rule.when is not None:
        return to_nnf(ref.rule.when)
    complaints = sorted(known.get(ref.pack_id, ()))
    if not ref.rule.fallback or not complaints:
        return None
    scoped = Condition.model_validate({"intake": COMPLAINT, "one_of": complaints})
    return NLeaf(scoped, False, ("when",))


def _compile(kb: KnowledgeBase, name: str, matcher: xa.MatcherKind) -> CompiledKnowledge:
    known = complaint_map(p.pack for p in kb.packs.values())
    rules = [CompiledRule(i, ref, _condition(ref, known)) for i, ref in enumerate(kb.rules)]
    patterns = _Patterns()
    specs = [
        xa.RuleSpec(r.index, r.priority, patterns.pattern(r.nnf) if r.nnf is not None else None)
        for r in rules
    ]
    engine_class = xa.build_engine_class(name, specs, _make_action(kb, rules), matcher=matcher)
    return CompiledKnowledge(kb=kb, rules=rules, engine_class=engine_class, name=name)
