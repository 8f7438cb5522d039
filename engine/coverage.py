"""Coverage gaps (W109): answers for which no rule concludes or escalates, decided exactly.

The answer space of a domain (one symptom of a pack, or a pack without symptoms) is the
product of the representative values (`engine.constraint`) of every question and intake
field its rules test. `engine.regions` splits it exactly into regions that share one
outcome, so every combination is accounted for and nothing is sampled. Each region with no
outcome is then generalised into a minimal answer set: answers are dropped one by one
while the gap stays a gap whatever they are, so what is reported are only the answers
that matter.

"An outcome" means here what it means in a session: after the rules of the pack's line run
(forward chaining with the engine's own three-valued evaluation) and the engine's
stop/fallback resolution (`engine.diagnose.weigh`), a fault with positive certainty, or an
escalation. (The experta network gives the same firings; tests/test_coverage.py checks
that, and checks the regions against brute force on random packs.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.chaining import RuleIndex, has_outcome
from engine.chaining import forward as _forward
from engine.compile import CompiledKnowledge, CompiledRule, RunState
from engine.constraint import build_space
from engine.diagnose import weigh
from engine.finding import Finding, finding
from engine.logic import TV, FactValue, evaluate, show_value
from engine.regions import Explorer, Gap
from engine.symbolic import Unsupported, gap_sets, outcome_diagram
from rules.knowledge import INTAKE_PREFIX, KnowledgeBase
from rules.validate import scope

MAX_REGIONS = 5_000  # per domain: beyond it the domain is reported undecided, never guessed
MAX_GAP_SETS = 100  # minimal answer sets kept (and counted) per domain; beyond: "at least"
SHOWN_SETS = 3  # in the one-line message; --json has them all
COMPLAINT = INTAKE_PREFIX + "complaint"


@dataclass(frozen=True)
class DomainCoverage:
    """How one domain's answer space was covered (always exactly, every combination)."""

    pack: str
    symptom: str | None
    keys: list[str]
    total: int
    checked: int
    mode: Literal["exhaustive", "undecided"]
    gaps: int
    examples: list[dict[str, Any]] = field(default_factory=list)  # minimal gap answer sets
    regions: int = 0  # how many regions the space was split into (method "split")
    gap_sets: int = 0  # distinct minimal answer sets (examples keeps MAX_GAP_SETS of them)
    method: Literal["diagram", "split"] = "split"  # engine.symbolic, else engine.regions
    nodes: int = 0  # size of the outcome's decision diagram (method "diagram")
    all_sets_counted: bool = True  # False: more than MAX_GAP_SETS sets, gap_sets is a floor

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "symptom": self.symptom,
            "keys": self.keys,
            "total": self.total,
            "checked": self.checked,
            "mode": self.mode,
            "method": self.method,
            "regions": self.regions,
            "nodes": self.nodes,
            "gaps": self.gaps,
            "gap_sets": self.gap_sets,
            "all_sets_counted": self.all_sets_counted,
            "examples": self.examples,
        }


def forward(
    compiled: CompiledKnowledge, rules: list[CompiledRule], known: Mapping[str, FactValue]
) -> RunState:
    """Fire rules (priority order) until nothing changes: the engine's run, without experta."""
    return _forward(rules, known, compiled.kb)


def reaches_outcome(
    compiled: CompiledKnowledge, rules: list[CompiledRule], known: Mapping[str, FactValue]
) -> bool:
    """Whether these facts lead some rule to conclude a fault (certainty > 0) or escalate."""
    return has_outcome(weigh(compiled, _forward(rules, known, compiled.kb)))


def _domain_rules(compiled: CompiledKnowledge, pack_id: str) -> list[CompiledRule]:
    """The rules a session at this pack's line runs: the line's packs, what they and it require."""
    return domain_index(compiled, pack_id).rules


