"""The result of a diagnosis, as data (pydantic) first; text renderings live in the CLI."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

EscalationKind = Literal[
    "rule",  # a rule requires it
    "needs_line",  # the firm fault needs a higher line's skills or access
    "no_rule",  # no rule applies and none can any more
    "below_threshold",  # the best fault stays below the threshold
    "question_budget",  # too many questions asked
    "sla_spent",  # the SLA time budget for the form of service is spent
    "fix_failed",  # every proposed fix failed
    "agent",  # the agent escalated by hand
    "self_service",  # the customer could not resolve it in self-service: an agent takes it
]
OutcomeKind = Literal["fault", "escalate", "incomplete", "unresolved"]
FiringStatus = Literal["applied", "shadowed", "fallback_skipped"]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Match(_Data):
    key: str
    value: Any


class Firing(_Data):
    """One rule that fired, with the facts it matched and what it did."""

    rule: str  # 'pack/rule'
    priority: int
    matched: list[Match]
    effects: list[str]
    status: FiringStatus
    shadowed_by: str | None = None


class FaultScore(_Data):
    id: str
    title: str
    pack: str
    certainty: float
    firm: bool
    line: int
    prior: float
    fix: list[str]
    rules: list[str]
    kind: str = "fault"  # fault | information | no_fault | alternatives (rules.schema_fault)
    confirm: str = "required"  # whether 'Did the fix work?' is asked: required | optional | none
    description: str | None = None
    advice: str | None = None  # shown at every line that reaches it


class Escalation(_Data):
    to_line: int
    kind: EscalationKind
    reason: str
    rule: str | None = None
    fallback: bool = False


class Outcome(_Data):
    kind: OutcomeKind
    fault: str | None = None
    escalation: Escalation | None = None
    open_questions: list[str] = []


class Diagnosis(_Data):
    """Everything a diagnosis concluded, and why."""

    line: int
    packs: dict[str, str]
    threshold: float
    lang: str
    facts: list[dict[str, Any]]
    faults: list[FaultScore]
    ruled_out: list[str] = []
    escalations: list[Escalation]
    outcome: Outcome
    trace: list[Firing]

    def fault(self, fault_id: str) -> FaultScore | None:
        return next((f for f in self.faults if f.id == fault_id), None)

    @property
    def top(self) -> FaultScore | None:
        return self.faults[0] if self.faults else None
