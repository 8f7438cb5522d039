"""The guided session: a pure state machine over what a case knows, for one support line.

A `Record` is what a case carries from line to line: every fact with its provenance,
the faults ruled out (with the reason), and every question asked. A `Session` runs one
line's knowledge over a record: `step()` says what happens next (ask a question, propose
a fix, show a conclusion, escalate, or done), and `answer` / `back` / `fix_result` /
`conclude` / `escalated` change the state. There is no I/O here: the caller stores each
change as an event (cases.desk) and does the talking (cli.guided), so the same machine
serves a terminal, a test or an API.
A caller that must store a change before making it (so that memory never runs ahead of
the store) asks first what the change would be: `check_answer`, `last_answer`,
`fix_failed_reason`; none of these changes the state.

Ending: a firm fault this line can fix -> propose its fix; it worked -> resolved; it did
not -> the fault is ruled out and the diagnosis goes on (or, when the fault says
`when_failed: escalate`, the case goes up at once). A conclusion that is not confirmed
(`confirm: none`, outcomes without a fix, an optional confirmation left open) ends the
session resolved but unconfirmed. Escalation (with a recorded
reason) when a rule requires it, the firm fault needs a higher line, no useful question
is left (or none is worth its cost against escalating), the question budget or the
time budget of the line is spent. At Line 4 an escalation is the end: unresolved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from engine.compile import CompiledKnowledge
from engine.diagnose import DEFAULT_THRESHOLD, diagnose
from engine.escalation import (
    TOP_LINE,
    after_failed_fixes,
    decide,
    escalating_failure,
    escalation,
)
from engine.excluded import excluded_by_derived
from engine.explain import how, why_not
from engine.facts import FactSet, now
from engine.logic import UNKNOWN, FactValue
from engine.record import Asked, NothingToUndo, Record
from engine.repeat import due_repeat
from engine.result import Diagnosis, Escalation
from engine.say import Message, due
from engine.select import Choice, next_question
from engine.steps import Ask, Conclude, Done, Escalate, ProposeFix, SessionStatus, Step
from rules.errors import InvalidInput

__all__ = [
    "Ask",
    "Asked",
    "Budget",
    "Conclude",
    "Done",
    "Escalate",
    "Message",
    "NothingToUndo",
    "Policy",
    "ProposeFix",
    "Record",
    "Session",
    "SessionStatus",
    "Step",
    "reached_advice",
]


class Policy(Protocol):
    """How the next question is chosen (engine.select.next_question or a baseline)."""

    def __call__(
        self,
        compiled: CompiledKnowledge,
        known: Mapping[str, FactValue],
        *,
        ruled_out: Iterable[str] = (),
        threshold: float = DEFAULT_THRESHOLD,
        escalation_cost: float | None = None,
    ) -> Choice | None: ...


@dataclass(frozen=True)
class Budget:
    """What one line may spend on a case before it escalates (None: no limit)."""

    questions: int | None = None
    minutes: float | None = None  # the pack's minutes (question costs) asked on this line
    escalation_cost: float | None = None  # minutes escalating costs; None at the top line


class Session:
    """One line's guided diagnosis over a case record."""

    def __init__(
        self,
        compiled: CompiledKnowledge,
        record: Record,
        *,
        line: int,
        budget: Budget | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        lang: str = "en",
        policy: Policy | Callable[..., Choice | None] = next_question,
        agent: str = "",
    ) -> None:
        self.compiled = compiled
        self.record = record
        self.line = line
        self.budget = budget or Budget()
        self.threshold = threshold
        self.lang = lang
        self.policy = policy
        self.agent = agent or f"Line {line} agent"
        self.status: SessionStatus = "open"
        self.fault: str | None = None
        self.confirmed = True
        self.ruled_here: list[str] = []
        self._cache: tuple[tuple[Any, ...], Diagnosis] | None = None

    # ---- reading the state -----------------------------------------------------------------

    def diagnosis(self) -> Diagnosis:
        """The diagnosis for exactly the facts known now (cached until they change)."""
        key = (
            tuple(self.record.facts.canonical()),
            tuple(sorted(self.record.ruled_out)),
        )
        if self._cache is None or self._cache[0] != key:
            result = diagnose(
                self.compiled,
                self.record.facts,
                line=self.line,
                threshold=self.threshold,
                lang=self.lang,
                ruled_out=self.record.ruled_out,
            )
            self._cache = (key, result)
        return self._cache[1]

    def known(self, diagnosis: Diagnosis | None = None) -> dict[str, FactValue]:
        """Every known fact by key, derived facts included."""
        diag = diagnosis or self.diagnosis()
        out: dict[str, FactValue] = {}
        for fact in diag.facts:
            stored = self.record.facts.get(fact["key"])
            out[fact["key"]] = stored.value if stored is not None else fact["value"]
        return out

    def asked_here(self) -> list[Asked]:
        return [a for a in self.record.asked if a.line == self.line]

    def choose(self, diagnosis: Diagnosis | None = None) -> Choice | None:
        return self.policy(
            self.compiled,
            self.known(diagnosis),
            ruled_out=self.record.ruled_out,
            threshold=self.threshold,
            escalation_cost=self.budget.escalation_cost if self.line < TOP_LINE else None,
        )

    def step(self) -> Step:
        """What happens next, from the state alone (with what rules say that is not yet
        said: the caller shows it before the step and records it with `said`)."""
        if self.status != "open":
            return Done(self.status, self.fault, self.confirmed)
        diag = self.diagnosis()
        step = self._next(diag)
        fresh = due(self.compiled, diag, self.known(diag), self.record.said)
        return replace(step, messages=tuple(fresh)) if fresh else step

    def _next(self, diag: Diagnosis) -> Ask | ProposeFix | Conclude | Escalate:
        again = due_repeat(self.compiled, diag, self.record.times)
        if again is not None:  # a loop comes first: its last answer is the one that counts
            question = self.compiled.kb.questions[again[0]]
            return Ask(question, None, diag, len(self.asked_here()) + 1, repeated_by=again[1])
        failed = self._failed_and_escalates()
        if failed is not None:
            return self._escalate(escalation("fix_failed", self.line, self.lang), failed, diag)
        outcome = diag.outcome
        if outcome.kind == "fault" and outcome.fault is not None:
            score = diag.fault(outcome.fault)
            if score is not None and score.confirm == "none":
                return Conclude(score, diag)
            if score is not None:
                return ProposeFix(score, diag, optional=score.confirm == "optional")
        if outcome.kind in ("escalate", "unresolved") and outcome.escalation is not None:
            return self._escalate(outcome.escalation, outcome.fault, diag)
        spent = self._spent()
        if spent is not None:
            top = diag.top.id if diag.top and diag.top.certainty > 0 else None
            return self._escalate(escalation(spent, self.line, self.lang), top, diag)
        choice = self.choose(diag)
        if choice is not None and choice.worthwhile:
            question = self.compiled.kb.questions[choice.question]
            return Ask(question, choice, diag, len(self.asked_here()) + 1)
        # rule escalations to this line or below (a required lower-line pack's) are done
        upward = [e for e in diag.escalations if e.to_line > self.line]
        final = decide(self.line, diag.faults, upward, [], self.lang)
        esc = final.escalation or escalation("no_rule", self.line, self.lang)
        if choice is not None and esc.kind in ("below_threshold", "no_rule"):
            esc = esc.model_copy(
                update={
                    "reason": esc.reason
                    + f" The questions left are not worth their cost against escalating "
                    f"(best score {choice.score:.3f}/min, escalation "
                    f"{choice.escalation_rate:.3f}/min)."
                }
            )
        return self._escalate(esc, final.fault, diag)

    def _failed_and_escalates(self) -> str | None:
        """A fault ruled out here whose failed fix means escalating at once (when_failed)."""
        return escalating_failure(self.compiled.kb.faults, self.ruled_here)

    def _spent(self) -> Literal["question_budget", "sla_spent"] | None:
        if self.budget.questions is not None and len(self.asked_here()) >= self.budget.questions:
            return "question_budget"
        if (
            self.budget.minutes is not None
            and self.record.minutes(self.line) >= self.budget.minutes
        ):
            return "sla_spent"
        return None

    def _escalate(self, esc: Escalation, fault: str | None, diag: Diagnosis) -> Escalate:
        if self.ruled_here:
            esc = after_failed_fixes(esc, self.lang)
        final = self.line >= TOP_LINE or esc.to_line > TOP_LINE
        return Escalate(esc, fault, diag, final=final, advice=reached_advice(diag, fault))

    # ---- explanations (data) ---------------------------------------------------------------

    def why(self) -> dict[str, Any] | None:
        """WHY the current question: what it decides between and why it comes now (a
        question asked again: the rule whose loop asks it, and how many answers it had)."""
        step = self.step()
        if isinstance(step, Ask) and step.repeated_by is not None:
            question = step.question.id
            return {
                "question": question,
                "reason": "repeat",
                "rule": step.repeated_by,
                "answers": self.record.times.get(question, 0),
            }
        choice = self.choose()
        if choice is None:
            return None
        data = choice.as_dict()
        still = {h.id for h in choice.hypotheses}
        data["excluded"] = excluded_by_derived(self.compiled, self.diagnosis(), still)
        weights = self.compiled.weights
        if weights is not None:  # likelihoods a published learned overlay gave (from history)
            known = self.known()
            found = {h.id: weights.why(h.id, known) for h in choice.hypotheses}
            data["history"] = {h: {"cases": e.cases, "of": e.of} for h, e in found.items() if e}
        return data

    def how(self) -> dict[str, Any]:
        """HOW: the reasoning so far (facts, rules that fired, the leading hypothesis)."""
        diag = self.diagnosis()
        top = diag.top.id if diag.top is not None else None
        return {
            "facts": diag.facts,
            "fired": [f.model_dump() for f in diag.trace],
            "hypotheses": [f.model_dump() for f in diag.faults],
            "ruled_out": dict(sorted(self.record.ruled_out.items())),
            "how": how(diag, top),
        }

    def why_not(self, fault_id: str) -> dict[str, Any]:
        """WHY NOT a fault (an unknown fault is an UnknownIdError with did-you-mean)."""
        data = why_not(self.compiled, self.diagnosis(), fault_id)
        if fault_id in self.record.ruled_out:
            data["summary"] = f"ruled out: {self.record.ruled_out[fault_id]}"
        return data

    # ---- changing the state ------------------------------------------------------------------

    def answer(self, question_id: str, raw: Any, *, at: str = "") -> Asked:
        """Validate and record an answer ('unknown': the customer cannot tell)."""
        asked = self.check_answer(question_id, raw, at=at)
        self.record.add_answer(asked, by=self.agent)
        return asked

    def check_answer(self, question_id: str, raw: Any, *, at: str = "") -> Asked:
        """The answer as it would be recorded (validated), without recording it."""
        self.require_open()
        scratch = FactSet()
        fact = scratch.answer(self.compiled.kb, question_id, raw, by=self.agent, at=at or now())
        return Asked(
            question_id,
            fact.value,
            self.line,
            fact.at,
            float(self.compiled.kb.questions[question_id].cost),
        )

    def record_answer(self, asked: Asked) -> None:
        """Record an answer made by `check_answer` (once the caller has stored it)."""
        self.require_open()
        self.record.add_answer(asked, by=self.agent)

    def unknown(self, question_id: str, *, at: str = "") -> Asked:
        return self.answer(question_id, "unknown", at=at)

    def back(self) -> Asked:
        """Undo the last answer on this line."""
        self.require_open()
        return self.record.undo(self.line)

    def last_answer(self) -> Asked:
        """What `back` would undo (NothingToUndo when there is nothing)."""
        self.require_open()
        return self.record.last(self.line)

    def fix_failed_reason(self, at: str) -> str:
        """The reason recorded for a fault whose fix did not work."""
        return f"its fix did not work (Line {self.line}, {at})"

    def fix_result(self, fault_id: str, worked: bool, *, at: str = "") -> None:
        """The agent's confirmation: resolved, or the fault is ruled out and we go on."""
        self.require_open()
        if worked:
            self.status = "resolved"
            self.fault = fault_id
            self.record.fix_outcome(self.compiled.kb, fault_id, "worked", by=self.agent, at=at)
            return
        at = at or now()
        self.record.rule_out(fault_id, self.fix_failed_reason(at))
        self.ruled_here.append(fault_id)
        self.record.fix_outcome(self.compiled.kb, fault_id, "failed", by=self.agent, at=at)

    def said(self, messages: Iterable[Message]) -> None:
        """The messages have been shown: they are not due again in this case."""
        self.record.said.update(m.key for m in messages)

    def conclude(self, fault_id: str) -> None:
        """End at a conclusion nobody confirms (an outcome without a fix, a fault whose
        confirmation is none, or optional and not given): resolved, unconfirmed."""
        self.require_open()
        self.status = "resolved"
        self.fault = fault_id
        self.confirmed = False

    def escalated(self, step: Escalate) -> None:
        self.status = "unresolved" if step.final else "escalated"
        self.fault = step.fault

    def require_open(self) -> None:
        """InvalidInput unless the session can still change."""
        if self.status != "open":
            raise InvalidInput(f"this Line {self.line} session is already {self.status}")


def reached_advice(diag: Diagnosis, fault_id: str | None) -> str | None:
    """The advice of a fault the diagnosis has reached (firm), whichever line owns it."""
    score = diag.fault(fault_id) if fault_id is not None else None
    return score.advice if score is not None and score.firm else None


def unknown_value(value: FactValue) -> bool:
    return value is UNKNOWN
