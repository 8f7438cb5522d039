"""Escalations that forbid an action the procedure asks for (W113), for `pack check`.

A question may say what answering it does to the equipment (`actions: [open_case]`), and an
escalation what its reason forbids (`forbids: [open_case]`: "opening it here would void the
warranty"). A procedure must never ask for an action that its own escalation forbids: the
rule that escalates must not need the answer to such a question. A question is needed when
every way the condition can hold (each term of its disjunctive form, `engine.constraint`)
tests it, directly or through a derived fact that every deriving rule needs it for. A
`forbids` naming an action no question does is reported too (it protects nothing).
"""

from __future__ import annotations

from engine.compile import CompiledRule
from engine.constraint import TooComplex
from engine.finding import Checker
from rules.errors import did_you_mean


def check_forbidden(chk: Checker) -> None:
    kb = chk.kb
    doers: dict[str, list[str]] = {}
    for question in kb.questions.values():
        for action in question.actions:
            doers.setdefault(action, []).append(question.id)
    needs = _Needs(chk)
    risky: dict[tuple[int, str], list[tuple[CompiledRule, int]]] = {}
    for rule in chk.compiled.rules:
        forbidden = sorted({a for t in rule.ref.rule.then for a in t.forbids})
        if not forbidden:
            continue
        to_line = max(t.escalate for t in rule.ref.rule.then if t.escalate is not None)
        for index, then in enumerate(rule.ref.rule.then):
            for pos, action in enumerate(then.forbids):
                if action not in doers:
                    chk.at_rule(
                        rule,
                        "W113",
                        f"rule '{rule.ref.rule.id}' forbids '{action}', which no question does "
                        "(no question lists it in 'actions')",
                        sub=("then", index, "forbids", pos),
                        hint=did_you_mean(action, doers)
                        or "name the action as the questions that do it name it",
                    )
        for qid in sorted(needs.of_rule(rule)):
            done = sorted(set(kb.questions[qid].actions) & set(forbidden))
            if not done:
                continue
            text = kb.questions[qid].text.get("en")
            chk.at_rule(
                rule,
                "W113",
                f"rule '{rule.ref.rule.id}' escalates to Line {to_line} and forbids "
                f"{', '.join(done)}, yet it fires only once '{text}' ({qid}) is answered, "
                f"which does {', '.join(done)}: the procedure asks for what its own "
                "escalation forbids",
                hint="escalate on what is known before that question (drop it from this "
                "rule), or ask it only where this escalation does not apply",
                details={"question": qid, "actions": done},
            )
        for key in _may_ask(chk, needs, rule, set(forbidden)):
            risky.setdefault(key, []).append((rule, to_line))
    for (index, qid), escalations in sorted(risky.items()):
        other = chk.compiled.rules[index]
        done = sorted({a for r, _ in escalations for t in r.ref.rule.then for a in t.forbids})
        done = [a for a in done if a in kb.questions[qid].actions]
        names = ", ".join(f"'{r.ref.qualified}' (to Line {n})" for r, n in escalations)
        chk.at_rule(
            other,
            "W113",
            f"rule '{other.ref.rule.id}' needs '{kb.questions[qid].text.get('en')}' ({qid}), "
            f"which does {', '.join(done)}, and can hold in the same cases as "
            f"{'rule' if len(escalations) == 1 else 'rules'} {names}, which "
            f"{'escalates' if len(escalations) == 1 else 'escalate'} and forbid"
            f"{'s' if len(escalations) == 1 else ''} it: a session may ask for it and then "
            "escalate for that very reason",
            hint="test in this rule what rules that escalation out (as its condition does), "
            "so that the question is asked only where the escalation does not apply",
            details={
                "question": qid,
                "actions": done,
                "escalations": [r.ref.qualified for r, _ in escalations],
            },
        )


def _may_ask(
    chk: Checker, needs: _Needs, rule: CompiledRule, forbidden: set[str]
) -> list[tuple[int, str]]:
    """(rule index, question) of each other rule that needs a question doing a forbidden
    action and can hold in the same cases as the escalation `rule` (so a session may ask
    it, then escalate). An escalation that tests only intake fields and what lower lines
    established fires as the line starts, before anything is asked there: left alone."""
    kb = chk.kb
    line = chk.line_of(rule.ref.pack_id)
    early = all(
        (k not in kb.facts and k not in kb.questions) or chk.line_of(kb.owner[k]) < line
        for k in rule.tested()
    )
    if early:
        return []
    mine = needs.of_rule(rule)
    out: list[tuple[int, str]] = []
    for other in chk.compiled.rules:
        if (
            other.index == rule.index
            or any(t.forbids for t in other.ref.rule.then)
            or chk.line_of(other.ref.pack_id) > line  # a higher line never runs before it
        ):
            continue
        asked = sorted(
            q
            for q in needs.of_rule(other)
            if q not in mine and set(kb.questions[q].actions) & forbidden
        )
        asked = [q for q in asked if not _settled_first(chk, mine, q)]
        if asked and _together(chk, rule, other, set(asked)):
            out.append((other.index, asked[0]))
    return out


def _settled_first(chk: Checker, mine: frozenset[str], question: str) -> bool:
    """Whether the procedure settles every question the escalation needs before asking
    `question`: it waits for them (`after`), or they all have an `order` lower than its own
    (ordered questions come first, lowest first), so the escalation fires first."""
    if not mine:
        return False
    asked = chk.kb.questions[question]
    if mine <= set(asked.after):
        return True
    orders = [chk.kb.questions[q].order for q in mine]
    if any(o is None for o in orders):
        return False
    return asked.order is None or asked.order > max(o for o in orders if o is not None)


def _together(chk: Checker, one: CompiledRule, other: CompiledRule, skip: set[str]) -> bool:
    """Whether both conditions can hold at once (the questions in `skip` left out)."""
    try:
        left = chk.space.terms(one.nnf)
        right = chk.space.terms(other.nnf)
    except TooComplex:
        return False
    for a in left:
        for b in right:
            trimmed = {k: v for k, v in b.items() if k not in skip}
            if chk.space.merge(a, trimmed) is not None:
                return True
    return False


class _Needs:
    """The questions a rule (or a derived fact) cannot do without."""

    def __init__(self, chk: Checker) -> None:
        self.chk = chk
        self.rules_deriving: dict[str, list[CompiledRule]] = {}
        for rule in chk.compiled.rules:
            for then in rule.ref.rule.then:
                if then.derive is not None:
                    self.rules_deriving.setdefault(then.derive, []).append(rule)
        self.memo: dict[object, frozenset[str]] = {}

    def of_rule(self, rule: CompiledRule, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        if rule.index in self.memo:
            return self.memo[rule.index]
        try:
            terms = self.chk.space.terms(rule.nnf)
        except TooComplex:
            terms = []
        found: frozenset[str] | None = None
        for term in terms:
            here: set[str] = set()
            for key in term:
                if key in self.chk.kb.questions:
                    here.add(key)
                elif key in self.rules_deriving and key not in seen:
                    here |= self.of_fact(key, seen | {key})
            found = frozenset(here) if found is None else found & here
        result = found or frozenset()
        if not seen:
            self.memo[rule.index] = result
        return result

    def of_fact(self, fact: str, seen: frozenset[str]) -> frozenset[str]:
        parts = [self.of_rule(r, seen) for r in self.rules_deriving[fact]]
        return frozenset.intersection(*parts) if parts else frozenset()
