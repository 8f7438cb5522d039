"""Rules judged against each other: contradictions (E102), rules that can never fire (W110),
subsumed rules (W103), and rules that conflict with no priority between them (E104)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.compile import CompiledRule
from engine.constraint import TooComplex
from engine.finding import Checker
from engine.logic import show_value

# ---- rules that can never fire (E102, W110) -------------------------------------------


def check_rules(chk: Checker) -> None:
    """Contradictions (E102), then a fixpoint over derivable fact values (W110)."""
    kb, space = chk.kb, chk.space
    contradictory = chk.contradictory
    for rule in chk.compiled.rules:
        try:
            key = space.blocking_key(rule.nnf, {})
        except TooComplex:
            continue
        if key is not None:
            contradictory.add(rule.index)
            chk.at_rule(
                rule,
                "E102",
                f"rule '{rule.ref.rule.id}' can never fire: its conditions on '{key}' "
                "contradict each other",
                sub=("when",),
                hint="a key cannot have two different values at once; check 'all' vs 'any'",
            )
    derived_only = [k for k in space.keys if k in kb.facts and k not in kb.questions]
    allowed: dict[str, frozenset[int]] = {k: frozenset() for k in derived_only}
    for key in derived_only:  # a fix outcome (fix_of) takes either value during a session
        if kb.facts[key].fix_of is not None:
            allowed[key] = space[key].full
    blocked: dict[int, str] = {}
    changed = True
    while changed:
        changed = False
        for rule in chk.compiled.rules:
            if rule.index in chk.viable or rule.index in contradictory:
                continue
            try:
                key = space.blocking_key(rule.nnf, allowed)
            except TooComplex:
                key = None
            if key is not None:
                blocked[rule.index] = key
                continue
            chk.viable.add(rule.index)
            changed = True
            for then in rule.ref.rule.then:
                if then.derive in allowed and then.expr is not None:  # computed: any value
                    got = space[then.derive].full
                    allowed[then.derive] = allowed[then.derive] | got
                elif then.derive in allowed and then.value is not None:
                    got = space[then.derive].indices([then.value])
                    allowed[then.derive] = allowed[then.derive] | got
    for index in sorted(set(blocked) - chk.viable):
        rule = chk.compiled.rules[index]
        key = blocked[index]
        chk.at_rule(
            rule,
            "W110",
            f"rule '{rule.ref.rule.id}' can never fire: no rule that can fire derives "
            f"the value of fact '{key}' it needs",
            sub=("when",),
            hint=f"add a rule deriving '{key}', or change this condition",
        )


# ---- pairs of rules (W103, E104) ----------------------------------------------------------


def _signature(rule: CompiledRule) -> tuple[tuple[str, str, str], ...]:
    parts: set[tuple[str, str, str]] = set()
    for then in rule.ref.rule.then:
        if then.conclude is not None:
            parts.add(("conclude", then.conclude, f"{then.cf:g}"))
        elif then.derive is not None:
            shown = show_value(then.value) if then.expr is None else f"({then.expr})"
            parts.add(("derive", then.derive, shown))
        elif then.escalate is not None:
            parts.add(("escalate", str(then.escalate), ""))
        elif then.say is not None:  # a message: never in conflict with anything
            parts.add(("say", then.say.en, ""))
        elif then.repeat is not None:
            parts.add(("repeat", then.repeat, str(then.at_most)))
    return tuple(sorted(parts))


def _conflict(left: CompiledRule, right: CompiledRule) -> str | None:
    """What two rules disagree on, if they were to fire on the same facts."""
    a, b = _signature(left), _signature(right)
    derived_a = {k: v for kind, k, v in a if kind == "derive"}
    for kind, key, value in b:
        if kind == "derive" and key in derived_a and derived_a[key] != value:
            return f"derive {key} = {derived_a[key]} vs {value}"
    faults_a = {(k, float(v) > 0) for kind, k, v in a if kind == "conclude"}
    faults_b = {(k, float(v) > 0) for kind, k, v in b if kind == "conclude"}
    ups_a = {k for kind, k, _ in a if kind == "escalate"}
    ups_b = {k for kind, k, _ in b if kind == "escalate"}
    if faults_a and faults_b and faults_a != faults_b:
        return f"conclude {_names(faults_a)} vs {_names(faults_b)}"
    if ups_a and ups_b and ups_a != ups_b:
        return f"escalate to Line {min(ups_a)} vs Line {min(ups_b)}"
    if (faults_a and ups_b and not ups_a) or (faults_b and ups_a and not ups_b):
        return "one concludes a fault, the other escalates"
    return None


def _names(faults: set[tuple[str, bool]]) -> str:
    return ", ".join(sorted(f for f, _ in faults))


def _pairs(chk: Checker) -> Iterator[tuple[CompiledRule, CompiledRule]]:
    """(earlier, later) pairs of one line and one kind (fallback or not) that can judge each
    other: only rules testing a common key can imply one another (a rule without a
    condition aside), since an unanswered key makes every comparison on it fail. Indexed by
    key, so a line of many domains costs what its domains cost, not its size squared."""
    by_key: dict[tuple[int, bool, str], list[CompiledRule]] = {}
    unconditional: dict[tuple[int, bool], list[CompiledRule]] = {}
    everything: dict[tuple[int, bool], list[CompiledRule]] = {}
    for later in chk.compiled.rules:
        kind = (chk.line_of(later.ref.pack_id), later.ref.rule.fallback)
        if later.nnf is None:
            candidates = list(everything.get(kind, []))
        else:
            found = {r.index: r for r in unconditional.get(kind, [])}
            for key in later.tested():
                found.update((r.index, r) for r in by_key.get((*kind, key), []))
            candidates = [found[i] for i in sorted(found)]
        for earlier in candidates:
            if not {earlier.index, later.index} & chk.contradictory:
                yield earlier, later
        everything.setdefault(kind, []).append(later)
        if later.nnf is None:
            unconditional.setdefault(kind, []).append(later)
        for key in later.tested():
            by_key.setdefault((*kind, key), []).append(later)


def check_pairs(chk: Checker) -> None:
    space = chk.space
    for earlier, later in _pairs(chk):
        a, b = earlier.ref, later.ref
        same = _signature(earlier) == _signature(later) and a.rule.stop == b.rule.stop
        conflict = None if same or a.rule.priority != b.rule.priority else _conflict(earlier, later)
        if not same and conflict is None:
            continue
        try:
            later_in_earlier = space.implies(later.nnf, earlier.nnf)
            earlier_in_later = space.implies(earlier.nnf, later.nnf)
        except TooComplex:
            continue
        if same and later_in_earlier:
            chk.at_rule(
                later,
                "W103",
                f"rule '{b.rule.id}' is subsumed by rule '{a.qualified}': it has the same "
                "consequences and fires only when that one fires too",
                hint="remove it (certainties would be counted twice), or make it differ",
            )
        elif same and earlier_in_later:
            chk.at_rule(
                earlier,
                "W103",
                f"rule '{a.rule.id}' is subsumed by rule '{b.qualified}': it has the same "
                "consequences and fires only when that one fires too",
                hint="remove it (certainties would be counted twice), or make it differ",
            )
        elif conflict is not None and later_in_earlier and earlier_in_later:
            chk.at_rule(
                later,
                "E104",
                f"rules '{a.qualified}' and '{b.rule.id}' have the same conditions but "
                f"conflicting consequences ({conflict}) and the same priority "
                f"{b.rule.priority}",
                hint=("give one a higher priority, merge them, or tell them apart by a condition"),
            )
