"""One diagnosis: run the compiled engine over the known facts, then weigh what fired."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from engine.answers import failed_fixes
from engine.certainty import combine_all
from engine.compile import CompiledKnowledge, CompiledRule, RunState
from engine.escalation import decide, failed_fix_outcome
from engine.facts import FactSet
from engine.logic import TV, UNKNOWN, FactValue, evaluate, show_value
from engine.possible import can_hold, closure, focus_packs, relevant_questions
from engine.result import Diagnosis, Escalation, FaultScore, Firing, FiringStatus, Match
from engine.say import Message, due

DEFAULT_THRESHOLD = 0.7


@dataclass
class Weighed:
    """Fired rules after stop/fallback resolution."""

    firings: list[Firing]
    evidence: dict[str, list[tuple[float, CompiledRule]]]
    escalations: list[Escalation]


def _effects(rule: CompiledRule, lang: str) -> list[str]:
    out: list[str] = []
    for then in rule.ref.rule.then:
        if then.conclude is not None:
            out.append(f"conclude {then.conclude} ({then.cf:+.2f})")
        elif then.derive is not None:
            shown = show_value(then.value) if then.expr is None else then.expr
            out.append(f"derive {then.derive} = {shown}")
        elif then.say is not None:
            out.append(f"say {then.say.get(lang)!r}")
        elif then.repeat is not None:
            out.append(f"ask {then.repeat} again (at most {then.at_most} answers)")
        else:
            out.append(f"escalate to Line {then.escalate}")
    return out


def weigh(
    compiled: CompiledKnowledge, state: RunState, lang: str = "en", excluded: Iterable[str] = ()
) -> Weighed:
    """Resolve `stop` (first match wins) and `fallback` deterministically from what fired.

    `excluded` faults (ruled out, e.g. a fix that did not work) gather no evidence.
    """
    excluded = set(excluded)
    # A rule whose `any` holds in several branches fires once per branch; it counts once.
    first: dict[int, list[tuple[str, object]]] = {}
    for index, matched in state.fired:
        first.setdefault(index, matched)
    order = sorted(first.items(), key=lambda f: (-compiled.rules[f[0]].priority, f[0]))
    firings: dict[int, Firing] = {}
    evidence: dict[str, list[tuple[float, CompiledRule]]] = {}
    escalations: list[Escalation] = []
    stopper: CompiledRule | None = None

    def record(
        index: int, matched: list[tuple[str, object]], status: FiringStatus, by: str | None
    ) -> None:
        rule = compiled.rules[index]
        firings[index] = Firing(
            rule=rule.qualified,
            priority=rule.priority,
            matched=[Match(key=k, value=_jsonable(v)) for k, v in matched],
            effects=_effects(rule, lang),
            status=status,
            shadowed_by=by,
        )

    def apply(rule: CompiledRule) -> bool:
        contributed = False
        for then in rule.ref.rule.then:
            if then.conclude is not None and then.conclude not in excluded:
                evidence.setdefault(then.conclude, []).append((then.cf, rule))
                contributed = contributed or then.cf > 0
            elif then.escalate is not None:
                reason = then.reason.get(lang) if then.reason else ""
                escalations.append(
                    Escalation(
                        to_line=then.escalate,
                        kind="rule",
                        reason=reason,
                        rule=rule.qualified,
                        fallback=rule.ref.rule.fallback,
                    )
                )
                contributed = True
        return contributed

    contributed = False
    fallbacks: list[tuple[int, list[tuple[str, object]]]] = []
    for index, matched in order:
        rule = compiled.rules[index]
        if rule.ref.rule.fallback:
            fallbacks.append((index, matched))
            continue
        if stopper is not None and rule.priority < stopper.priority and _decides(rule):
            record(index, matched, "shadowed", stopper.qualified)
            continue
        record(index, matched, "applied", None)
        contributed = apply(rule) or contributed
        if rule.ref.rule.stop and stopper is None:
            stopper = rule
    for index, matched in fallbacks:
        if contributed:
            record(index, matched, "fallback_skipped", None)
        else:
            record(index, matched, "applied", None)
            apply(compiled.rules[index])
    ordered = [firings[i] for i in first]
    return Weighed(ordered, evidence, escalations)


def _decides(rule: CompiledRule) -> bool:
    return any(t.conclude is not None or t.escalate is not None for t in rule.ref.rule.then)


def _jsonable(value: object) -> object:
    return show_value(value) if not isinstance(value, bool | int | float | str) else value


def rank(
    compiled: CompiledKnowledge,
    weighed: Weighed,
    threshold: float,
    lang: str,
    known: Mapping[str, FactValue] | None = None,
) -> list[FaultScore]:
    """Faults by certainty, then best rule priority, then prior (learned for the case's
    complaint when a learned overlay is published, engine.weights), then id."""
    kb = compiled.kb
    weights = compiled.weights
    scores: list[FaultScore] = []
    for fault_id, items in weighed.evidence.items():
        fault = kb.fault(fault_id)
        cf = round(combine_all(cf for cf, _ in items), 6)
        scores.append(
            FaultScore(
                id=fault_id,
                title=fault.title.get(lang),
                pack=kb.fault_pack(fault_id),
                certainty=cf,
                firm=cf >= threshold,
                line=fault.line,
                prior=weights.likelihood(fault_id, known or {}, fault.likelihood)
                if weights is not None
                else fault.likelihood,
                fix=[step.get(lang) for step in fault.fix],
                rules=sorted({r.qualified for _, r in items}),
                kind=fault.kind,
                confirm=fault.confirming,
                description=fault.description.get(lang) if fault.description else None,
                advice=fault.advice.get(lang) if fault.advice else None,
            )
        )
    best = {s.id: max(r.priority for _, r in weighed.evidence[s.id]) for s in scores}
    scores.sort(key=lambda s: (-s.certainty, -best[s.id], -s.prior, s.id))
    return scores


@dataclass(frozen=True)
class _OpenIndex:
    """Which non-fallback rules test each key, and the questions they reference."""

    rules_by_key: dict[str, list[CompiledRule]]
    questions_of: dict[int, frozenset[str]]  # rule index -> question keys among its leaves
    refs: dict[str, int]  # question -> number of rules referencing it
    ordered: list[str]  # referenced questions, in pack order
    rank: dict[str, int]  # referenced question -> its position in `ordered`
    by_pack: dict[str, frozenset[str]]  # pack id -> questions its rules reference
    focused: dict[frozenset[str], list[str]] = field(default_factory=dict)

    def in_focus(self, packs: set[str]) -> list[str]:
        """The referenced questions of the packs in focus, in pack order (once per focus)."""
        key = frozenset(packs)
        found = self.focused.get(key)
        if found is None:
            allowed: set[str] = set().union(*(self.by_pack.get(p, frozenset()) for p in key))
            found = self.focused[key] = sorted(allowed, key=self.rank.__getitem__)
        return found

    @classmethod
    def of(cls, compiled: CompiledKnowledge) -> _OpenIndex:
        return compiled.cached("open_index", lambda: cls._build(compiled))

    @classmethod
    def _build(cls, compiled: CompiledKnowledge) -> _OpenIndex:
        kb = compiled.kb
        by_key: dict[str, list[CompiledRule]] = {}
        questions_of: dict[int, frozenset[str]] = {}
        refs: dict[str, int] = {}
        by_pack: dict[str, set[str]] = {}
        for rule in compiled.rules:
            if rule.ref.rule.fallback or rule.nnf is None:
                continue
            keys = rule.tested()
            for key in keys:
                by_key.setdefault(key, []).append(rule)
            questions_of[rule.index] = frozenset(k for k in keys if k in kb.questions)
            for q in questions_of[rule.index]:
                refs[q] = refs.get(q, 0) + 1
            by_pack.setdefault(rule.ref.pack_id, set()).update(questions_of[rule.index])
        ordered = [q for q in kb.questions if q in refs]
        return cls(
            by_key,
            questions_of,
            refs,
            ordered,
            {q: i for i, q in enumerate(ordered)},
            {pack: frozenset(qs) for pack, qs in by_pack.items()},
        )


def open_questions(compiled: CompiledKnowledge, known: Mapping[str, FactValue]) -> list[str]:
    """Questions that a still-possible (pending) rule depends on, in pack order.

    Only the packs the complaint points to count (as in the guided session's choice):
    a question of an unrelated domain never keeps a diagnosis open.

    Only rules that test a known key are evaluated: a rule that tests none of
    them is pending as a whole, so each of its questions is open. The cost is that
    of the touched rules plus one pass over the referenced questions, never an
    evaluation of every rule.
    """
    index = _OpenIndex.of(compiled)
    touched: dict[int, CompiledRule] = {}
    for key in known:
        for rule in index.rules_by_key.get(key, ()):
            touched[rule.index] = rule
    wanted: set[str] = set()
    touched_refs: dict[str, int] = {}
    for rule in touched.values():
        questions = index.questions_of[rule.index]
        for q in questions:
            touched_refs[q] = touched_refs.get(q, 0) + 1
        if evaluate(rule.nnf, known) is TV.PENDING and can_hold(rule.nnf, known):
            wanted.update(q for q in questions if q not in known)
    closed = {q for q in touched_refs if q not in wanted and index.refs[q] == touched_refs[q]}
    closed.update(k for k in known if k in index.refs)
    return [q for q in index.in_focus(focus_packs(compiled, known)) if q not in closed]


def _held(
    compiled: CompiledKnowledge, line: int, faults: list[FaultScore], pending: list[str]
) -> bool:
    """A lower line's conclusion is a hypothesis here while this line's own packs still ask.

    Line 1 may conclude "RAM or motherboard (needs Line 2)"; at Line 2 that fault is
    firm from the start, but Line 2's packs exist to refine it, so it is not proposed
    while a question of a Line 2 pack can still change the picture.
    """
    top = faults[0] if faults else None
    if top is None or not top.firm or not pending:
        return False
    packs = compiled.kb.packs
    if any(packs[r.split("/")[0]].pack.line >= line for r in top.rules):
        return False
    owner = compiled.kb.owner
    return any(packs[owner[q]].pack.line == line for q in pending)


def diagnose(
    compiled: CompiledKnowledge,
    facts: FactSet,
    *,
    line: int,
    threshold: float = DEFAULT_THRESHOLD,
    lang: str = "en",
    ruled_out: Iterable[str] = (),
) -> Diagnosis:
    """Reset, declare, run, weigh: the diagnosis for exactly this set of facts."""
    # a fix outcome given as an answer (`fix_of`, or given answers' `fixes`) rules its
    # fault out when it failed, as the guided session does when the agent answers "Did
    # the fix work?" with no
    ruled = sorted(set(ruled_out) | failed_fixes(compiled.kb, facts))
    state = compiled.run(facts.canonical())
    weighed = weigh(compiled, state, lang, ruled)
    faults = rank(compiled, weighed, threshold, lang, state.known)
    # an absent derived fact that no rule can derive any more is settled (matches
    # nothing), so the questions only it would have made matter no longer hold back
    # a fallback (pending only while some rule can still derive it)
    known = closure(compiled, state.known)
    # only questions that can still change the outcome: a rule still possible, not
    # shadowed by a `stop` rule that holds, concluding a fault not ruled out (or
    # escalating), through a comparison that can still change its truth (as the guided
    # session's candidates, engine.possible.relevant_questions)
    relevant = relevant_questions(compiled, known, ruled, focus_packs(compiled, known))
    pending = [q for q in open_questions(compiled, known) if q in relevant]
    # an escalation to this line or a lower one (a lower line's pack) is already done
    upward = [e for e in weighed.escalations if e.to_line > line]
    outcome = decide(
        line, faults, upward, pending, lang, held=_held(compiled, line, faults, pending)
    )
    # given answers whose fixes failed on this line end as the guided session on this
    # line does after "no" (a session keeps its own failures in its record, not here)
    outcome = failed_fix_outcome(compiled.kb.faults, line, outcome, facts.failed_here(line), lang)
    all_facts = facts.with_derived(state.derived)
    return Diagnosis(
        line=line,
        packs=compiled.cached("versions", compiled.kb.versions),
        threshold=threshold,
        lang=lang,
        facts=[f.as_dict() for f in all_facts],
        faults=faults,
        ruled_out=ruled,
        escalations=weighed.escalations,
        outcome=outcome,
        trace=weighed.firings,
    )


def said(compiled: CompiledKnowledge, diagnosis: Diagnosis) -> list[Message]:
    """What the rules that fired say (`say:`), in firing order, with the values their
    places name: in a diagnosis from given answers every message is due at once."""
    known: dict[str, FactValue] = {
        f["key"]: UNKNOWN if f["source"] == "answer" and f["value"] == "unknown" else f["value"]
        for f in diagnosis.facts
    }
    return due(compiled, diagnosis, known)