def domain_index(compiled: CompiledKnowledge, pack_id: str) -> RuleIndex:
    """`_domain_rules` indexed by key, made once per line (every pack of a line has the same)."""
    kb = compiled.kb
    line = kb.packs[pack_id].pack.line
    name = f"coverage-line-{line}"
    index: RuleIndex | None = compiled.cache.get(name)
    if index is None:
        packs: set[str] = set()
        for item in kb.packs.values():
            if item.pack.line == line:
                packs |= scope(kb, item.pack)
        chosen = [r for r in compiled.rules if r.ref.pack_id in packs]
        index = compiled.cache[name] = RuleIndex(
            sorted(chosen, key=lambda r: (-r.priority, r.index))
        )
    return index


def domain_rules(
    compiled: CompiledKnowledge, pack_id: str, keys: list[str], fixed: Mapping[str, FactValue]
) -> list[CompiledRule]:
    """The rules of the pack's line that can fire in the domain spanned by `keys`."""
    return domain_index(compiled, pack_id).relevant(set(keys) | set(fixed))


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
) -> dict[str, FactValue]:
    """Drop answers one by one (in key order) while the gap stays a gap whatever they are."""
    kept = dict(known)
    for key in keys:
        if key not in kept:
            continue
        trial = {k: v for k, v in kept.items() if k != key}
        if _settled_gap(compiled, rules, trial, {k for k in keys if k not in trial}):
            kept = trial
    return kept


def minimal_sets(
    compiled: CompiledKnowledge,
    rules: list[CompiledRule],
    gaps: list[Gap],
    fixed: Mapping[str, FactValue],
    keys: list[str],
) -> tuple[list[dict[str, FactValue]], int]:
    """One minimal answer set per gap region that no earlier set already covers, in order
    (the first MAX_GAP_SETS), and how many distinct sets there are."""
    found: list[dict[str, FactValue]] = []
    count = 0
    for gap in gaps:
        answers = {**fixed, **gap.answers}
        if any(all(k in answers and answers[k] == v for k, v in s.items()) for s in found):
            continue
        found.append(_generalise(compiled, rules, answers, keys))
        count += 1
    return found[:MAX_GAP_SETS], count


def domain_coverage(
    compiled: CompiledKnowledge,
    pack_id: str,
    symptom: str | None,
    *,
    tick: Callable[[], None] | None = None,
) -> DomainCoverage:
    """Decide one domain's answer space exactly and report its gaps: as one decision
    diagram (engine.symbolic) when it can state the rules, else split into regions."""
    space, keys = _domain_space(compiled, pack_id, symptom)
    fixed: dict[str, FactValue] = {COMPLAINT: symptom} if symptom is not None else {}
    rules = domain_rules(compiled, pack_id, keys, fixed)
    try:
        diagram, outcome = outcome_diagram(space, keys, fixed, rules)
    except Unsupported:
        explorer = Explorer(compiled, rules, space, keys, fixed, tick, MAX_REGIONS)
        return _split_coverage(explorer, pack_id, symptom)
    gap = diagram.valid & ~outcome
    found, complete = gap_sets(diagram, gap, MAX_GAP_SETS)
    total = diagram.total
    examples = [
        {k: show_value(v) for k, v in sorted({**fixed, **_values(space, s)}.items())} for s in found
    ]
    if tick is not None:
        tick()
    return DomainCoverage(
        pack=pack_id,
        symptom=symptom,
        keys=keys,
        total=total,
        checked=total,
        mode="exhaustive",
        gaps=diagram.count(gap),
        examples=examples,
        gap_sets=len(found),
        method="diagram",
        nodes=outcome.dag_size,
        all_sets_counted=complete,
    )


def _values(space: Any, indices: Mapping[str, int]) -> dict[str, FactValue]:
    return {k: space[k].values[i] for k, i in indices.items()}


