"""For WHY: the faults that a derived fact ruled out, with the fact, the rule that set it
and the answers behind it (issue 16 item 10). The question policy no longer weighs them
(engine.hypotheses, engine.derivable); this says why."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

from engine.compile import CompiledKnowledge
from engine.derivable import blocking_leaf, inputs
from engine.explain import MAX_DEPTH, fact_index, impossible_leaf, known_facts, underivable
from engine.logic import TV, Blocker, FactValue, describe, leaf_parts
from engine.possible import focus_packs
from engine.result import Diagnosis, Firing


def excluded_by_derived(
    compiled: CompiledKnowledge,
    diagnosis: Diagnosis,
    still: AbstractSet[str],
) -> list[dict[str, Any]]:
    """For WHY: the faults of the packs in focus that are no longer hypotheses (not in
    `still`) because a derived fact decided against every rule that could conclude them. Each
    names the fact, its value (None: it can no longer be derived), the rule that derived
    it and the answers it came from, followed through other derived facts."""
    known = known_facts(diagnosis)
    dead = underivable(compiled, known)
    facts = fact_index(diagnosis)
    firings = {f.rule: f for f in diagnosis.trace}
    focus = focus_packs(compiled, known)
    faults = {f for f in compiled.kb.faults if compiled.kb.fault_pack(f) in focus}
    out: list[dict[str, Any]] = []
    for fault_id in sorted(faults - still - set(diagnosis.ruled_out)):
        rules = [
            r
            for r in compiled.rules
            if not r.ref.rule.fallback and any(t.conclude == fault_id for t in r.ref.rule.then)
        ]
        leaves = [(r, impossible_leaf(r.nnf, known, dead)) for r in rules]
        leaves = [(r, leaf or blocking_leaf(compiled, r.nnf, known)) for r, leaf in leaves]
        if not leaves or any(leaf is None for _, leaf in leaves):
            continue  # it holds or can still hold: not excluded by what is known
        because = []
        for rule, leaf in leaves:
            assert leaf is not None
            fact = facts.get(leaf.key)
            if fact is None and leaf.key not in dead and leaf.key in compiled.kb.facts:
                used = inputs(compiled, leaf.key, known)  # it can be derived, never to pass
                because.append(
                    {
                        "rule": rule.qualified,
                        "fact": leaf.key,
                        "condition": describe(leaf),
                        "test": leaf_parts(leaf),
                        "value": None,
                        "by": None,
                        "cannot": True,
                        "from": [{"key": k, "value": known[k]} for k in used],
                    }
                )
                continue
            if leaf.key in dead or (fact is not None and fact["source"] == "derived"):
                blocker = Blocker(leaf, TV.FALSE, known.get(leaf.key))
                decided = _decided(rule.qualified, blocker, fact, facts, firings)
                behind: list[dict[str, Any]] = decided["from"]
                if fact is None:  # it can no longer be derived: what holds its rules back
                    _dead_behind(compiled, leaf.key, known, dead, behind, 0)
                order = {q: i for i, q in enumerate(compiled.kb.questions)}
                behind.sort(key=lambda a: (order.get(a["key"], -1), a["key"]))
                because.append(decided)
        if because:
            out.append({"fault": fault_id, "because": because})
    return out


def _decided(
    rule: str,
    blocker: Blocker,
    fact: dict[str, Any] | None,
    facts: dict[str, dict[str, Any]],
    firings: dict[str, Firing],
) -> dict[str, Any]:
    """One rule kept from a fault by a derived fact: the fact and the answers behind it."""
    answers: dict[str, Any] = {}
    if fact is not None:
        _answers_behind(fact["by"], facts, firings, answers, 0)
    return {
        "rule": rule,
        "fact": blocker.leaf.key,
        "condition": blocker.as_dict()["condition"],
        "value": fact["value"] if fact is not None else None,
        "by": fact["by"] if fact is not None else None,
        "from": [{"key": k, "value": v} for k, v in answers.items()],
    }


def _dead_behind(
    compiled: CompiledKnowledge,
    key: str,
    known: dict[str, FactValue],
    dead: AbstractSet[str],
    found: list[dict[str, Any]],
    depth: int,
) -> None:
    """The answers that keep every rule deriving `key` from holding, through facts that
    can no longer be derived either (an 'unknown' answer, a failed comparison)."""
    for rule in compiled.rules:
        if depth >= MAX_DEPTH or not any(t.derive == key for t in rule.ref.rule.then):
            continue
        leaf = impossible_leaf(rule.nnf, known, dead)
        if leaf is not None and leaf.key in dead:
            _dead_behind(compiled, leaf.key, known, dead, found, depth + 1)
        elif leaf is not None and all(a["key"] != leaf.key for a in found):
            found.append({"key": leaf.key, "value": known.get(leaf.key)})


def _answers_behind(
    rule: str,
    facts: dict[str, dict[str, Any]],
    firings: dict[str, Firing],
    found: dict[str, Any],
    depth: int,
) -> None:
    """The answers and intake fields a derivation used, through derived facts, in order."""
    firing = firings.get(rule)
    if firing is None or depth >= MAX_DEPTH:
        return
    for matched in firing.matched:
        fact = facts.get(matched.key)
        if fact is not None and fact["source"] == "derived":
            _answers_behind(fact["by"], facts, firings, found, depth + 1)
        elif matched.key not in found:
            found[matched.key] = matched.value
