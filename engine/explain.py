"""HOW (a conclusion back to the answers) and WHY NOT (what kept a fault out), as data."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

from engine.compile import CompiledKnowledge
from engine.logic import (
    TV,
    UNKNOWN,
    Blocker,
    FactValue,
    NAll,
    NLeaf,
    NNode,
    eval_leaf,
    show_value,
)
from engine.result import Diagnosis, Firing
from rules.errors import UnknownIdError, did_you_mean

MAX_DEPTH = 32


def fact_index(diagnosis: Diagnosis) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in diagnosis.facts}


def _support(
    key: str,
    facts: dict[str, dict[str, Any]],
    firings: dict[str, Firing],
    depth: int,
) -> dict[str, Any]:
    fact = facts.get(key, {"key": key, "value": None, "source": "unknown", "by": ""})
    node: dict[str, Any] = {
        "key": key,
        "value": fact["value"],
        "source": fact["source"],
        "by": fact["by"],
    }
    if fact["source"] == "derived" and depth < MAX_DEPTH:
        firing = firings.get(fact["by"])
        if firing is not None:
            node["because"] = _firing_node(firing, facts, firings, depth + 1)
    return node


def _firing_node(
    firing: Firing, facts: dict[str, dict[str, Any]], firings: dict[str, Firing], depth: int
) -> dict[str, Any]:
    return {
        "rule": firing.rule,
        "priority": firing.priority,
        "effects": firing.effects,
        "status": firing.status,
        "facts": [_support(m.key, facts, firings, depth) for m in firing.matched],
    }


def how(diagnosis: Diagnosis, fault_id: str | None = None) -> dict[str, Any]:
    """The rules that reached a conclusion, and the facts they used, back to the answers.

    Without a fault: the explanation of the outcome (top fault or escalation).
    """
    facts = fact_index(diagnosis)
    firings = {f.rule: f for f in diagnosis.trace}
    target = fault_id or diagnosis.outcome.fault
    if target is not None:
        score = diagnosis.fault(target)
        if score is None:
            return {"fault": target, "concluded": False, "rules": []}
        used = [firings[r] for r in score.rules if r in firings]
        return {
            "fault": target,
            "concluded": True,
            "certainty": score.certainty,
            "firm": score.firm,
            "rules": [_firing_node(f, facts, firings, 0) for f in used],
        }
    esc = diagnosis.outcome.escalation
    rules = []
    if esc is not None and esc.rule is not None and esc.rule in firings:
        rules = [_firing_node(firings[esc.rule], facts, firings, 0)]
    return {
        "escalation": esc.model_dump() if esc else None,
        "outcome": diagnosis.outcome.kind,
        "rules": rules,
    }


def why_not(compiled: CompiledKnowledge, diagnosis: Diagnosis, fault_id: str) -> dict[str, Any]:
    """For each rule that could conclude the fault: why it did not (or what happened)."""
    kb = compiled.kb
    if fault_id not in kb.faults:
        raise UnknownIdError(
            f"unknown fault '{fault_id}'", hint=did_you_mean(fault_id, kb.faults.keys())
        )
    known = known_facts(diagnosis)
    firings = {f.rule: f for f in diagnosis.trace}
    score = diagnosis.fault(fault_id)
    dead = underivable(compiled, known)
    entries: list[dict[str, Any]] = []
    for rule in compiled.rules:
        thens = [t for t in rule.ref.rule.then if t.conclude == fault_id]
        if not thens:
            continue
        entry: dict[str, Any] = {"rule": rule.qualified, "priority": rule.priority}
        fired = firings.get(rule.qualified)
        if fault_id in diagnosis.ruled_out:
            entry["status"] = "ruled_out"
            entry["detail"] = "the fault was ruled out (its fix did not work)"
        elif fired is not None and fired.status == "shadowed":
            entry["status"] = "shadowed"
            entry["detail"] = f"fired, but shadowed by {fired.shadowed_by} (first match wins)"
        elif fired is not None and fired.status == "fallback_skipped":
            entry["status"] = "fallback_skipped"
            entry["detail"] = "a fallback rule: other rules concluded, so it did not apply"
        elif fired is not None:
            entry["status"] = "fired"
            entry["detail"] = f"fired with certainty {thens[0].cf:+.2f}"
        else:
            _not_fired(compiled, rule.nnf, known, dead, entry, diagnosis)
        entries.append(entry)
    summary: str
    if score is None:
        summary = "not concluded"
    elif score.firm:
        summary = f"concluded with certainty {score.certainty:.2f} (firm)"
    else:
        summary = (
            f"concluded with certainty {score.certainty:.2f}, "
            f"below the threshold {diagnosis.threshold:.2f}"
        )
    return {"fault": fault_id, "summary": summary, "rules": entries}


def known_facts(diagnosis: Diagnosis) -> dict[str, FactValue]:
    """The diagnosis's facts as the logic reads them (an 'unknown' answer is UNKNOWN)."""
    known: dict[str, FactValue] = {}
    for fact in diagnosis.facts:
        value = fact["value"]
        unknown = fact["source"] == "answer" and value == "unknown"
        known[fact["key"]] = UNKNOWN if unknown else value
    return known


