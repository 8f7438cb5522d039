"""The handoff packet: everything the next line needs, so that it never asks again.

Facts with their provenance, the faults ruled out with their reasons, the open
hypotheses with their scores, the questions asked and the time spent; for a
Line 4 case also the vendor and the SLA clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from engine.result import Escalation
from engine.session import Escalate, Session


class SlaClock(BaseModel):
    """The SLA clock a Line 4 case carries to the vendor."""

    model_config = ConfigDict(extra="forbid")

    service_form: str
    opened_at: str
    deadline: str
    resolve_hours: float
    elapsed_minutes: float


class Hypothesis(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fault: str
    title: str
    certainty: float
    line: int
    probability: float | None = None  # from the question policy, when questions were left


class Note(BaseModel):
    """What an agent wrote when escalating or when a fix did not work."""

    model_config = ConfigDict(extra="forbid")

    line: int
    at: str
    about: Literal["escalation", "fix_failed"]
    text: str
    fault: str | None = None


class Handoff(BaseModel):
    """The packet that goes with an escalation."""

    model_config = ConfigDict(extra="forbid")

    from_line: int
    to_line: int
    escalation: Escalation
    facts: list[dict[str, Any]]
    ruled_out: dict[str, str]
    hypotheses: list[Hypothesis]
    questions: list[dict[str, Any]]
    minutes_by_line: dict[str, float]
    elapsed_minutes: float
    vendor: str | None = None
    sla: SlaClock | None = None
    notes: list[Note] = []  # the agents' notes so far, oldest first
    # False: the receiving line has no pack for the complaint, so no guided session runs
    # there; its specialist works the case by hand from this packet (rules.scope)
    guided: bool = True
    advice: str | None = None  # the reached fault's advice, given to the customer on the way


def minutes_between(start: str, end: str) -> float:
    try:
        delta = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    except ValueError:
        return 0.0
    return round(max(delta.total_seconds(), 0.0) / 60, 1)


def vendor_for(session: Session, step: Escalate) -> str | None:
    """The vendor of the fault the case goes up with (or of the leading hypothesis)."""
    faults = session.compiled.kb.faults
    candidates = [step.fault] if step.fault else []
    candidates += [f.id for f in step.diagnosis.faults]
    for fault_id in candidates:
        fault = faults.get(fault_id) if fault_id else None
        if fault is not None and fault.vendor:
            return fault.vendor
    return None


def build_handoff(
    session: Session,
    step: Escalate,
    *,
    opened_at: str,
    at: str,
    sla: SlaClock | None = None,
    notes: list[Note] | None = None,
    guided: bool = True,
) -> Handoff:
    """The packet for this escalation (pure: every time comes in as an argument)."""
    diag = step.diagnosis
    choice = session.choose(diag) if not step.final else None
    probability = {h.id: h.probability for h in choice.hypotheses} if choice else {}
    hypotheses = [
        Hypothesis(
            fault=f.id,
            title=f.title,
            certainty=f.certainty,
            line=f.line,
            probability=round(probability[f.id], 4) if f.id in probability else None,
        )
        for f in diag.faults
        if f.id not in session.record.ruled_out
    ]
    seen = {h.fault for h in hypotheses}
    kb = session.compiled.kb
    for hyp in choice.hypotheses if choice else ():
        if hyp.kind == "fault" and hyp.id not in seen:
            fault = kb.faults[hyp.id]
            hypotheses.append(
                Hypothesis(
                    fault=hyp.id,
                    title=fault.title.get(session.lang),
                    certainty=0.0,
                    line=fault.line,
                    probability=round(hyp.probability, 4),
                )
            )
    by_line: dict[str, float] = {}
    for asked in session.record.asked:
        by_line[str(asked.line)] = by_line.get(str(asked.line), 0.0) + asked.cost
    to_line = step.escalation.to_line
    return Handoff(
        from_line=session.line,
        to_line=to_line,
        escalation=step.escalation,
        facts=diag.facts,
        ruled_out=dict(sorted(session.record.ruled_out.items())),
        hypotheses=hypotheses,
        questions=[a.as_dict() for a in session.record.asked],
        minutes_by_line=dict(sorted(by_line.items())),
        elapsed_minutes=minutes_between(opened_at, at),
        vendor=vendor_for(session, step) if to_line >= 4 else None,
        sla=sla if to_line >= 4 else None,
        notes=list(notes or ()),
        guided=guided,
        advice=step.advice,
    )
