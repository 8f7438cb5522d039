"""What the case history says, counted in SQL for `linewise learn` (cases.learn_estimate).

Three aggregates, each a GROUP BY that returns one row per group, never the cases:
- the confirmed causes: per complaint, form of service and fault, the finished cases
  whose fix for that fault worked (the digest's `fault` column);
- the fixes tried: per fault, how often its fix failed (`case_marks`) and worked;
- the minutes per question: per question, the time from the event before each answer to
  the answer (a window over the append-only events), leaving out gaps longer than
  MAX_MINUTES (the case waited, nobody was checking).
Only cases that ended or moved on (resolved, escalated, unresolved, abandoned) count: an
open case may still change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import JSON, ColumnElement, DateTime, and_, cast, func, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB

from cases.store import SQLStore
from cases.tables import case_marks, cases, events

MAX_MINUTES = 120.0  # a longer gap before an answer is a pause, not the check
FINISHED = ("resolved", "escalated", "unresolved", "abandoned")


@dataclass
class History:
    """The counts `learn` estimates from."""

    causes: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (c, form, f) -> n
    failed: dict[str, int] = field(default_factory=dict)  # fault -> failed fixes
    minutes: dict[str, tuple[int, float]] = field(default_factory=dict)  # q -> (n, sum of min)
    cases: int = 0  # finished cases seen
    first: str | None = None
    last: str | None = None

    def worked(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for (_, _, fault), n in self.causes.items():
            out[fault] = out.get(fault, 0) + n
        return out


def _seconds(store: SQLStore, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A stored ISO timestamp as epoch seconds (the dialects differ here only)."""
    if store.where.is_sqlite:
        return (func.julianday(column) - 2440587.5) * 86400.0
    return func.extract("epoch", cast(column, DateTime(timezone=True)))


def event_field(store: SQLStore, *path: str) -> ColumnElement[Any]:
    """A field of the stored event (its JSON body) as text, on either dialect."""
    body = type_coerce(events.c.body, JSON) if store.where.is_sqlite else cast(events.c.body, JSONB)
    found: ColumnElement[Any] = body[path if len(path) > 1 else path[0]].as_string()
    return found


def count_history(store: SQLStore, since: date | None = None) -> History:
    """The confirmed causes, fix results and question minutes of the finished cases
    opened on or after `since` (all of them for None)."""
    c = cases.c
    where: list[ColumnElement[bool]] = [c.id.is_not(None), c.status.in_(FINISHED)]
    if since is not None:
        where.append(c.opened_day >= since.isoformat())
    found = History()
    with store.reading() as conn:
        summary = conn.execute(
            select(func.count(), func.min(c.opened_at), func.max(c.opened_at)).where(*where)
        ).one()
        found.cases, found.first, found.last = int(summary[0]), summary[1], summary[2]
        rows = conn.execute(
            select(c.complaint, c.service_form, c.fault, func.count())
            .where(*where, c.fault.is_not(None), c.complaint.is_not(None))
            .group_by(c.complaint, c.service_form, c.fault)
        ).all()
        for complaint, form, fault, n in rows:
            found.causes[(str(complaint), str(form or ""), str(fault))] = int(n)
        marks = conn.execute(
            select(case_marks.c.value, func.count())
            .select_from(case_marks.join(cases, case_marks.c.case_num == c.num))
            .where(*where, case_marks.c.kind == "failed")
            .group_by(case_marks.c.value)
        ).all()
        found.failed = {str(fault): int(n) for fault, n in marks}
        found.minutes = _minutes(store, conn, where)
    return found


def _minutes(store: SQLStore, conn: Any, where: list[ColumnElement[bool]]) -> dict[str, Any]:
    e = events.c
    at = _seconds(store, e.at)
    gap = (at - func.lag(at).over(partition_by=e.case_num, order_by=e.seq)) / 60.0
    question = event_field(store, "question")
    steps = (
        select(e.kind.label("kind"), question.label("question"), gap.label("minutes"))
        .select_from(events.join(cases, e.case_num == cases.c.num))
        .where(*where)
        .subquery()
    )
    rows = conn.execute(
        select(steps.c.question, func.count(), func.sum(steps.c.minutes))
        .where(
            and_(
                steps.c.kind.in_(("answer", "unknown")),
                steps.c.question.is_not(None),
                steps.c.minutes >= 0,
                steps.c.minutes <= MAX_MINUTES,
            )
        )
        .group_by(steps.c.question)
    ).all()
    return {str(q): (int(n), float(total)) for q, n, total in rows}