def _not_fired(
    compiled: CompiledKnowledge,
    nnf: NNode | None,
    known: dict[str, FactValue],
    dead: set[str],
    entry: dict[str, Any],
    diagnosis: Diagnosis,
) -> None:
    """What kept a rule from firing: the condition that decides, followed through
    derived facts (one that can no longer be derived fails, and why is said)."""
    blocker = deciding_blocker(nnf, known, dead)
    entry["status"] = blocker.status.value if blocker else "not_fired"
    entry["blocker"] = blocker.as_dict() if blocker else None
    entry["detail"] = _blocker_text(blocker.as_dict()) if blocker else "did not fire"
    if blocker is None:
        return
    key = blocker.leaf.key
    if blocker.status is TV.PENDING or key in dead:
        behind = _derivation_blockers(compiled, key, known, dead)
        if behind:
            entry["derived_by"] = behind
            entry["detail"] += "; " + "; ".join(
                f"{b['rule']} would derive it but is {b['detail']}" for b in behind
            )
        if key in dead:
            entry["detail"] = f"failed: {blocker.as_dict()['condition']} ({key} can no longer "
            entry["detail"] += "be derived); " + "; ".join(
                f"{b['rule']} {b['detail']}" for b in behind
            )
    elif blocker.status is TV.FALSE:
        fact = next((f for f in diagnosis.facts if f["key"] == key), None)
        if fact is not None and fact["source"] == "derived":
            firing = next((f for f in diagnosis.trace if f.rule == fact["by"]), None)
            used = [f"{m.key} = {show_value(m.value)}" for m in firing.matched] if firing else []
            entry["decided_by"] = {"rule": fact["by"], "facts": used}
            entry["detail"] += f"; {key} was derived by {fact['by']}"
            entry["detail"] += f" from {', '.join(used)}" if used else ""


def underivable(compiled: CompiledKnowledge, known: dict[str, FactValue]) -> set[str]:
    """Derived facts not known that no rule can derive any more (no rule deriving them
    can still hold: each is false, or waits on an answer the customer could not give),
    to a fixpoint: such a fact decides like a failed condition."""
    deriving: dict[str, list[NNode | None]] = {}
    for rule in compiled.rules:
        for then in rule.ref.rule.then:
            if then.derive is not None and then.derive not in known:
                deriving.setdefault(then.derive, []).append(rule.nnf)
    dead: set[str] = set()
    changed = True
    while changed:
        changed = False
        for key, conditions in deriving.items():
            if key not in dead and not any(_can_hold(c, known, dead) for c in conditions):
                dead.add(key)
                changed = True
    return dead


def _can_hold(node: NNode | None, known: dict[str, FactValue], dead: AbstractSet[str]) -> bool:
    """Whether `node` is true or can still become true (as engine.possible.can_hold, with
    `dead` facts failing): an 'unknown' answer never lets a comparison hold."""
    return impossible_leaf(node, known, dead) is None


def impossible_leaf(
    node: NNode | None, known: dict[str, FactValue], dead: AbstractSet[str]
) -> NLeaf | None:
    """The first comparison that keeps `node` from ever holding (None: it still can)."""
    if node is None:
        return None
    if isinstance(node, NLeaf):
        holds = node.key not in dead and eval_leaf(node, known) in (TV.TRUE, TV.PENDING)
        return None if holds else node
    found = [impossible_leaf(p, known, dead) for p in node.parts]
    if isinstance(node, NAll):
        return next((f for f in found if f is not None), None)
    return found[0] if all(f is not None for f in found) else None


def _value(node: NNode | None, known: dict[str, FactValue], dead: AbstractSet[str]) -> TV:
    """Kleene logic as engine.logic.evaluate, with `dead` facts failing every test."""
    if node is None:
        return TV.TRUE
    if isinstance(node, NLeaf):
        return TV.FALSE if node.key in dead else eval_leaf(node, known)
    values = [_value(p, known, dead) for p in node.parts]
    decisive, neutral = (TV.FALSE, TV.TRUE) if isinstance(node, NAll) else (TV.TRUE, TV.FALSE)
    for outcome in (decisive, TV.PENDING, TV.UNSETTLABLE):
        if outcome in values:
            return outcome
    return neutral


def deciding_blocker(
    node: NNode | None,
    known: dict[str, FactValue],
    dead: set[str] = frozenset(),  # type: ignore[assignment]
) -> Blocker | None:
    """The comparison that decides why `node` is not true: in a group, the first part
    whose value is the group's (a failed part over an earlier pending one, since the
    failed one settles it)."""
    value = _value(node, known, dead)
    if node is None or value is TV.TRUE:
        return None
    if isinstance(node, NLeaf):
        return Blocker(node, value, known.get(node.key))
    for part in node.parts:
        if _value(part, known, dead) is value:
            return deciding_blocker(part, known, dead)
    return None  # pragma: no cover - a group's value is one of its parts'


def _derivation_blockers(
    compiled: CompiledKnowledge, key: str, known: dict[str, FactValue], dead: set[str]
) -> list[dict[str, Any]]:
    """For a derived fact not known: the rules that derive it and what holds each back."""
    out: list[dict[str, Any]] = []
    for rule in compiled.rules:
        if not any(t.derive == key for t in rule.ref.rule.then):
            continue
        blocker = deciding_blocker(rule.nnf, known, dead)
        if blocker is not None:
            out.append(
                {
                    "rule": rule.qualified,
                    "blocker": blocker.as_dict(),
                    "detail": _blocker_text(blocker.as_dict()),
                }
            )
    return out


def _blocker_text(blocker: dict[str, Any]) -> str:
    status = blocker["status"]
    if status == "pending":
        return f"pending: {blocker['condition']} (not known yet: {blocker['key']})"
    if status == "unsettlable":
        return f"cannot hold: {blocker['condition']} (the customer could not tell)"
    return f"failed: {blocker['condition']} (it is {blocker['value']})"


def show(value: Any) -> str:
    return show_value(value)
