"""A case's digest: what lists, queues and the report need, folded event by event.

The event log is the truth. The digest repeats, in the case's row, what `case list`,
the work queues and `report` aggregate on (status, line, the lines it reached and left,
when and where it was resolved, vendor waits, self-service, re-asks), so that an append
updates it from the previous digest and the new event alone (never re-reading the
case), and the report groups and counts in SQL. It follows cases.timeline and
cases.selfservice exactly: a test checks that the report from digests equals the one
from events.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cases.model import Event
from cases.selfservice import CUSTOMER
from cases.sla import ServiceLevels, load_service_levels
from cases.timeline import hours, parse_time

LINES = (1, 2, 3, 4)
_LEVELS: list[ServiceLevels] = []


def _levels() -> ServiceLevels:
    """The shipped service levels ($LINEWISE_SLA merged), read once per process."""
    if not _LEVELS:
        _LEVELS.append(load_service_levels())
    return _LEVELS[0]


class Visit(BaseModel):
    """The case's stay on one line: when it arrived and when that line first responded."""

    arrived: str
    started: str | None = None
    questions: int = 0


class Mark(BaseModel):
    """A many-per-case fact the report counts: an escalation's kind, a failed or proposed fix."""

    model_config = ConfigDict(frozen=True)

    kind: str  # escalation | failed | proposed
    line: int
    value: str


