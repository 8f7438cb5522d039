"""The answer space of one domain split exactly into regions that share one outcome.

A domain's answers are the representative values (`engine.constraint`) of its keys. Two
values of a key that no comparison of the domain's rules tells apart behave the same, so
the space is split key by key into classes of such values, depth first, the way a
decision-table analysis sweeps over the intervals and option sets its rules mention. A
branch stops as soon as its outcome cannot change whatever the keys not yet answered are:

- no rule is *live* any more (every rule is TRUE or FALSE in three-valued logic, or waits
  only on keys nobody can answer), so the rules that fire are the same everywhere in it;
- or an outcome is already guaranteed (an escalation or a conclusion that no rule still
  able to fire can shadow or cancel).

Kleene logic is monotonic (a TRUE or FALSE condition keeps its value when more answers
come), which is what makes both stops sound; nothing is sampled. A region with no outcome
is a coverage gap; `Explorer.gaps` holds them as partial answers, each standing for every
combination of the keys it leaves out.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from engine.certainty import combine_all
from engine.chaining import (
    Truths,
    by_key,
    forward_from,
    forward_pending,
    has_outcome,
    relevant_rules,
    single_valued,
)
from engine.compile import CompiledKnowledge, CompiledRule, RunState
from engine.constraint import Space, value_classes
from engine.diagnose import Weighed, weigh
from engine.logic import TV, FactValue, evaluate

Settled = tuple[RunState, list[CompiledRule]]  # a branch's facts and its PENDING rules


class _Limit(Exception):
    """The split went beyond `Explorer.max_regions`."""


@dataclass(frozen=True)
class Gap:
    """A region of answers that reaches no outcome: the answers fixed and how many it spans."""

    answers: dict[str, FactValue]
    combinations: int


@dataclass
class Explorer:
    """Splits one domain's answer space (the `keys`, each over its `space` values)."""

    compiled: CompiledKnowledge
    rules: list[CompiledRule]  # the domain's rules, in the order a session fires them
    space: Space
    keys: list[str]
    fixed: dict[str, FactValue]
    tick: Callable[[], None] | None = None
    max_regions: int | None = None  # give up (honestly: `decided` stays False) beyond this
    gaps: list[Gap] = field(default_factory=list)
    regions: int = 0
    decided: bool = False
    _classes: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rules = relevant_rules(self.rules, set(self.keys) | set(self.fixed))
        self._order = {key: i for i, key in enumerate(self.keys)}
        self._sizes = {key: len(self.space[key].values) for key in self.keys}
        self._derives = {
            rule.index: {t.derive for t in rule.ref.rule.then if t.derive is not None}
            for rule in self.rules
        }
        self._tested = {rule.index: rule.tested() for rule in self.rules}
        self._truths = Truths()
        self._stepwise = single_valued(self.rules, set(self.keys) | set(self.fixed))
        self._testing = by_key(self.rules)
        self._weighs: dict[frozenset[int], Weighed] = {}
        self._sures: dict[tuple[frozenset[int], tuple[int, ...]], bool] = {}

    @property
    def total(self) -> int:
        return math.prod(self._sizes.values())

    def run(self) -> None:
        """Explore the whole space (or up to `max_regions` regions); gaps are collected in
        the order the split finds them."""
        try:
            self._explore(dict(self.fixed), 1)
        except _Limit:
            return
        self.decided = True

    # ---- one branch ---------------------------------------------------------------------

    def _settle(
        self, known: dict[str, FactValue], parent: Settled | None, key: str | None
    ) -> Settled:
        """Forward chaining on `known`: one answer on from the parent branch where that is
        exact (`engine.chaining.forward_from`), else from scratch."""
        if parent is not None and key is not None and self._stepwise:
            return forward_from(self.rules, parent, key, known[key], self._truths, self._testing)
        return forward_pending(self.rules, known, self.compiled.kb, self._truths)

    def _explore(
        self,
        known: dict[str, FactValue],
        weight: int,
        parent: Settled | None = None,
        added: str | None = None,
    ) -> None:
        state, pending = self._settle(known, parent, added)
        live = self._live(state, pending)
        if has_outcome(self._weighed(state)):
            if not live or self._guaranteed(state, live):
                self._region()
                return
        elif not live:
            free = math.prod(self._sizes[k] for k in self.keys if k not in known)
            answers = {k: v for k, v in known.items() if k not in self.fixed}
            self.gaps.append(Gap(answers, weight * free))
            self._region()
            return
        key = self._next_key(known, live)
        for first, count in self._key_classes(key):
            known[key] = self.space[key].values[first]
            self._explore(known, weight * count, (state, pending), key)
        del known[key]

    def _region(self) -> None:
        self.regions += 1
        if self.max_regions is not None and self.regions > self.max_regions:
            raise _Limit
        if self.tick is not None:
            self.tick()

    def _live(
        self, state: RunState, pending: list[CompiledRule] | None = None
    ) -> list[CompiledRule]:
        """Rules not yet decided (`pending`, from `forward_pending`; else evaluated here) that
        wait on an open key, or on a fact such a rule derives."""
        if pending is None:
            pending = [r for r in self.rules if evaluate(r.nnf, state.known) is TV.PENDING]
        open_keys = {k for k in self.keys if k not in state.known}
        live: list[CompiledRule] = []
        seen: set[int] = set()
        changed = True
        while changed:
            changed = False
            for rule in pending:
                if rule.index not in seen and self._tested[rule.index] & open_keys:
                    seen.add(rule.index)
                    live.append(rule)
                    open_keys |= self._derives[rule.index] - state.known.keys()
                    changed = True
        return live

    def _next_key(self, known: Mapping[str, FactValue], live: list[CompiledRule]) -> str:
        """The unanswered key that most live rules test (the first in key order on a tie):
        answering it decides the most rules, so the branches end soonest."""
        uses: dict[str, int] = {}
        for rule in live:
            for key in self._tested[rule.index]:
                if key in self._order and key not in known:
                    uses[key] = uses.get(key, 0) + 1
        return min(uses, key=lambda k: (-uses[k], self._order[k]))

    def _key_classes(self, key: str) -> list[tuple[int, int]]:
        """The key's values grouped by how every comparison of the rules treats them:
        (first value index, class size), in order of first value."""
        if key not in self._classes:
            groups = value_classes(self.space, self.rules, key)
            self._classes[key] = [(g[0], len(g)) for g in groups]
        return self._classes[key]

    def _weighed(self, state: RunState) -> Weighed:
        """`weigh` of these firings, once per set of rules fired (it depends on nothing else:
        the split's forward chaining records no matched facts)."""
        fired = frozenset(index for index, _ in state.fired)
        got = self._weighs.get(fired)
        if got is None:
            got = self._weighs[fired] = weigh(self.compiled, state)
        return got

    def _guaranteed(self, state: RunState, live: list[CompiledRule]) -> bool:
        """`_sure`, once per set of rules fired and list of live rules."""
        key = (frozenset(index for index, _ in state.fired), tuple(r.index for r in live))
        got = self._sures.get(key)
        if got is None:
            got = self._sures[key] = self._sure(state, live)
        return got

    def _sure(self, state: RunState, live: list[CompiledRule]) -> bool:
        """Whether some outcome survives whatever the live rules do once they fire.

        The rule applied last at the top (the *stopper*, the highest-priority `stop` rule
        that fires) can still change, so every candidate is tried: the outcome holds if
        the stopper itself is sure to give one, or a rule that fired already is sure to and
        stays above it, or a fallback that fired is sure to and nothing that may fire can
        skip it without giving an outcome itself. "Sure to give one": an escalation, or a
        positive conclusion on a fault that no rule still able to fire concludes negatively.
        Sound, not complete: when it says no, the branch is simply split further.
        """
        fired = [self.compiled.rules[i] for i, _ in state.fired]
        possible = [*fired, *live]
        main = [r for r in possible if not r.ref.rule.fallback]
        stoppers = [r for r in main if r.ref.rule.stop]
        levels: list[CompiledRule | None] = list(stoppers)
        if not any(r.ref.rule.stop for r in fired if not r.ref.rule.fallback):
            levels.append(None)  # no rule may stop at all
        return all(self._holds_under(t, fired, possible, main) for t in levels)

    def _holds_under(
        self,
        stopper: CompiledRule | None,
        fired: list[CompiledRule],
        possible: list[CompiledRule],
        main: list[CompiledRule],
    ) -> bool:
        """Whether an outcome is sure if `stopper` ends up the rule that stops (None: none)."""
        level = stopper.priority if stopper is not None else None
        kept = [r for r in main if level is None or r.priority >= level]
        applied = [r for r in fired if r in kept]
        if stopper is not None and stopper not in applied:
            applied.append(stopper)
        if any(t.escalate is not None for r in applied for t in r.ref.rule.then):
            return True
        maybe = [r for r in kept if r not in applied]
        for fault in sorted(_concluded(applied, negative=False)):
            if _surely_positive(fault, applied, maybe):
                return True
        # a fallback that escalates applies unless a main rule contributes, and then that
        # contribution must give an outcome itself
        negative = _concluded(possible, negative=True)
        return any(
            r.ref.rule.fallback and any(t.escalate is not None for t in r.ref.rule.then)
            for r in fired
        ) and not (_concluded(kept, negative=False) & negative)


