"""Rows of the store's tables from linewise's objects, and back: an event as its row, a
report mark as its row, a `case list` summary from a row of cases.case_filter.filtered."""

from __future__ import annotations

import json
from typing import Any

from cases.digest import Mark
from cases.model import CaseSummary, Event


def event_row(num: int, event: Event) -> dict[str, Any]:
    return {
        "case_num": num,
        "seq": event.seq,
        "at": event.at,
        "line": event.line,
        "kind": event.kind,
        "body": event.model_dump_json(exclude_none=False),
        "agent": event.agent,
        "channel": event.channel,
    }


def summary_of(row: Any) -> CaseSummary:
    """A `case list` row from a row of cases.case_filter.filtered."""
    customer = json.loads(row.intake).get("customer")
    return CaseSummary(
        id=row.id,
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        status=row.status,
        line=row.line,
        complaint=row.complaint,
        customer=None if customer is None else str(customer),
        service_form=row.service_form,
        agent=row.agent,
        simulated=bool(row.simulated),
    )


def mark_row(num: int, mark: Mark) -> dict[str, Any]:
    return {"case_num": num, "kind": mark.kind, "line": mark.line, "value": mark.value}