def _split_coverage(explorer: Explorer, pack_id: str, symptom: str | None) -> DomainCoverage:
    """The region split (engine.regions), for a domain the diagram cannot state."""
    compiled, fixed, keys = explorer.compiled, explorer.fixed, explorer.keys
    explorer.run()
    sets, count = minimal_sets(compiled, explorer.rules, explorer.gaps, fixed, keys)
    total = explorer.total
    return DomainCoverage(
        pack=pack_id,
        symptom=symptom,
        keys=keys,
        total=total,
        checked=total if explorer.decided else 0,
        mode="exhaustive" if explorer.decided else "undecided",
        gaps=sum(g.combinations for g in explorer.gaps),
        examples=[{k: show_value(v) for k, v in sorted(s.items())} for s in sets],
        regions=explorer.regions,
        gap_sets=count,
    )


def _domain_space(
    compiled: CompiledKnowledge, pack_id: str, symptom: str | None
) -> tuple[Any, list[str]]:
    """The representative answer space of one domain and the keys that span it."""
    kb = compiled.kb
    own = scope(kb, kb.packs[pack_id].pack)
    by_pack: dict[str, list[CompiledRule]] | None = compiled.cache.get("rules-by-pack")
    if by_pack is None:
        by_pack = compiled.cache["rules-by-pack"] = {}
        for rule in compiled.rules:
            by_pack.setdefault(rule.ref.pack_id, []).append(rule)
    mine = sorted((r for p in own for r in by_pack.get(p, [])), key=lambda r: r.index)
    space = build_space(kb, mine)
    keys = [k for k in sorted(space.keys) if k not in kb.facts or k in kb.questions]
    if symptom is not None:
        keys = [k for k in keys if k != COMPLAINT]
    return space, keys


def domains(kb: KnowledgeBase) -> list[tuple[str, int | None, str | None]]:
    """(pack, symptom index, symptom) of every domain of every pack that concludes or
    escalates anything; a pack without symptoms is one domain."""
    todo: list[tuple[str, int | None, str | None]] = []
    for pack_id, item in sorted(kb.packs.items()):
        if not any(t.derive is None for r in item.pack.rules for t in r.then):
            continue
        symptoms: list[tuple[int | None, str | None]] = [
            (i, s.id) for i, s in enumerate(item.pack.symptoms)
        ] or [(None, None)]
        todo.extend((pack_id, index, symptom) for index, symptom in symptoms)
    return todo


def _render_set(answers: Mapping[str, Any], keys: list[str]) -> str:
    shown = {k: v for k, v in answers.items() if k != COMPLAINT}
    text = ", ".join(f"{k}={v}" for k, v in shown.items()) or "no answers at all"
    if len(shown) < len(keys):
        text += " (whatever the other answers)"
    return text


def coverage_findings(
    compiled: CompiledKnowledge, covered: list[DomainCoverage] | None = None
) -> tuple[list[Finding], list[DomainCoverage]]:
    """W109 for every domain of every pack that concludes or escalates anything, from
    `covered` (one `domain_coverage` per domain, in `domains` order; worked out here when
    not given)."""
    kb = compiled.kb
    found: list[Finding] = []
    if covered is None:
        covered = [domain_coverage(compiled, p, s) for p, _, s in domains(kb)]
    for (pack_id, index, symptom), result in zip(domains(kb), covered, strict=True):
        item = kb.packs[pack_id]
        if not result.gaps:
            continue
        example = "; ".join(_render_set(s, result.keys) for s in result.examples[:SHOWN_SETS])
        if result.gap_sets > SHOWN_SETS:
            more = result.gap_sets - SHOWN_SETS
            floor = "" if result.all_sets_counted else "at least "
            example += f"; and {floor}{more} more answer sets (--json lists up to {MAX_GAP_SETS})"
        where = f" for symptom '{symptom}'" if symptom else ""
        path: tuple[str | int, ...] = ("symptoms", index) if index is not None else ("id",)
        found.append(
            finding(
                item.source,
                pack_id,
                path,
                "W109",
                f"coverage gap{where}: {'at least ' if result.mode == 'undecided' else ''}"
                f"{result.gaps} of {result.total} answer combinations "
                f"({result.mode}) reach no conclusion or escalation, e.g. {example}",
                hint="add a rule for them, or a fallback rule that escalates",
                details=result.as_dict(),
            )
        )
    return found, covered
