"""Forward chaining without experta, for the verifier (`engine.regions`, `engine.moot`,
`engine.coverage`): rules fire in priority order until nothing changes, with the engine's
three-valued evaluation (`engine.logic`). A test checks it fires what experta fires.

`forward_from` goes one answer further from a settled state instead of starting again:
Kleene logic is monotonic (a rule that fired stays fired, a settled truth changes only
when a key it tests changes), so where every derived fact has one value whichever rule
derives it, the fixpoint is the same as chaining from scratch.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.certainty import combine_all
from engine.compile import CompiledRule, RunState
from engine.diagnose import Weighed
from engine.logic import TV, FactValue, derived_value, evaluate
from rules.knowledge import KnowledgeBase


def forward(
    rules: list[CompiledRule],
    known: Mapping[str, FactValue],
    kb: KnowledgeBase | None = None,
) -> RunState:
    """Fire rules (priority order) until nothing changes: the engine's run, without experta.
    With `kb`, a derived expression is computed from the known facts (engine.logic)."""
    return forward_pending(rules, known, kb)[0]


class Truths:
    """Each rule's three-valued truth, remembered per combination of the values of the keys
    it tests: the split revisits the same few values of a rule's keys in many regions."""

    def __init__(self) -> None:
        self._keys: dict[int, tuple[str, ...]] = {}
        self._tested: dict[int, frozenset[str]] = {}
        self._seen: dict[int, dict[tuple[object, ...], TV]] = {}

    def tested(self, rule: CompiledRule) -> frozenset[str]:
        """`rule.tested()`, computed once."""
        keys = self._tested.get(rule.index)
        if keys is None:
            keys = self._tested[rule.index] = rule.tested()
        return keys

    def of(self, rule: CompiledRule, known: Mapping[str, FactValue]) -> TV:
        keys = self._keys.get(rule.index)
        if keys is None:
            keys = self._keys[rule.index] = tuple(sorted(self.tested(rule)))
            self._seen[rule.index] = {}
        # values of different types never compare equal by accident here (True vs 1)
        values = tuple(
            (type(v), v) if (v := known.get(k, _NONE)) is not _NONE else _NONE for k in keys
        )
        seen = self._seen[rule.index]
        truth = seen.get(values)
        if truth is None:
            truth = seen[values] = evaluate(rule.nnf, known)
        return truth


_NONE = object()


def forward_pending(
    rules: list[CompiledRule],
    known: Mapping[str, FactValue],
    kb: KnowledgeBase | None = None,
    truths: Truths | None = None,
) -> tuple[RunState, list[CompiledRule]]:
    """`forward`, and the rules still PENDING once it settles. Passes go in rule order, as
    the engine's, but after the first a rule is evaluated again only when a key it tests
    was derived since it was last evaluated (its truth cannot have changed otherwise), so
    the firings are the same in the same order. With `truths`, each rule's truth is also
    remembered across calls."""
    state = RunState(known=dict(known))
    fired: set[int] = set()
    truth: dict[int, TV] = {}
    seen_at: dict[int, int] = {}  # how many facts had been derived when it was evaluated
    derived: list[str] = []
    tested = truths.tested if truths is not None else CompiledRule.tested
    first = True
    changed = True
    while changed:
        changed = False
        for rule in rules:
            if rule.index in fired:
                continue
            if not first:
                since = seen_at[rule.index]
                if since == len(derived) or tested(rule).isdisjoint(derived[since:]):
                    continue
            now = (
                truths.of(rule, state.known)
                if truths is not None
                else evaluate(rule.nnf, state.known)
            )
            truth[rule.index], seen_at[rule.index] = now, len(derived)
            if now is not TV.TRUE:
                continue
            fired.add(rule.index)
            state.fired.append((rule.index, []))
            for then in rule.ref.rule.then:
                key = then.derive
                if key is None or key in state.known:
                    continue
                value = derived_value(kb, then, state.known) if kb is not None else then.value
                if value is not None:
                    state.known[key] = value
                    state.derived[key] = (value, rule.qualified)
                    derived.append(key)
                    changed = True
        first = False
    pending = [r for r in rules if r.index not in fired and truth[r.index] is TV.PENDING]
    return state, pending


