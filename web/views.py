"""The web's envelope around the presentation layer: where a case stands, with the
step number every change must carry, and what `present` says people read.

Texts (questions, options, fixes, explanations, handoffs) come from `present`, the one
presentation layer the terminal uses too; this module only adds what the web needs: the
case's state and step number, the engine's data beside the words (data first), and the
customer's phrasing of a question in the self-service portal.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from engine.handoff import Handoff
from engine.session import Ask, Conclude, Done, Escalate, ProposeFix, Step
from present.handoff import handoff_document
from present.question import ask_view, conclusion_view, done_message, fix_view
from present.views import ConclusionView, Document, FixView, QuestionView
from rules.knowledge import KnowledgeBase

Audience = Literal["agent", "customer"]
StepKind = Literal["ask", "fix", "conclude", "escalate", "done", "handoff", "paused"]


class EscalationView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_line: int
    kind: str
    reason: str
    final: bool
    fault: str | None = None
    advice: str | None = None  # the reached fault's advice: tell the customer before escalating


class StepView(BaseModel):
    """Where a case stands and what happens next; `step` must come back with any change."""

    model_config = ConfigDict(extra="forbid")

    case: str
    line: int
    status: str
    step: int  # the case's last event number: a change sent for an older step gets 409
    kind: StepKind
    question: QuestionView | None = None
    fix: FixView | None = None
    conclusion: ConclusionView | None = None  # an outcome shown without 'Did the fix work?'
    said: list[str] = []  # what rules said since the last answer, shown above the step
    escalation: EscalationView | None = None
    handoff: Handoff | None = None  # the packet this line received (or waits to pick up)
    handoff_view: Document | None = None  # the same packet in sentences
    message: str = ""
    fault: str | None = None
    intake: dict[str, Any] = {}


def customer_question(step: Ask, line: int, lang: str) -> QuestionView:
    """The question as the portal puts it to a customer (`customer_text` when the pack
    gives one, else the agent's text)."""
    view = ask_view(step, line, lang)
    phrased = step.question.customer_text
    return view.model_copy(update={"text": phrased.get(lang)}) if phrased is not None else view


def step_view(
    step: Step,
    *,
    case: str,
    line: int,
    status: str,
    seq: int,
    kb: KnowledgeBase,
    lang: str,
    audience: Audience = "agent",
    handoff: Handoff | None = None,
    intake: dict[str, Any] | None = None,
    said: list[str] | None = None,
    everything: bool = False,
) -> StepView:
    """The view of a live session's next step."""
    base: dict[str, Any] = {
        "said": said or [],
        "case": case,
        "line": line,
        "status": status,
        "step": seq,
        "handoff": handoff,
        "handoff_view": handoff_document(handoff, kb, lang, everything=everything)
        if handoff is not None
        else None,
        "intake": intake or {},
    }
    if isinstance(step, Ask):
        question = (
            customer_question(step, line, lang)
            if audience == "customer"
            else ask_view(step, line, lang)
        )
        return StepView(kind="ask", question=question, **base)
    if isinstance(step, ProposeFix):
        return StepView(kind="fix", fix=fix_view(step, lang), fault=step.fault.id, **base)
    if isinstance(step, Conclude):
        view = conclusion_view(kb, step.fault.id, lang)
        return StepView(kind="conclude", conclusion=view, fault=step.fault.id, **base)
    if isinstance(step, Escalate):
        esc = step.escalation
        esc_view = EscalationView(
            to_line=esc.to_line,
            kind=esc.kind,
            reason=esc.reason,
            final=step.final,
            fault=step.fault,
            advice=step.advice,
        )
        return StepView(kind="escalate", escalation=esc_view, fault=step.fault, **base)
    assert isinstance(step, Done)
    message = done_message(case, step, kb, lang)
    return StepView(
        kind="done", fault=step.fault, message=message, **{**base, "status": step.status}
    )
