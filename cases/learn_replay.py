"""What a learned overlay would change, shown by re-running guided Line 1 sessions.

A recorded answer does not depend on priors, so replaying the recorded answers would
change nothing; what an overlay changes is which question comes next and which fix is
tried first. So each case is worked again by the real guided session, with and without
the overlay: the customer gives the case's own answers (a question the case never
answered: "cannot tell"), and a fix works exactly when it is for the case's known cause
(the fault a golden case expects, the fault whose fix worked in a stored case).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from cases.desk import Desk
from cases.golden import golden_files, load_golden
from cases.memstore import MemoryStore
from cases.store import SQLStore
from cases.tables import cases as cases_table
from engine.session import Ask, Escalate, ProposeFix
from engine.weights import Weights
from rules.knowledge import KnowledgeBase

MAX_STEPS = 100


@dataclass(frozen=True)
class Known:
    """A case to work again: its intake, its answers and its known cause."""

    intake: dict[str, Any]
    answers: dict[str, Any]
    cause: str


@dataclass
class Figures:
    """Line 1 figures of one run over the cases."""

    cases: int = 0
    questions: int = 0
    minutes: float = 0.0
    resolved: int = 0  # the cause's fix worked at Line 1
    wrong_first_fixes: int = 0  # the first fix tried was not for the cause
    reached: int = 0  # resolved at Line 1, or escalated when the cause needs a higher line

    def as_dict(self) -> dict[str, Any]:
        per = max(self.cases, 1)
        return {
            "cases": self.cases,
            "questions_per_case": round(self.questions / per, 3),
            "minutes_per_case": round(self.minutes / per, 2),
            "line1_resolution": round(self.resolved / per, 4),
            "wrong_first_fixes": self.wrong_first_fixes,
            "outcomes_reached": self.reached,
        }


def work_again(
    kb: KnowledgeBase, known: Iterable[Known], weights: Weights | None, minutes: Weights | None
) -> Figures:
    """Work each case at Line 1 with `weights` (None: the packs' own values); minutes are
    counted by `minutes`' learned question times where it has them (the same yardstick for
    both runs), else by the packs' costs."""
    desk = Desk(MemoryStore(), kb, weights=weights, agent="replay", channel="replay")
    out = Figures()
    for item in known:
        out.cases += 1
        live = desk.open(item.intake)
        tried_first = True
        for _ in range(MAX_STEPS):
            step = live.session.step()
            if isinstance(step, Ask):
                qid = step.question.id
                out.questions += 1
                cost = float(step.question.cost)
                out.minutes += minutes.cost(qid, cost) if minutes else cost
                live.answer(qid, item.answers.get(qid, "unknown"))
            elif isinstance(step, ProposeFix):
                worked = step.fault.id == item.cause
                if tried_first and not worked:
                    out.wrong_first_fixes += 1
                tried_first = False
                live.propose(step.fault.id, step.fault.certainty)
                live.fix(step.fault.id, worked)
                if worked:
                    out.resolved += 1
                    out.reached += 1
                    break
            elif isinstance(step, Escalate):
                if item.cause in kb.faults and kb.faults[item.cause].line > 1:
                    out.reached += 1
                break
            else:
                break
    return out


def golden_known(kb: KnowledgeBase) -> list[Known]:
    """The shipped golden cases that expect a fault of `kb` and start at Line 1."""
    out: list[Known] = []
    entry = kb.for_line(1).symptoms
    for path in golden_files(None):
        golden = load_golden(path)
        fault = golden.expect.fault
        if fault is None or fault not in kb.faults:
            continue
        if golden.case.intake.get("complaint") not in entry:
            continue
        out.append(Known(dict(golden.case.intake), dict(golden.case.answers), fault))
    return out


def stored_known(store: SQLStore, kb: KnowledgeBase, limit: int = 400) -> list[Known]:
    """The most recent finished cases with a confirmed cause (the fault whose fix worked)."""
    c = cases_table.c
    with store.reading() as conn:
        ids = list(
            conn.execute(
                select(c.id)
                .where(c.fault.is_not(None), c.id.is_not(None))
                .order_by(c.num.desc())
                .limit(limit)
            ).scalars()
        )
    out: list[Known] = []
    entry = kb.for_line(1).symptoms
    for case_id in reversed(ids):
        case = store.load(case_id)
        if case.intake.get("complaint") not in entry:
            continue
        answers: dict[str, Any] = {}
        cause: str | None = None
        for event in case.events:
            if event.kind == "answer" and event.question:
                answers[event.question] = event.value
            elif event.kind == "fix_worked" and event.fault:
                cause = event.fault
        if cause is not None and cause in kb.faults:
            intake = {k: v for k, v in case.intake.items() if v is not None}
            out.append(Known(intake, answers, cause))
    return out


def verdict(before: Figures, after: Figures) -> str:
    """'worse' when the overlay reaches fewer outcomes, tries more wrong fixes first or asks
    more questions; 'better' when it is no worse and improves one; else 'same'."""
    worse = (
        after.reached < before.reached
        or after.wrong_first_fixes > before.wrong_first_fixes
        or after.questions > before.questions
    )
    if worse:
        return "worse"
    better = (
        after.reached > before.reached
        or after.wrong_first_fixes < before.wrong_first_fixes
        or after.questions < before.questions
    )
    return "better" if better else "same"
