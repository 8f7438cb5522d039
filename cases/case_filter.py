"""Which cases a list shows (`case list`, the web's case list, queues, team figures), in SQL.

Filters: support line, status, agent (anyone who worked it: an event of theirs),
form of service, complaint, channel, the date range of opening, and whether simulated
history is included. The one filter type for every list; a store in memory applies it
to its cases (`matches`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, exists, select

from cases.model import Case
from cases.tables import cases, events


@dataclass(frozen=True)
class CaseFilter:
    """Which cases to list; None means any. Dates are ISO days or timestamps (UTC)."""

    line: int | None = None
    status: str | None = None
    agent: str | None = None
    service_form: str | None = None
    complaint: str | None = None
    channel: str | None = None  # the intake's channel
    opened_from: str | None = None  # opened on or after
    opened_until: str | None = None  # opened before the end of this day/instant
    simulated: bool | None = None  # True: only simulated; False: only real

    def matches(self, case: Case) -> bool:
        """The same filter on a case in memory."""
        row = case.summary()
        checks = (
            (self.line, row.line),
            (self.status, row.status),
            (self.service_form, row.service_form),
            (self.complaint, row.complaint),
            (self.channel, _text(case.intake.get("channel"))),
            (self.simulated, row.simulated),
        )
        if any(wanted is not None and wanted != value for wanted, value in checks):
            return False
        if self.agent is not None and all(e.agent != self.agent for e in case.events):
            return False
        if self.opened_from is not None and row.opened_at < self.opened_from:
            return False
        if self.opened_until is None:
            return True
        day = _next_day(self.opened_until)
        return row.opened_at < day if day else row.opened_at <= self.opened_until


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _next_day(until: str) -> str | None:
    """The day after a whole day (YYYY-MM-DD), which the range includes; None for an instant."""
    if len(until) != 10:
        return None
    return (date.fromisoformat(until) + timedelta(days=1)).isoformat()


def conditions(where: CaseFilter | None) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter (shared by the queue and the SQL report figures)."""
    out: list[ColumnElement[bool]] = [cases.c.id.is_not(None)]
    if where is None:
        return out
    for column, wanted in (
        (cases.c.line, where.line),
        (cases.c.status, where.status),
        (cases.c.service_form, where.service_form),
        (cases.c.complaint, where.complaint),
        (cases.c.channel, where.channel),
        (cases.c.simulated, where.simulated),
    ):
        if wanted is not None:
            out.append(column == wanted)
    if where.agent is not None:
        out.append(exists().where(events.c.case_num == cases.c.num, events.c.agent == where.agent))
    if where.opened_from is not None:
        out.append(cases.c.opened_at >= where.opened_from)
    if where.opened_until is not None:
        day = _next_day(where.opened_until)
        out.append(cases.c.opened_at < day if day else cases.c.opened_at <= where.opened_until)
    return out


def filtered(where: CaseFilter | None, limit: int | None = None) -> Select[tuple[object, ...]]:
    """SELECT the rows of the cases that pass, newest first."""
    query = select(
        cases.c.num,
        cases.c.id,
        cases.c.opened_at,
        cases.c.updated_at,
        cases.c.status,
        cases.c.line,
        cases.c.intake,
        cases.c.complaint,
        cases.c.service_form,
        cases.c.agent,
        cases.c.simulated,
        cases.c.channel,
        cases.c.sla_due,
        cases.c.note,
    ).where(*conditions(where))
    query = query.order_by(cases.c.num.desc())
    return query.limit(limit) if limit is not None else query
