"""Coverage gaps (W109): combinations of answers for which no rule concludes or escalates.

The answer space of a domain (one symptom of a pack, or a pack without symptoms) is the
product of the representative values (`engine.constraint`) of every question and intake
field its rules test. It is enumerated exhaustively up to `max_combinations`; beyond that,
`max_combinations` combinations are drawn with a seeded generator, and the result says so.

Each combination is run through the rules of the pack's line by forward chaining with the
engine's own three-valued evaluation, then weighed with the engine's stop/fallback
resolution (`engine.diagnose.weigh`), so "an outcome" means here what it means in a session:
a fault with positive certainty, or an escalation. (The experta network gives the same
firings; tests/test_coverage.py checks that on random combinations.)
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from engine.certainty import combine_all
from engine.compile import CompiledKnowledge, CompiledRule, RunState
from engine.constraint import build_space
from engine.diagnose import weigh
from engine.finding import Finding, finding
from engine.logic import TV, FactValue, derived_value, evaluate, show_value
from rules.knowledge import INTAKE_PREFIX
from rules.validate import scope

DEFAULT_MAX_COMBINATIONS = 4096
# The whole check's budget: large knowledge bases are sampled thinner, never checked for hours.
DEFAULT_BUDGET = 40_000
MIN_PER_DOMAIN = 64
MAX_EXAMPLES = 3
COMPLAINT = INTAKE_PREFIX + "complaint"


@dataclass(frozen=True)
class DomainCoverage:
    """How one domain's answer space was covered."""

    pack: str
    symptom: str | None
    keys: list[str]
    total: int
    checked: int
    mode: Literal["exhaustive", "sampled"]
    gaps: int
    examples: list[dict[str, Any]] = field(default_factory=list)  # answers that suffice
    seed: int | None = None
    thinned: bool = False  # sampled below the per-domain limit to keep the run in budget

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "symptom": self.symptom,
            "keys": self.keys,
            "total": self.total,
            "checked": self.checked,
            "mode": self.mode,
            "seed": self.seed,
            "gaps": self.gaps,
            "examples": self.examples,
        }


def forward(
    compiled: CompiledKnowledge, rules: list[CompiledRule], known: Mapping[str, FactValue]
) -> RunState:
    """Fire rules (priority order) until nothing changes: the engine's run, without experta."""
    state = RunState(known=dict(known))
    fired: set[int] = set()
    changed = True
    while changed:
        changed = False
        for rule in rules:
            if rule.index in fired or evaluate(rule.nnf, state.known) is not TV.TRUE:
                continue
            fired.add(rule.index)
            state.fired.append((rule.index, []))
            for then in rule.ref.rule.then:
                if then.derive is None or then.derive in state.known:
                    continue
                key, value = then.derive, derived_value(compiled.kb, then, state.known)
                if value is not None:
                    state.known[key] = value
                    state.derived[key] = (value, rule.qualified)
                    changed = True
    return state


def reaches_outcome(
    compiled: CompiledKnowledge, rules: list[CompiledRule], known: Mapping[str, FactValue]
) -> bool:
    """Whether these facts lead some rule to conclude a fault (certainty > 0) or escalate."""
    weighed = weigh(compiled, forward(compiled, rules, known))
    if weighed.escalations:
        return True
    return any(combine_all(cf for cf, _ in items) > 0 for items in weighed.evidence.values())


def _domain_rules(compiled: CompiledKnowledge, pack_id: str) -> list[CompiledRule]:
    """The rules a session at this pack's line runs: the line's packs, what they and it require."""
    kb = compiled.kb
    line = kb.packs[pack_id].pack.line
    packs = scope(kb, kb.packs[pack_id].pack)
    for item in kb.packs.values():
        if item.pack.line == line:
            packs |= scope(kb, item.pack)
    chosen = [r for r in compiled.rules if r.ref.pack_id in packs]
    return sorted(chosen, key=lambda r: (-r.priority, r.index))


