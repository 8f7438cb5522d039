"""Faults no session can reach within the budget of a form of service (W114), for `pack check`.

Each form of service gives every line a question budget and a time budget (the pack's
minutes), `cases/sla.yaml`; a guided session escalates (`question_budget`, `sla_spent`)
once it has spent either. A fault is out of reach for a form when even the cheapest way a
rule can conclude it needs more of the line's own questions, or more of their minutes,
than that form allows the line (minutes are counted before the last question: the
session checks its time budget before it asks, so the last question may overrun it).
The count is a lower bound, so the finding is certain: a rule needs every question of
one term of its condition (`engine.constraint`), and a derived fact the questions of one
of the rules deriving it. (A session may ask more than
the fewest, e.g. a declared `order` first; docs/packs.md, "Question budgets".)
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.compile import CompiledRule
from engine.constraint import Term, TooComplex
from engine.finding import Checker
from engine.session import Budget
from rules.intake import SERVICE_FORMS
from rules.knowledge import INTAKE_PREFIX

FORM = INTAKE_PREFIX + "service_form"
MAX_OPTIONS = 64  # alternative question sets kept per rule (the smallest ones)

# form of service -> line -> what a line may spend on a case
Budgets = Mapping[str, Mapping[int, Budget]]

Need = tuple[frozenset[str], frozenset[str]]  # (questions, forms of service it can hold in)
EVERY_FORM = frozenset(SERVICE_FORMS)


def check_budgets(chk: Checker, budgets: Budgets | None) -> None:
    if not budgets:
        return
    needs = _Needs(chk)
    kb = chk.kb
    # the main rules of each line that conclude each fault positively, in rule order
    by_fault: dict[tuple[int, str], list[CompiledRule]] = {}
    for rule in chk.compiled.rules:
        if rule.ref.rule.fallback:
            continue
        faults = {t.conclude for t in rule.ref.rule.then if t.conclude is not None and t.cf > 0}
        for fault_id in sorted(faults):
            by_fault.setdefault((chk.line_of(rule.ref.pack_id), fault_id), []).append(rule)
    for pack_id, loaded in sorted(kb.packs.items()):
        line = loaded.pack.line
        for fault in loaded.pack.faults:
            concluding = by_fault.get((line, fault.id), [])
            options = [o for r in concluding for o in needs.of_rule(r, line)]
            if not options:
                continue
            for form in sorted(budgets):
                budget = budgets[form].get(line)
                if budget is None:
                    continue
                fits = [q for q, forms in options if form in forms]
                if not fits:
                    continue
                fewest = min(len(q) for q in fits)
                # minutes are checked before each question: the last one may overrun
                cheapest = min(_before_last([kb.questions[x].cost for x in q]) for q in fits)
                over = _over(budget, line, fewest, cheapest)
                if over is None:
                    continue
                chk.at_item(
                    "faults",
                    fault.id,
                    pack_id,
                    "W114",
                    f"fault '{fault.title.get('en')}' ({fault.id}) needs at least {over}, more "
                    f"than Line {line} may spend on a case of {form.replace('_', ' ')} service: "
                    "its sessions escalate for the budget before they can reach it",
                    hint="conclude it with fewer questions (or cheaper ones), or raise that "
                    "budget in the service levels (cases/sla.yaml, or a file in $LINEWISE_SLA)",
                    details={
                        "form": form,
                        "line": line,
                        "questions": fewest,
                        "minutes": cheapest,
                        "budget": {"questions": budget.questions, "minutes": budget.minutes},
                    },
                )


def _before_last(costs: list[float]) -> float:
    """The fewest minutes spent before the last of these questions (the dearest asked last)."""
    return sum(costs) - max(costs) if costs else 0.0


def _over(budget: Budget, line: int, fewest: int, cheapest: float) -> str | None:
    if budget.questions is not None and fewest > budget.questions:
        return f"{fewest} questions of Line {line}'s own packs (the budget is {budget.questions})"
    if budget.minutes is not None and cheapest > budget.minutes:
        return (
            f"{cheapest:g} minutes of questions before its last one (the budget is "
            f"{budget.minutes:g})"
        )
    return None


class _Needs:
    """The smallest sets of a line's own questions a rule (or derived fact) can fire with."""

    def __init__(self, chk: Checker) -> None:
        self.chk = chk
        self.deriving: dict[str, list[CompiledRule]] = {}
        for rule in chk.compiled.rules:
            for then in rule.ref.rule.then:
                if then.derive is not None:
                    self.deriving.setdefault(then.derive, []).append(rule)
        self.memo: dict[tuple[int, int], list[Need]] = {}

    def of_rule(
        self, rule: CompiledRule, line: int, seen: frozenset[str] = frozenset()
    ) -> list[Need]:
        key = (rule.index, line)
        if not seen and key in self.memo:
            return self.memo[key]
        try:
            terms = self.chk.space.terms(rule.nnf)
        except TooComplex:
            terms = []
        out: list[Need] = []
        for term in terms:
            out.extend(self._of_term(term, line, seen))
        out = _smallest(out)
        if not seen:
            self.memo[key] = out
        return out

    def _of_term(self, term: Term, line: int, seen: frozenset[str]) -> list[Need]:
        kb = self.chk.kb
        mine = frozenset(
            k for k in term if k in kb.questions and self.chk.line_of(kb.owner[k]) == line
        )
        forms = EVERY_FORM
        if FORM in term:
            values = self.chk.space[FORM].values
            forms = frozenset(str(values[i]) for i in term[FORM] if i < len(values))
        found: list[Need] = [(mine, forms)]
        for key in sorted(term):
            if key in kb.questions or key not in self.deriving or key in seen:
                continue
            ways = [n for r in self.deriving[key] for n in self.of_rule(r, line, seen | {key})]
            if not ways:
                continue
            found = _smallest([j for a in found for b in ways if (j := _join(a, b))[1]])
        return found


def _join(one: Need, other: Need) -> Need:
    return one[0] | other[0], one[1] & other[1]


def _smallest(needs: list[Need]) -> list[Need]:
    unique = sorted(set(needs), key=lambda n: (len(n[0]), sorted(n[0]), sorted(n[1])))
    return unique[:MAX_OPTIONS]
