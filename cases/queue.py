"""Work queues: which cases wait for which support line, read in SQL.

A support line sees three queues: cases new at its line (not yet worked by anyone),
cases escalated to it, and cases waiting on a vendor, each with its SLA clock. Which
queue a case stands in is read from its digest columns (cases.digest: line, status,
vendor wait, whether anything was answered), so a queue is one query, not a read of
every case. The web's case list uses the one filter type (cases.case_filter).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, case, or_, select

from cases.case_filter import CaseFilter, filtered
from cases.model import CaseSummary
from cases.rows import summary_of
from cases.sla import ServiceLevels
from cases.store import SQLStore
from cases.tables import cases, events
from engine.handoff import SlaClock

QueueName = Literal["new", "escalated", "waiting"]
QUEUES: tuple[QueueName, ...] = ("new", "escalated", "waiting")


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


def _queue_of() -> ColumnElement[Any]:
    """The queue a case stands in at its current line, or NULL."""
    c = cases.c
    waiting = and_(c.waiting_on.is_not(None), c.status.in_(("open", "abandoned", "escalated")))
    fresh = and_(c.status.in_(("open", "abandoned")), or_(c.worked.is_(None), ~c.worked))
    return case(
        (waiting, "waiting"), (c.status == "escalated", "escalated"), (fresh, "new"), else_=None
    )


def queues(
    store: SQLStore, line: int, levels: ServiceLevels, at: str
) -> dict[QueueName, list[QueueItem]]:
    """The queues of one line, oldest case first in each, each with its SLA clock."""
    out: dict[QueueName, list[QueueItem]] = {name: [] for name in QUEUES}
    now = datetime.fromisoformat(at)
    which = _queue_of().label("queue")
    query = filtered(CaseFilter(line=line)).add_columns(which).where(which.is_not(None))
    with store.reading() as conn:
        rows = conn.execute(query.order_by(None).order_by(cases.c.opened_at, cases.c.id)).all()
    for row in rows:
        clock = levels.clock(row.service_form, row.opened_at, at)
        out[row.queue].append(
            QueueItem(
                summary=summary_of(row),
                queue=row.queue,
                service_form=row.service_form,
                sla=clock,
                overdue=datetime.fromisoformat(clock.deadline) < now,
                note=row.note,
            )
        )
    return out


@dataclass(frozen=True)
class Listed:
    """A row of the web's case list: the case and everyone who worked it."""

    summary: CaseSummary
    channel: str | None
    agents: list[str]


def find(store: SQLStore, where: CaseFilter, limit: int | None = None) -> list[Listed]:
    """The cases the filter keeps, newest first, with who worked each (two queries)."""
    with store.reading() as conn:
        rows = conn.execute(filtered(where, limit)).all()
        worked: dict[int, list[str]] = defaultdict(list)
        if rows:
            who = (
                select(events.c.case_num, events.c.agent)
                .where(events.c.case_num.in_([r.num for r in rows]), events.c.agent.is_not(None))
                .order_by(events.c.case_num, events.c.seq)
            )
            for num, agent in conn.execute(who):
                if agent and agent not in worked[num]:
                    worked[num].append(agent)
    return [Listed(summary_of(r), r.channel, worked[r.num]) for r in rows]