def _combinations(
    sizes: list[int], limit: int, seed: int
) -> tuple[Iterator[tuple[int, ...]], int, bool]:
    """All combinations (in order) when there are at most `limit`, else `limit` distinct ones
    drawn with a seeded generator (sorted, so the output is stable)."""
    total = math.prod(sizes)
    if total <= limit:
        return itertools.product(*(range(s) for s in sizes)), total, True
    drawn = sorted(random.Random(seed).sample(range(total), limit))
    return (_decode(n, sizes) for n in drawn), total, False


def _decode(number: int, sizes: list[int]) -> tuple[int, ...]:
    digits: list[int] = []
    for size in reversed(sizes):
        number, digit = divmod(number, size)
        digits.append(digit)
    return tuple(reversed(digits))


def _settled_gap(
    compiled: CompiledKnowledge,
    rules: list[CompiledRule],
    known: Mapping[str, FactValue],
    free: set[str],
) -> bool:
    """No outcome now, and none whatever the `free` keys (not in `known`) are answered.

    Kleene logic is monotonic, so a rule that is FALSE stays FALSE; what could still fire
    is a PENDING rule waiting on a free key, or on a fact such a rule could derive.
    """
    if reaches_outcome(compiled, rules, known):
        return False
    state = forward(compiled, rules, known)
    open_keys = {k for k in free if k not in state.known}
    pending = [r for r in rules if evaluate(r.nnf, state.known) is TV.PENDING]
    live: set[int] = set()
    changed = True
    while changed:
        changed = False
        for rule in pending:
            if rule.index in live:
                continue
            if any(leaf.key in open_keys for leaf in rule.leaves()):
                live.add(rule.index)
                changed = True
                open_keys.update(t.derive for t in rule.ref.rule.then if t.derive is not None)
    return not live


def _generalise(
    compiled: CompiledKnowledge,
    rules: list[CompiledRule],
    known: dict[str, FactValue],
    keys: list[str],
) -> list[str]:
    """Drop answers one by one while the gap stays a gap whatever they are: the keys kept."""
    kept = list(keys)
    for key in keys:
        trial = [k for k in kept if k != key]
        facts = {k: v for k, v in known.items() if k in trial or k not in keys}
        if _settled_gap(compiled, rules, facts, set(keys) - set(trial)):
            kept = trial
    return kept


def domain_coverage(
    compiled: CompiledKnowledge,
    pack_id: str,
    symptom: str | None,
    *,
    max_combinations: int = DEFAULT_MAX_COMBINATIONS,
    seed: int = 0,
) -> DomainCoverage:
    """Enumerate (or sample) one domain's answer space and count the gaps."""
    space, keys = _domain_space(compiled, pack_id, symptom)
    rules = _domain_rules(compiled, pack_id)
    fixed: dict[str, FactValue] = {COMPLAINT: symptom} if symptom is not None else {}
    sizes = [len(space[k].values) for k in keys]
    combos, total, exhaustive = _combinations(sizes, max_combinations, seed)
    gaps = 0
    checked = 0
    examples: list[dict[str, Any]] = []
    for combo in combos:
        checked += 1
        known = dict(fixed)
        known.update((k, space[k].values[i]) for k, i in zip(keys, combo, strict=True))
        if reaches_outcome(compiled, rules, known):
            continue
        gaps += 1
        if len(examples) < MAX_EXAMPLES:
            needed = set(_generalise(compiled, rules, known, keys))
            examples.append(
                {k: show_value(v) for k, v in known.items() if k in needed or k not in keys}
            )
    return DomainCoverage(
        pack=pack_id,
        symptom=symptom,
        keys=keys,
        total=total,
        checked=checked,
        mode="exhaustive" if exhaustive else "sampled",
        gaps=gaps,
        examples=examples,
        seed=None if exhaustive else seed,
    )


