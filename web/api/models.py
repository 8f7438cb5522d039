"""Request and response bodies of the JSON API (they make its OpenAPI schema)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cases.model import CaseSummary, Event
from engine.handoff import Handoff
from present.views import Document
from web.views import StepView

NOTE_MAX = 4000


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Intake(_Body):
    """The intake of a new case; `complaint` is required, the rest as known."""

    complaint: str = Field(max_length=200)
    customer: str | None = Field(default=None, max_length=500)
    location: str | None = Field(default=None, max_length=500)
    equipment_type: str | None = Field(default=None, max_length=200)
    equipment_model: str | None = Field(default=None, max_length=200)
    equipment_serial: str | None = Field(default=None, max_length=200)
    service_form: str | None = Field(default=None, max_length=50)
    channel: str | None = Field(default=None, max_length=50)


class OpenCase(_Body):
    intake: Intake
    line: int | None = Field(default=None, ge=1, le=4, description="default: the agent's line")


class StepBody(_Body):
    step: int = Field(description="the `step` of the view being answered (stale: 409)")


class AnswerBody(StepBody):
    question: str = Field(max_length=200, description="the question being answered")
    value: bool | int | float | str = Field(description="the answer; 'unknown' if unknown")


class UnknownBody(StepBody):
    question: str = Field(max_length=200)


class FixBody(StepBody):
    fault: str = Field(max_length=200)
    worked: bool | None = Field(
        description="true: resolved; false: the fault is ruled out; null: it cannot be "
        "confirmed now (only when the fix's confirmation is optional: the case closes at "
        "the conclusion, unconfirmed)"
    )
    note: str = Field(default="", max_length=NOTE_MAX)


class EscalateBody(StepBody):
    note: str = Field(default="", max_length=NOTE_MAX, description="the agent's own words")


class ResumeBody(_Body):
    allow_pack_change: bool = False
    line: int | None = Field(
        default=None,
        ge=1,
        le=4,
        description="Take the case up at this (higher) line: a Line 2-4 specialist opens "
        "a case at their line; every fact comes along. Default: the case's own line.",
    )


class EscalatedView(_Body):
    view: StepView
    handoff: Handoff


class CaseRow(_Body):
    summary: CaseSummary
    service_form: str | None
    channel: str | None
    agents: list[str]


class Transcript(_Body):
    id: str
    status: str
    line: int
    opened_at: str
    intake: dict[str, Any]
    outcome: dict[str, Any]
    events: list[Event]


class Complaint(_Body):
    id: str
    title: str
    line: int


class Me(_Body):
    name: str
    role: str
    title: str
    lines: list[int]


class Explanation(_Body):
    """WHY / HOW / WHY NOT: the engine's data, and the same in sentences with titles."""

    data: Any
    view: Document
