"""What a case's row says about it, derived from its events at each append.

The event log is the truth; these columns repeat what lists and reports need (status,
line, who worked it, questions asked, when it closed, when its SLA target falls) so that
`case list` filters and `report` aggregates run in SQL, without loading every event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cases.model import Event, line_after, status_after
from cases.sla import ServiceLevels, load_service_levels

_LEVELS: list[ServiceLevels] = []


def _levels() -> ServiceLevels:
    """The shipped service levels ($LINEWISE_SLA merged), read once per process."""
    if not _LEVELS:
        _LEVELS.append(load_service_levels())
    return _LEVELS[0]


def questions_asked(events: list[Event]) -> int:
    """Answers given (an 'unknown' counts; a taken-back answer does not)."""
    count = 0
    for event in events:
        if event.kind in ("answer", "unknown"):
            count += 1
        elif event.kind == "back":
            count = max(0, count - 1)
    return count


def sla_due(intake: dict[str, Any], opened_at: str, line: int, events: list[Event]) -> str | None:
    """Opening + the resolution target of the case's form of service at its current line,
    moved on by the time it waited on a vendor (the SLA clock pauses then)."""
    levels = _levels()
    hours = levels.resolution(intake.get("service_form"), line)
    if hours is None:
        hours = levels.form(intake.get("service_form"))[1].resolve_hours
    try:
        due = datetime.fromisoformat(opened_at) + timedelta(hours=hours)
    except ValueError:
        return None
    waited_from: datetime | None = None
    for event in events:
        if event.kind == "waiting" and waited_from is None:
            waited_from = _when(event.at)
        elif event.kind == "waiting_over" and waited_from is not None:
            end = _when(event.at)
            if end is not None:
                due += end - waited_from
            waited_from = None
    return due.isoformat(timespec="seconds")


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def derive(intake: dict[str, Any], opened_at: str, events: list[Event]) -> dict[str, Any]:
    """The derived columns of a case with these events."""
    status = status_after(events)
    line = line_after(events)
    agents = [e.agent for e in events if e.agent]
    closed = next((e.at for e in reversed(events) if e.kind in ("fix_worked", "unresolved")), None)
    return {
        "updated_at": events[-1].at if events else opened_at,
        "status": status,
        "line": line,
        "complaint": _text(intake.get("complaint")),
        "service_form": _text(intake.get("service_form")),
        "agent": agents[-1] if agents else None,
        "opened_by": events[0].agent if events else None,
        "questions": questions_asked(events),
        "closed_at": closed if status in ("resolved", "unresolved") else None,
        "sla_due": sla_due(intake, opened_at, line, events),
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
