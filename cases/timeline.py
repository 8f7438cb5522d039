"""The timeline of one case, read from its events: what metrics and SLA attainment need.

For each line the case reached: when it arrived (opening, or the escalation to it),
when that line first responded (its session started), the questions asked there,
and how it left. For the case: escalations (from, to, kind, rule, fault), failed
fixes, when and where it was resolved, and the minutes spent waiting on a vendor,
which the SLA clock does not count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from cases.model import Case
from cases.sla import ServiceLevels

Attainment = Literal["met", "breached", "pending"]


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def hours(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds(), 0.0) / 3600


@dataclass
class Visit:
    """The case's stay on one line."""

    line: int
    arrived: datetime
    started: datetime | None = None
    questions: int = 0
    outcome: str = "open"  # resolved | escalated | unresolved | abandoned | open


@dataclass(frozen=True)
class Escalation:
    from_line: int
    to_line: int
    kind: str
    rule: str | None
    fault: str | None
    at: datetime


@dataclass
class Timeline:
    """Everything the report needs about one case."""

    case_id: str
    opened: datetime
    intake: dict[str, Any]
    status: str
    line: int
    end: datetime
    visits: list[Visit] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    failed_fixes: list[tuple[str, int]] = field(default_factory=list)  # (fault, line)
    proposed: list[str] = field(default_factory=list)
    resolved_at: datetime | None = None
    resolved_line: int | None = None
    fault: str | None = None  # the fault whose fix worked
    paused_hours: float = 0.0
    waiting_since: datetime | None = None

    @property
    def questions(self) -> int:
        return sum(v.questions for v in self.visits)

    @property
    def resolve_hours(self) -> float | None:
        """Hours from opening to resolution, vendor waits not counted."""
        if self.resolved_at is None:
            return None
        return max(hours(self.opened, self.resolved_at) - self.paused_hours, 0.0)

    def elapsed_hours(self, as_of: datetime) -> float:
        """SLA hours gone by `as_of` (vendor waits not counted)."""
        paused = self.paused_hours
        if self.waiting_since is not None and as_of > self.waiting_since:
            paused += hours(self.waiting_since, as_of)
        return max(hours(self.opened, as_of) - paused, 0.0)

    def reached(self, line: int) -> bool:
        return any(v.line == line for v in self.visits) or self.line == line

    def first_response(self, levels: ServiceLevels, as_of: datetime) -> list[Attainment]:
        """Per line the case arrived at: was the first response within its target?"""
        form = self.intake.get("service_form")
        out: list[Attainment] = []
        for visit in self.visits:
            target = levels.first_response(form, visit.line)
            if target is None:
                continue
            if visit.started is not None:
                met = hours(visit.arrived, visit.started) <= target
                out.append("met" if met else "breached")
            elif self.status not in ("abandoned",):
                out.append("breached" if hours(visit.arrived, as_of) > target else "pending")
        return out

    def resolution(self, levels: ServiceLevels, as_of: datetime) -> Attainment | None:
        """Was the case resolved within the target of the line it is (or was resolved) at?

        None for an abandoned case or a line without a target.
        """
        if self.status == "abandoned":
            return None
        form = self.intake.get("service_form")
        line = self.resolved_line if self.resolved_line is not None else self.line
        target = levels.resolution(form, min(line, 4))
        if target is None:
            return None
        if self.resolved_at is not None:
            return "met" if (self.resolve_hours or 0.0) <= target else "breached"
        if self.status == "unresolved":
            return "breached"
        return "breached" if self.elapsed_hours(as_of) > target else "pending"


def timeline(case: Case) -> Timeline:
    """Read a case's events into its timeline."""
    opened = parse_time(case.opened_at)
    events = case.events
    end = parse_time(events[-1].at) if events else opened
    out = Timeline(case.id, opened, dict(case.intake), case.status, case.line, end)
    visits: dict[int, Visit] = {1: Visit(1, opened)}
    current = visits[1]
    for event in events:
        at = parse_time(event.at)
        kind = event.kind
        if kind == "session_started":
            current = visits.setdefault(event.line, Visit(event.line, at))
            if current.started is None:
                current.started = at
        elif kind in ("answer", "unknown"):
            current.questions += 1
        elif kind == "back":
            current.questions = max(current.questions - 1, 0)
        elif kind == "fix_proposed" and event.fault:
            out.proposed.append(event.fault)
        elif kind == "fix_failed" and event.fault:
            out.failed_fixes.append((event.fault, event.line))
        elif kind in ("fix_worked", "concluded"):
            current.outcome = "resolved"
            out.resolved_at, out.resolved_line, out.fault = at, event.line, event.fault
        elif kind in ("escalated", "unresolved"):
            handoff = event.data.get("handoff", {})
            esc = handoff.get("escalation", {})
            to_line = int(handoff.get("to_line", event.line + 1))
            current.outcome = "escalated" if kind == "escalated" else "unresolved"
            out.escalations.append(
                Escalation(
                    event.line,
                    to_line,
                    str(esc.get("kind", "agent")),
                    esc.get("rule"),
                    event.fault,
                    at,
                )
            )
            if kind == "escalated":
                current = visits.setdefault(to_line, Visit(to_line, at))
        elif kind == "quit":
            current.outcome = "abandoned"
        elif kind == "waiting":
            out.waiting_since = at
        elif kind == "waiting_over" and out.waiting_since is not None:
            out.paused_hours += hours(out.waiting_since, at)
            out.waiting_since = None
    out.visits = [visits[line] for line in sorted(visits)]
    return out
