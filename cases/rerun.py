"""Re-running a case through the guided session, answering from what the customer said.

`pack diff` needs the number of questions a case would take, and a stored case's
outcome under other packs; both come from the real session policy
(`engine.session`), not from a second model of it. The session asks; each answer
comes from the case's answers (a question the case never answered is answered
'unknown', and counted); a proposed fix that failed in the case fails again; the
run stops at the first fix that would be proposed, or at the escalation.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from cases.model import Case
from cases.sla import ServiceLevels
from engine.compile import CompiledKnowledge
from engine.facts import FactSet
from engine.session import Ask, Conclude, Done, Escalate, ProposeFix, Record, Session
from rules.errors import LinewiseError

MAX_STEPS = 200


@dataclass(frozen=True)
class Rerun:
    outcome: str  # 'fault X', 'escalate to Line N (kind)', 'unresolved at Line 4 (kind)'
    kind: str  # fault | escalate | unresolved | open
    questions: int  # asked on the line
    unanswered: int  # of which the case had no answer


@dataclass(frozen=True)
class CaseAnswers:
    """What a case knows, as plain data: intake, answers by line, fixes that failed."""

    case_id: str
    line: int  # the line to re-run
    intake: dict[str, Any]
    earlier: dict[str, Any]  # answers given on lower lines (known on arrival)
    answers: dict[str, Any]  # answers given on this line
    failed: tuple[str, ...] = ()
    packs: tuple[tuple[str, str], ...] = ()  # the pack versions the line's session used


def case_answers(case: Case, line: int = 1) -> CaseAnswers | None:
    """The answers of a stored case for re-running `line`; None if it never reached it."""
    sessions = [s for s in case.sessions() if s.line == line]
    if not sessions:
        return None
    earlier: dict[str, Any] = {}
    here: dict[str, Any] = {}
    failed: list[str] = []
    for event in case.events:
        if event.kind in ("answer", "unknown") and event.question:
            value = "unknown" if event.kind == "unknown" else event.value
            (here if event.line == line else earlier)[event.question] = value
        elif event.kind == "back" and event.question:
            (here if event.line == line else earlier).pop(event.question, None)
        elif event.kind == "fix_failed" and event.fault and event.line == line:
            failed.append(event.fault)
    earlier = {q: v for q, v in earlier.items() if q not in here}
    packs = tuple(sorted(sessions[0].packs.items()))
    return CaseAnswers(case.id, line, dict(case.intake), earlier, here, tuple(failed), packs)


def _facts(
    compiled: CompiledKnowledge, intake: Mapping[str, Any], earlier: Mapping[str, Any], at: str
) -> FactSet:
    facts = FactSet()
    kb = compiled.kb
    for name, raw in intake.items():
        if raw in (None, ""):
            continue
        try:
            facts.intake(kb, name, raw, at=at)
        except LinewiseError:
            continue  # a complaint another version does not declare: the case starts without it
    for question, raw in earlier.items():
        if question in kb.questions:
            facts.answer(kb, question, raw, by="earlier line", at=at)
    return facts


def rerun(
    compiled: CompiledKnowledge,
    line: int,
    intake: Mapping[str, Any],
    answers: Mapping[str, Any],
    *,
    earlier: Mapping[str, Any] | None = None,
    failed: Collection[str] = (),
    levels: ServiceLevels | None = None,
) -> Rerun:
    """Run the guided session on `line` answering from `answers`; where it ends."""
    at = "2000-01-01T00:00:00+00:00"  # fixed: re-runs are compared, never stored
    record = Record(_facts(compiled, intake, earlier or {}, at))
    budget = levels.budget(intake.get("service_form"), line) if levels is not None else None
    session = Session(compiled, record, line=line, budget=budget)
    asked = unanswered = 0
    for _ in range(MAX_STEPS):
        step = session.step()
        if isinstance(step, Ask):
            qid = step.question.id
            raw = answers.get(qid, "unknown")
            unanswered += qid not in answers
            asked += 1
            try:
                session.answer(qid, raw, at=at)
            except LinewiseError:  # an answer the new version's question no longer takes
                session.answer(qid, "unknown", at=at)
        elif isinstance(step, ProposeFix):
            if step.fault.id in failed:
                session.fix_result(step.fault.id, False, at=at)
                continue
            return Rerun(f"fault {step.fault.id}", "fault", asked, unanswered)
        elif isinstance(step, Conclude):
            return Rerun(f"fault {step.fault.id}", "fault", asked, unanswered)
        elif isinstance(step, Escalate):
            esc = step.escalation
            if step.final:
                return Rerun(f"unresolved at Line 4 ({esc.kind})", "unresolved", asked, unanswered)
            return Rerun(
                f"escalate to Line {esc.to_line} ({esc.kind})", "escalate", asked, unanswered
            )
        elif isinstance(step, Done):
            break
    return Rerun("open", "open", asked, unanswered)