def _domain_space(
    compiled: CompiledKnowledge, pack_id: str, symptom: str | None
) -> tuple[Any, list[str]]:
    """The representative answer space of one domain and the keys that span it."""
    kb = compiled.kb
    own = scope(kb, kb.packs[pack_id].pack)
    space = build_space(kb, [r for r in compiled.rules if r.ref.pack_id in own])
    keys = [k for k in sorted(space.keys) if k not in kb.facts or k in kb.questions]
    if symptom is not None:
        keys = [k for k in keys if k != COMPLAINT]
    return space, keys


def allocate(totals: list[int], per_domain: int, budget: int) -> list[int]:
    """How many combinations each domain may check: small domains stay exhaustive and the
    rest of the whole-run budget is shared evenly by the larger ones (never below
    MIN_PER_DOMAIN), so the check's time grows with the number of domains, not their size."""
    caps = [0] * len(totals)
    left, remaining = budget, len(totals)
    for i in sorted(range(len(totals)), key=lambda i: (totals[i], i)):
        share = max(MIN_PER_DOMAIN, left // remaining)
        caps[i] = min(totals[i], per_domain, share)
        left = max(0, left - caps[i])
        remaining -= 1
    return caps


def _has_outcomes(compiled: CompiledKnowledge, pack_id: str) -> bool:
    return any(
        r.ref.pack_id == pack_id and any(t.derive is None for t in r.ref.rule.then)
        for r in compiled.rules
    )


def coverage_findings(
    compiled: CompiledKnowledge,
    *,
    max_combinations: int = DEFAULT_MAX_COMBINATIONS,
    seed: int = 0,
    budget: int = DEFAULT_BUDGET,
) -> tuple[list[Finding], list[DomainCoverage]]:
    """W109 for every domain of every pack that concludes or escalates anything."""
    kb = compiled.kb
    found: list[Finding] = []
    domains: list[DomainCoverage] = []
    todo: list[tuple[str, int | None, str | None]] = []
    for pack_id, item in sorted(kb.packs.items()):
        if not _has_outcomes(compiled, pack_id):
            continue
        symptoms: list[tuple[int | None, str | None]] = [
            (i, s.id) for i, s in enumerate(item.pack.symptoms)
        ] or [(None, None)]
        todo.extend((pack_id, index, symptom) for index, symptom in symptoms)
    totals: list[int] = []
    for pack_id, _, symptom in todo:
        space, keys = _domain_space(compiled, pack_id, symptom)
        totals.append(math.prod(len(space[k].values) for k in keys))
    caps = allocate(totals, max_combinations, budget)
    total_of = {(p, s): t for (p, _, s), t in zip(todo, totals, strict=True)}
    for (pack_id, index, symptom), cap in zip(todo, caps, strict=True):
        item = kb.packs[pack_id]
        result = domain_coverage(
            compiled, pack_id, symptom, max_combinations=max(cap, 1), seed=seed
        )
        result = replace(result, thinned=cap < min(total_of[pack_id, symptom], max_combinations))
        domains.append(result)
        if not result.gaps:
            continue
        how = (
            "exhaustive"
            if result.mode == "exhaustive"
            else f"sampled {result.checked} of {result.total}, seed {seed}"
        )
        shown = {k: v for k, v in result.examples[0].items() if k != COMPLAINT}
        example = ", ".join(f"{k}={v}" for k, v in shown.items()) or "no answers at all"
        if len(shown) < len(result.keys):
            example += " (whatever the other answers)"
        where = f" for symptom '{symptom}'" if symptom else ""
        path: tuple[str | int, ...] = ("symptoms", index) if index is not None else ("id",)
        found.append(
            finding(
                item.source,
                pack_id,
                path,
                "W109",
                f"coverage gap{where}: {result.gaps} of {result.checked} answer combinations "
                f"({how}) reach no conclusion or escalation, e.g. {example}",
                hint="add a rule for them, or a fallback rule that escalates",
                details=result.as_dict(),
            )
        )
    return found, domains