class Digest(BaseModel):
    """The folded state of one case (JSON in its row)."""

    opened_at: str
    status: str = "open"
    line: int = 1
    current: int = 1  # the line whose visit events count towards
    visits: dict[int, Visit] = Field(default_factory=dict)
    escalated_from: int = 0  # bit L-1: the case left Line L (escalated or unresolved)
    escalations: int = 0
    resolved_at: str | None = None
    resolved_line: int | None = None
    fault: str | None = None  # fixed
    escalated_fault: str | None = None  # the last escalation's fault
    paused_hours: float = 0.0
    waiting_since: str | None = None  # the report's clock (the latest 'waiting')
    waiting_on: str | None = None
    due_shift_s: float = 0.0  # vendor waits added to the SLA target (first 'waiting' on)
    due_waited_from: str | None = None
    worked: bool = False
    note: str | None = None
    asked: int = 0  # answers given, a taken-back one not counted
    agent: str | None = None
    opened_by: str | None = None
    updated_at: str = ""
    seen: int = 0  # events folded in
    closed_at: str | None = None
    session: int = 0
    answered: dict[str, int] = Field(default_factory=dict)
    re_asks: int = 0
    portal: bool | None = None  # decided by the first session
    handed: bool = False

    @classmethod
    def start(cls, opened_at: str) -> Digest:
        return cls(opened_at=opened_at, updated_at=opened_at, visits={1: Visit(arrived=opened_at)})

    @classmethod
    def of(cls, opened_at: str, events: list[Event]) -> Digest:
        out = cls.start(opened_at)
        for event in events:
            out.add(event)
        return out

    def add(self, event: Event) -> list[Mark]:
        """Fold one event in; returns the marks it adds."""
        kind = event.kind
        marks: list[Mark] = []
        self.updated_at = event.at
        if not self.seen:
            self.opened_by = event.agent
        self.seen += 1
        if event.agent:
            self.agent = event.agent
        if kind not in ("opened", "session_started", "quit", "resumed"):
            self.worked = True
        if kind in ("opened", "session_started", "resumed"):
            self.status = "open"
        if kind == "session_started":
            self._session(event)
        elif kind in ("answer", "unknown"):
            self.asked += 1
            self.visits[self.current].questions += 1
            self._answered(event.question)
        elif kind == "back":
            self.asked = max(0, self.asked - 1)
            visit = self.visits[self.current]
            visit.questions = max(visit.questions - 1, 0)
            if event.question is not None:
                self.answered.pop(event.question, None)
        elif kind == "fix_proposed" and event.fault:
            marks.append(Mark(kind="proposed", line=event.line, value=event.fault))
        elif kind == "fix_failed" and event.fault:
            marks.append(Mark(kind="failed", line=event.line, value=event.fault))
        elif kind in ("fix_worked", "concluded"):
            self.status = "resolved"
            self.resolved_at, self.resolved_line, self.fault = event.at, event.line, event.fault
        elif kind in ("escalated", "unresolved"):
            marks.append(self._escalation(event))
        elif kind == "quit":
            self.status = "abandoned"
        elif kind in ("waiting", "waiting_over"):
            self._wait(event)
        if kind in ("fix_worked", "concluded", "unresolved"):
            self.closed_at = event.at
        return marks

    def _session(self, event: Event) -> None:
        self.line = event.line
        self.current = event.line
        visit = self.visits.setdefault(event.line, Visit(arrived=event.at))
        if visit.started is None:
            visit.started = event.at
        self.session += 1
        if self.portal is None:
            self.portal = event.data.get("agent") == CUSTOMER

    def _answered(self, question: str | None) -> None:
        if question is None:
            return
        earlier = self.answered.get(question)
        if earlier is not None and earlier < self.session:
            self.re_asks += 1
        self.answered[question] = self.session

    def _escalation(self, event: Event) -> Mark:
        handoff = event.data.get("handoff", {})
        esc = handoff.get("escalation", {})
        to_line = int(handoff.get("to_line", event.line + 1))
        self.escalated_from |= 1 << (event.line - 1)
        self.escalations += 1
        if event.fault:
            self.escalated_fault = event.fault
        if event.kind == "escalated":
            self.status = "escalated"
            self.line = to_line
            self.current = to_line
            self.visits.setdefault(to_line, Visit(arrived=event.at))
            note = event.data.get("note")
            self.note = str(note) if note else None
            if esc.get("kind") == "self_service":
                self.handed = True
        else:
            self.status = "unresolved"
        return Mark(kind="escalation", line=event.line, value=str(esc.get("kind", "agent")))

    def _wait(self, event: Event) -> None:
        at = parse_time(event.at)
        if event.kind == "waiting":
            self.waiting_since = event.at
            self.waiting_on = str(event.data.get("on", "vendor"))
            if self.due_waited_from is None:
                self.due_waited_from = event.at
            return
        self.waiting_on = None
        if self.waiting_since is not None:
            self.paused_hours += hours(parse_time(self.waiting_since), at)
            self.waiting_since = None
        if self.due_waited_from is not None:
            self.due_shift_s += (at - parse_time(self.due_waited_from)).total_seconds()
            self.due_waited_from = None

    # ---- the row --------------------------------------------------------------------

    @property
    def resolve_hours(self) -> float | None:
        if self.resolved_at is None:
            return None
        opened = parse_time(self.opened_at)
        return max(hours(opened, parse_time(self.resolved_at)) - self.paused_hours, 0.0)

    def reached(self) -> int:
        mask = 1 << (self.line - 1) if self.line in LINES else 0
        for line in self.visits:
            mask |= 1 << (line - 1)
        return mask

    def sla_due(self, service_form: object) -> str | None:
        levels = _levels()
        target = levels.resolution(service_form, self.line)
        if target is None:
            target = levels.form(service_form)[1].resolve_hours
        try:
            due = datetime.fromisoformat(self.opened_at) + timedelta(hours=target)
        except ValueError:
            return None
        due += timedelta(seconds=self.due_shift_s)
        return due.isoformat(timespec="seconds")

    def dump(self) -> str:
        """The digest as kept in `case_digests`."""
        return self.model_dump_json(exclude_defaults=True)

    def columns(self, intake: dict[str, Any]) -> dict[str, Any]:
        """The case row's derived columns."""
        opened = _when(self.opened_at)
        end = _when(self.updated_at)
        visits: dict[str, Any] = {}
        for line in LINES:
            visit = self.visits.get(line)
            arrived = _when(visit.arrived) if visit else None
            started = _when(visit.started) if visit and visit.started else None
            visits[f"v{line}_arrived_s"] = arrived.timestamp() if arrived else None
            visits[f"v{line}_response_h"] = hours(arrived, started) if arrived and started else None
        form = intake.get("service_form")
        return {
            "updated_at": self.updated_at,
            "status": self.status,
            "line": self.line,
            "complaint": _text(intake.get("complaint")),
            "service_form": _text(form),
            "channel": _text(intake.get("channel")),
            "agent": self.agent,
            "opened_by": self.opened_by,
            "questions": self.asked,
            "closed_at": self.closed_at if self.status in ("resolved", "unresolved") else None,
            "sla_due": self.sla_due(form),
            "opened_day": self.opened_at[:10],
            "opened_week": _monday(opened.date()) if opened else None,
            "opened_s": opened.timestamp() if opened else None,
            "end_s": end.timestamp() if end else None,
            "reached": self.reached(),
            "escalated_from": self.escalated_from,
            "escalations": self.escalations,
            "resolved_line": self.resolved_line,
            "resolve_h": self.resolve_hours if opened else None,
            "fault": self.fault,
            "case_fault": self.fault or self.escalated_fault,
            "visit_questions": sum(v.questions for v in self.visits.values()),
            "paused_h": self.paused_hours,
            "waiting_since_s": _stamp(self.waiting_since),
            "waiting_on": self.waiting_on,
            "worked": self.worked,
            "note": self.note,
            "re_asks": self.re_asks,
            "portal": bool(self.portal),
            "handed": self.handed,
            **visits,
        }


def _when(text: str | None) -> datetime | None:
    """The time a stored text names, or None (a case imported without events has none)."""
    try:
        return parse_time(text) if text else None
    except ValueError:
        return None


def _stamp(text: str | None) -> float | None:
    when = _when(text)
    return when.timestamp() if when else None


def _monday(day: date) -> str:
    return (day - timedelta(days=day.weekday())).isoformat()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def load(text: str | None, opened_at: str) -> Digest:
    """A stored digest (or a fresh one for a case that has none)."""
    if not text:
        return Digest.start(opened_at)
    return Digest.model_validate(json.loads(text))


def fold(opened_at: str, events: list[Event]) -> tuple[Digest, list[Mark]]:
    """The digest and the marks of a case with these events (bulk writes, migrations)."""
    digest = Digest.start(opened_at)
    marks: list[Mark] = []
    for event in events:
        marks.extend(digest.add(event))
    return digest, marks


def derive(intake: dict[str, Any], opened_at: str, events: list[Event]) -> dict[str, Any]:
    """The derived columns of a case with these events."""
    return fold(opened_at, events)[0].columns(intake)