def forward_from(
    rules: list[CompiledRule],
    parent: tuple[RunState, list[CompiledRule]],
    key: str,
    value: FactValue,
    truths: Truths,
    testing: Mapping[str, list[CompiledRule]],
) -> tuple[RunState, list[CompiledRule]]:
    """`forward_pending` of the parent's facts plus `key` = `value`, from the parent's
    settled state and its PENDING rules: only the rules testing a key that changed
    (`testing`: key -> rules) are evaluated again. Only for rules whose derived facts each
    have one constant value and derive no answered key (`single_valued`): then the fixpoint
    does not depend on the order rules fire in (the firings are listed in the order found)."""
    before, was_pending = parent
    state = RunState(
        known={**before.known, key: value}, fired=list(before.fired), derived=dict(before.derived)
    )
    fired = {index for index, _ in before.fired}
    truth: dict[int, TV] = {}
    todo = [key]
    while todo:
        for rule in testing.get(todo.pop(), ()):
            if rule.index in fired:
                continue
            now = truth[rule.index] = truths.of(rule, state.known)
            if now is not TV.TRUE:
                continue
            fired.add(rule.index)
            state.fired.append((rule.index, []))
            for then in rule.ref.rule.then:
                derive = then.derive
                if derive is None or derive in state.known or then.value is None:
                    continue
                state.known[derive] = then.value
                state.derived[derive] = (then.value, rule.qualified)
                todo.append(derive)
    pending_before = {rule.index for rule in was_pending}
    pending = [
        r
        for r in rules
        if r.index not in fired
        and (truth[r.index] is TV.PENDING if r.index in truth else r.index in pending_before)
    ]
    return state, pending


def by_key(rules: list[CompiledRule]) -> dict[str, list[CompiledRule]]:
    """The rules testing each key, in rule order (for `forward_from`)."""
    out: dict[str, list[CompiledRule]] = {}
    for rule in rules:
        for key in rule.tested():
            out.setdefault(key, []).append(rule)
    return out


def single_valued(rules: list[CompiledRule], answered: set[str]) -> bool:
    """Whether every fact these rules derive has one constant value whichever rule derives
    it, and none of them derives a key that is answered (so `forward_from` is exact)."""
    values: dict[str, FactValue] = {}
    for rule in rules:
        for then in rule.ref.rule.then:
            if then.derive is None:
                continue
            if then.derive in answered or then.expr is not None or then.value is None:
                return False
            known = values.get(then.derive)
            if then.derive in values and (type(known), known) != (type(then.value), then.value):
                return False
            values[then.derive] = then.value
    return True


def has_outcome(weighed: Weighed) -> bool:
    """A fault with positive certainty, or an escalation (what an outcome is in a session)."""
    if weighed.escalations:
        return True
    return any(combine_all(cf for cf, _ in items) > 0 for items in weighed.evidence.values())


class RuleIndex:
    """Rules by the keys they test, built once for all the domains of a line: a domain's
    relevant rules then cost what the domain holds, not the size of the line."""

    def __init__(self, rules: list[CompiledRule]) -> None:
        self.rules = rules
        self._order = {rule.index: i for i, rule in enumerate(rules)}
        self._by_key: dict[str, list[CompiledRule]] = {}
        self._free = [rule for rule in rules if rule.nnf is None]
        for rule in rules:
            for key in rule.tested():
                self._by_key.setdefault(key, []).append(rule)

    def relevant(self, keys: set[str]) -> list[CompiledRule]:
        """The rules that can fire when only `keys` (and the facts such rules derive) are
        known; any other rule waits forever on a key that nobody answers. Order is kept."""
        chosen: dict[int, CompiledRule] = {}
        seen = set(keys)
        todo = list(keys)

        def choose(rule: CompiledRule) -> None:
            chosen[rule.index] = rule
            for then in rule.ref.rule.then:
                if then.derive is not None and then.derive not in seen:
                    seen.add(then.derive)
                    todo.append(then.derive)

        for rule in self._free:
            choose(rule)
        while todo:
            for rule in self._by_key.get(todo.pop(), []):
                if rule.index not in chosen:
                    choose(rule)
        return sorted(chosen.values(), key=lambda r: self._order[r.index])


def relevant_rules(rules: list[CompiledRule], keys: set[str]) -> list[CompiledRule]:
    """`RuleIndex(rules).relevant(keys)`, for one domain."""
    return RuleIndex(rules).relevant(keys)
