"""The case (ticket) as data: intake, then every event of every session, each timestamped.

A case is an append-only list of events; its status, its current line, its
sessions and the pack versions each session used are all read from them. That is
what makes a case resumable after a crash: replaying the events rebuilds the
session (cases.desk), and nothing else needs saving.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rules.errors import InvalidInput
from rules.numbers import is_digits
from rules.schema_base import Scalar

EventKind = Literal[
    "opened",  # data.intake
    "session_started",  # a line takes the case; data.packs: pack id -> version
    "answer",  # question, value (canonical), cost
    "unknown",  # the customer cannot tell
    "back",  # the last answer on this line is taken back (question)
    "fix_proposed",  # fault, data.certainty
    "fix_worked",  # fault: the case is resolved
    "fix_failed",  # fault, reason: ruled out
    "escalated",  # reason, data.handoff (to_line, kind, ...)
    "unresolved",  # Line 4 could not resolve it; data.handoff
    "quit",  # the agent left (saved; resumable); reason
    "resumed",  # an agent picked the case up again; data.packs_changed when allowed
    "waiting",  # the case waits on someone outside (data.on: 'vendor'); the SLA clock pauses
    "waiting_over",  # the wait ended (the vendor answered); the SLA clock runs again
]
CaseStatus = Literal["open", "abandoned", "escalated", "resolved", "unresolved"]


class CaseMovedOn(InvalidInput):
    """A change made on a case that another change (a tab, a worker) has moved on since:
    nothing was stored."""


class Event(BaseModel):
    """One thing that happened to a case, when it happened, on which line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = 0  # position in the case, given by the store
    at: str
    line: int = Field(ge=1, le=4)
    kind: EventKind
    question: str | None = None
    value: Scalar | None = None
    cost: float | None = None
    fault: str | None = None
    reason: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    agent: str | None = None  # who did it (user name; $USER in the terminal)
    channel: str | None = None  # where: terminal, web, api, simulation, import


class CaseSummary(BaseModel):
    """One row of `linewise case list`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    opened_at: str
    updated_at: str
    status: CaseStatus
    line: int
    complaint: str | None = None
    customer: str | None = None
    service_form: str | None = None
    agent: str | None = None
    simulated: bool = False


class SessionView(BaseModel):
    """The events of one line's session, for transcripts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    line: int
    started_at: str
    packs: dict[str, str]
    status: CaseStatus
    events: list[Event]


class Case(BaseModel):
    """A case with its whole history."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    opened_at: str
    intake: dict[str, Any]
    events: list[Event]
    simulated: bool = False

    @property
    def status(self) -> CaseStatus:
        return status_after(self.events)

    @property
    def line(self) -> int:
        return line_after(self.events)

    def sessions(self) -> list[SessionView]:
        out: list[SessionView] = []
        current: list[Event] = []
        for event in self.events:
            if event.kind == "session_started":
                if current and current[0].kind == "session_started":
                    out.append(_view(current))
                current = [event]
            elif current:
                current.append(event)
        if current and current[0].kind == "session_started":
            out.append(_view(current))
        return out

    def current_session(self) -> SessionView | None:
        views = self.sessions()
        return views[-1] if views else None

    def outcome(self) -> dict[str, Any]:
        """How the case ended (or where it stands)."""
        status = self.status
        last = next(
            (
                e
                for e in reversed(self.events)
                if e.kind in ("fix_worked", "escalated", "unresolved")
            ),
            None,
        )
        out: dict[str, Any] = {"status": status, "line": self.line}
        if last is not None and last.kind == "fix_worked":
            out["fault"] = last.fault
        elif last is not None:
            handoff = last.data.get("handoff", {})
            out["escalation"] = handoff.get("escalation")
            out["fault"] = last.fault
        return out

    def summary(self) -> CaseSummary:
        updated = self.events[-1].at if self.events else self.opened_at
        return CaseSummary(
            id=self.id,
            opened_at=self.opened_at,
            updated_at=updated,
            status=self.status,
            line=self.line,
            complaint=_text(self.intake.get("complaint")),
            customer=_text(self.intake.get("customer")),
            service_form=_text(self.intake.get("service_form")),
            agent=next((e.agent for e in reversed(self.events) if e.agent), None),
            simulated=self.simulated,
        )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _view(events: list[Event]) -> SessionView:
    first = events[0]
    return SessionView(
        line=first.line,
        started_at=first.at,
        packs=dict(first.data.get("packs", {})),
        status=status_after(events),
        events=events,
    )


def status_after(events: list[Event]) -> CaseStatus:
    status: CaseStatus = "open"
    for event in events:
        if event.kind in ("opened", "session_started", "resumed"):
            status = "open"
        elif event.kind == "quit":
            status = "abandoned"
        elif event.kind == "escalated":
            status = "escalated"
        elif event.kind == "fix_worked":
            status = "resolved"
        elif event.kind == "unresolved":
            status = "unresolved"
    return status


def line_after(events: list[Event]) -> int:
    line = 1
    for event in events:
        if event.kind == "escalated":
            line = int(event.data.get("handoff", {}).get("to_line", event.line + 1))
        elif event.kind == "session_started":
            line = event.line
    return line


def opening_event(
    intake: dict[str, Any], at: str, *, agent: str | None = None, channel: str | None = None
) -> Event:
    """A new case's first event: the intake as taken (every store opens a case with it)."""
    return Event(
        seq=1, at=at, line=1, kind="opened", data={"intake": intake}, agent=agent, channel=channel
    )


def case_id(num: int) -> str:
    return f"C-{num:06d}"


def normalise_id(text: str) -> str:
    """'7', 'c-7' and 'C-000007' all name case C-000007."""
    raw = text.strip().upper()
    digits = raw.removeprefix("C-").removeprefix("C")
    return case_id(int(digits)) if len(digits) <= 18 and is_digits(digits) else raw