MAX_UNSURE = 8  # rules whose firing is open, per fault, tried in every combination


def _surely_positive(fault: str, applied: list[CompiledRule], maybe: list[CompiledRule]) -> bool:
    """Whether the fault's certainty stays positive whichever of the `maybe` rules concluding
    it also apply (certainties fold in the order a session applies the rules)."""
    certain = [r for r in applied if _concludes(r, fault)]
    unsure = [r for r in maybe if _concludes(r, fault)]
    if len(unsure) > MAX_UNSURE:
        return False
    for size in range(len(unsure) + 1):
        for extra in itertools.combinations(unsure, size):
            ordered = sorted((*certain, *extra), key=lambda r: (-r.priority, r.index))
            cfs = [t.cf for r in ordered for t in r.ref.rule.then if t.conclude == fault]
            if combine_all(cfs) <= 0:
                return False
    return True


def _concludes(rule: CompiledRule, fault: str) -> bool:
    return any(t.conclude == fault for t in rule.ref.rule.then)


def _concluded(rules: list[CompiledRule], *, negative: bool) -> set[str]:
    """The faults these rules conclude with negative (or positive) certainty."""
    return {
        t.conclude
        for r in rules
        for t in r.ref.rule.then
        if t.conclude is not None and (t.cf < 0 if negative else t.cf > 0)
    }
