"""What `report` says about learning: Line 1 resolution with and without a learned overlay,
and the fixes that fail most (SQL aggregates, as cases.tally).

A case counts as worked with an overlay when its Line 1 session started with one (the
desk records the overlay's version in that `session_started` event).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select

from cases.learn import event_field
from cases.metrics import Filters, _rate, line1_figures
from cases.store import SQLStore
from cases.tables import case_marks, cases, events
from cases.tally import _bit, _count, conditions
from rules.knowledge import KnowledgeBase

TOP_FIXES = 10
c = cases.c


def learning_figures(
    store: SQLStore,
    *,
    kb: KnowledgeBase | None = None,
    filters: Filters | None = None,
    simulated: bool | None = None,
) -> dict[str, Any]:
    """Line 1 figures per overlay (None: the packs' own values) and the failing fixes."""
    where = conditions(filters or Filters(), kb, simulated)
    started = (
        select(
            events.c.case_num.label("num"),
            func.max(event_field(store, "data", "overlay")).label("overlay"),
        )
        .where(events.c.kind == "session_started", events.c.line == 1)
        .group_by(events.c.case_num)
        .subquery()
    )
    with store.reading() as conn:
        rows = conn.execute(
            select(
                started.c.overlay, _count(c.resolved_line == 1), _count(_bit(c.escalated_from, 1))
            )
            .select_from(cases.join(started, started.c.num == c.num))
            .where(*where)
            .group_by(started.c.overlay)
        ).all()
        fixes = _failing(conn, where, kb)
    by_overlay = sorted(
        ({"overlay": overlay, **line1_figures(int(ok), int(up))} for overlay, ok, up in rows),
        key=lambda d: (d["overlay"] is not None, str(d["overlay"])),
    )
    return {"line1_by_overlay": by_overlay, "failing_fixes": fixes}


def _failing(
    conn: Any, where: list[ColumnElement[bool]], kb: KnowledgeBase | None
) -> list[dict[str, Any]]:
    """Per fault: fixes proposed, how many failed, the share; most failures first."""
    marks = case_marks.c
    rows = conn.execute(
        select(marks.value, _count(marks.kind == "proposed"), _count(marks.kind == "failed"))
        .select_from(case_marks.join(cases, marks.case_num == c.num))
        .where(*where, marks.kind.in_(("proposed", "failed")))
        .group_by(marks.value)
    ).all()
    out: list[tuple[int, str, dict[str, Any]]] = []
    for fault, proposed, failed in rows:
        if not failed:
            continue
        title = kb.faults[fault].title.get("en") if kb and fault in kb.faults else None
        entry = {
            "fault": str(fault),
            "title": title,
            "proposed": int(proposed),
            "failed": int(failed),
            "failure_rate": _rate(int(failed), int(proposed)),
        }
        out.append((-int(failed), str(fault), entry))
    return [entry for _, _, entry in sorted(out)[:TOP_FIXES]]
