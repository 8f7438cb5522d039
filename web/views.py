"""What the API returns and the pages show for a step: pydantic models built from the engine.

Data first: every page and every JSON response is built from these models, so the
console, the portal and API clients read the same thing. Questions may be phrased for
the customer (`customer_text`, falling back to the agent text).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from engine.handoff import Handoff
from engine.session import Ask, Done, Escalate, ProposeFix, Step
from rules.knowledge import KnowledgeBase
from rules.schema import Question

Audience = Literal["agent", "customer"]
StepKind = Literal["ask", "fix", "escalate", "done", "handoff", "paused"]


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OptionView(_View):
    value: str
    text: str


class QuestionView(_View):
    id: str
    number: int
    text: str
    help: str | None = None
    type: str
    options: list[OptionView] = []
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    cost: float
    agent_only: bool = False


class FixView(_View):
    fault: str
    title: str
    certainty: float
    steps: list[str]


class EscalationView(_View):
    to_line: int
    kind: str
    reason: str
    final: bool
    fault: str | None = None


class StepView(_View):
    """Where a case stands and what happens next; `step` must come back with any answer."""

    case: str
    line: int
    status: str
    step: int  # the case's last event number: an answer to an older step is refused (409)
    kind: StepKind
    question: QuestionView | None = None
    fix: FixView | None = None
    escalation: EscalationView | None = None
    handoff: Handoff | None = None  # the packet this line received (or waits to pick up)
    fault: str | None = None
    intake: dict[str, Any] = {}


def question_view(step: Ask, lang: str, audience: Audience) -> QuestionView:
    question: Question = step.question
    text = question.text.get(lang)
    if audience == "customer" and question.customer_text is not None:
        text = question.customer_text.get(lang)
    return QuestionView(
        id=question.id,
        number=step.number,
        text=text,
        help=question.help.get(lang) if question.help else None,
        type=question.type,
        options=[OptionView(value=o.value, text=o.text.get(lang)) for o in question.options or []],
        unit=question.unit,
        min=question.min,
        max=question.max,
        cost=question.cost,
        agent_only=question.agent_only,
    )


def step_view(
    step: Step,
    *,
    case: str,
    line: int,
    status: str,
    seq: int,
    lang: str,
    audience: Audience = "agent",
    handoff: Handoff | None = None,
    intake: dict[str, Any] | None = None,
) -> StepView:
    """The view of a live session's next step."""
    base: dict[str, Any] = {
        "case": case,
        "line": line,
        "status": status,
        "step": seq,
        "handoff": handoff,
        "intake": intake or {},
    }
    if isinstance(step, Ask):
        return StepView(kind="ask", question=question_view(step, lang, audience), **base)
    if isinstance(step, ProposeFix):
        fault = step.fault
        fix = FixView(
            fault=fault.id, title=fault.title, certainty=fault.certainty, steps=list(fault.fix)
        )
        return StepView(kind="fix", fix=fix, fault=fault.id, **base)
    if isinstance(step, Escalate):
        esc = step.escalation
        view = EscalationView(
            to_line=esc.to_line,
            kind=esc.kind,
            reason=esc.reason,
            final=step.final,
            fault=step.fault,
        )
        return StepView(kind="escalate", escalation=view, fault=step.fault, **base)
    assert isinstance(step, Done)
    return StepView(kind="done", fault=step.fault, **{**base, "status": step.status})


class Titles:
    """Titles for ids (questions, faults, complaints, answers) so pages show words."""

    def __init__(self, kb: KnowledgeBase, lang: str) -> None:
        self.kb = kb
        self.lang = lang

    def question(self, qid: str, audience: Audience = "agent") -> str:
        question = self.kb.questions.get(qid)
        if question is None:
            return qid
        if audience == "customer" and question.customer_text is not None:
            return question.customer_text.get(self.lang)
        return question.text.get(self.lang)

    def fault(self, fid: str | None) -> str:
        fault = self.kb.faults.get(fid or "")
        return fault.title.get(self.lang) if fault is not None else str(fid or "")

    def complaint(self, sid: str | None) -> str:
        symptom = self.kb.symptoms.get(sid or "")
        return symptom.title.get(self.lang) if symptom is not None else str(sid or "")

    def answer(self, qid: str, value: Any) -> str:
        """An answer in words: yes/no, an option's text, a number with its unit."""
        if value is None or value == "unknown":
            return "unknown (cannot tell)"
        question = self.kb.questions.get(qid)
        if isinstance(value, bool) or value in ("yes", "no"):
            return "yes" if value in (True, "yes") else "no"
        if question is not None and question.options:
            for option in question.options:
                if option.value == value:
                    return option.text.get(self.lang)
        if question is not None and question.unit:
            return f"{value} {question.unit}"
        return str(value)
