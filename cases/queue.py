"""Work queues and case filters: which cases wait for which support line, and who worked them.

A support line sees three queues: cases new at its line (opened there and not yet
worked by anyone), cases escalated to it, and (Line 4) cases waiting on a vendor with
the SLA clock. Filters (line, status, agent, form of service) are read from each
case's events, so they need nothing the store does not already keep.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from cases.model import Case, CaseSummary
from cases.sla import ServiceLevels
from engine.handoff import SlaClock

QueueName = Literal["new", "escalated", "waiting"]
QUEUES: tuple[QueueName, ...] = ("new", "escalated", "waiting")


@dataclass(frozen=True)
class CaseFilter:
    """What a case list is narrowed to (None: any)."""

    line: int | None = None
    status: str | None = None
    agent: str | None = None
    service_form: str | None = None
    channel: str | None = None

    def keeps(self, case: Case) -> bool:
        if self.line is not None and case.line != self.line:
            return False
        if self.status is not None and case.status != self.status:
            return False
        if self.service_form is not None and case.intake.get("service_form") != self.service_form:
            return False
        if self.channel is not None and case.intake.get("channel") != self.channel:
            return False
        return self.agent is None or self.agent in agents(case)


def agents(case: Case) -> list[str]:
    """Everyone who worked the case (who started or resumed a session, who answered)."""
    seen: dict[str, None] = {}
    for event in case.events:
        who = event.data.get("agent") or event.data.get("by")
        if isinstance(who, str) and who:
            seen[who] = None
    return list(seen)


def waiting_on(case: Case) -> str | None:
    """Who the case waits on now ('vendor'), or None."""
    waiting: str | None = None
    for event in case.events:
        if event.kind == "waiting":
            waiting = str(event.data.get("on", "vendor"))
        elif event.kind == "waiting_over":
            waiting = None
    return waiting


def worked(case: Case) -> bool:
    """Whether anything was answered or decided on the case yet."""
    return any(e.kind not in ("opened", "session_started", "quit", "resumed") for e in case.events)


@dataclass(frozen=True)
class QueueItem:
    """One case in a queue, with its SLA clock."""

    summary: CaseSummary
    queue: QueueName
    service_form: str | None
    sla: SlaClock
    overdue: bool
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.summary.model_dump(),
            "queue": self.queue,
            "service_form": self.service_form,
            "sla": self.sla.model_dump(),
            "overdue": self.overdue,
            "note": self.note,
        }


def queue_of(case: Case, line: int) -> QueueName | None:
    """The queue of `line` that the case stands in, or None."""
    if case.line != line:
        return None
    if waiting_on(case) is not None and case.status in ("open", "abandoned", "escalated"):
        return "waiting"
    if case.status == "escalated":
        return "escalated"
    if case.status in ("open", "abandoned") and not worked(case):
        return "new"
    return None


def _note(case: Case) -> str | None:
    for event in reversed(case.events):
        if event.kind == "escalated":
            note = event.data.get("note")
            return str(note) if note else None
    return None


def queues(
    cases: Iterable[Case], line: int, levels: ServiceLevels, at: str
) -> dict[QueueName, list[QueueItem]]:
    """The queues of one line, oldest case first in each, each with its SLA clock."""
    out: dict[QueueName, list[QueueItem]] = {name: [] for name in QUEUES}
    now = datetime.fromisoformat(at)
    for case in cases:
        name = queue_of(case, line)
        if name is None:
            continue
        form = case.intake.get("service_form")
        clock = levels.clock(form, case.opened_at, at)
        out[name].append(
            QueueItem(
                summary=case.summary(),
                queue=name,
                service_form=str(form) if form is not None else None,
                sla=clock,
                overdue=datetime.fromisoformat(clock.deadline) < now,
                note=_note(case),
            )
        )
    for items in out.values():
        items.sort(key=lambda item: (item.summary.opened_at, item.summary.id))
    return out


def find(cases: Iterable[Case], filters: CaseFilter, limit: int | None = None) -> list[Case]:
    """The cases the filter keeps, newest first."""
    kept = [c for c in cases if filters.keeps(c)]
    kept.sort(key=lambda c: c.id, reverse=True)
    return kept if limit is None else kept[:limit]
