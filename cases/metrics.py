"""The numbers a support manager asks for, over a time range and filters, as data.

Definitions (also in docs/workbench.md):
- **Line 1 resolution rate**: of the cases Line 1 finished (resolved there, or passed
  up), the share it resolved. Abandoned cases and cases still open at Line 1 are out.
  The source article expects 70-80%.
- **Escalation rate** per line: escalations from the line / cases that reached it; per
  pack (the pack declaring the complaint) and per fault (fixed, or the fault the case
  went up with): escalated cases / cases; per reason: the share of all escalations.
- **Questions per diagnosis**: questions asked (every line) in resolved cases.
- **Time to resolve**: hours from opening to the fix that worked, vendor waits excluded.
- **SLA attainment**: first responses and resolutions within the targets of the form
  of service (`cases/sla.yaml`); open cases past their target count as breached, those
  still within it as pending (not in the rate).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cases.model import Case
from cases.selfservice import SelfService
from cases.sla import ServiceLevels
from cases.timeline import Timeline, timeline
from rules.errors import UnknownIdError, did_you_mean
from rules.knowledge import KnowledgeBase

EXPECTED_LINE1 = (0.7, 0.8)
TOP = 10


@dataclass(frozen=True)
class Filters:
    start: date | None = None  # opened on or after
    end: date | None = None  # opened before the end of this day
    line: int | None = None  # reached this line
    pack: str | None = None
    fault: str | None = None
    service_form: str | None = None
    channel: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, date) else v) for k, v in asdict(self).items()}

    def check(self, kb: KnowledgeBase) -> None:
        """A pack or fault the knowledge does not have is an unknown id, not an empty report."""
        if self.pack is not None and self.pack not in kb.packs:
            raise UnknownIdError(
                f"unknown pack '{self.pack}'",
                hint=did_you_mean(self.pack, kb.packs) or "packs: " + ", ".join(sorted(kb.packs)),
            )
        if self.fault is not None:
            kb.fault(self.fault)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "mean": None, "median": None, "p90": None}
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return {
        "count": len(values),
        "mean": round(statistics.fmean(values), 2),
        "median": round(statistics.median(values), 2),
        "p90": round(p90, 2),
    }


def complaint_packs(kb: KnowledgeBase | None) -> dict[str, str]:
    """Symptom id -> the pack that declares it."""
    if kb is None:
        return {}
    return {s.id: pid for pid, lp in sorted(kb.packs.items()) for s in lp.pack.symptoms}


def case_fault(item: Timeline) -> str | None:
    """The fault a case is about: the one fixed, else the one it was escalated with."""
    if item.fault:
        return item.fault
    return next((e.fault for e in reversed(item.escalations) if e.fault), None)


def _keep(item: Timeline, pack: str, filters: Filters) -> bool:
    opened = item.opened.date()
    intake = item.intake
    return not (
        (filters.start is not None and opened < filters.start)
        or (filters.end is not None and opened > filters.end)
        or (filters.line is not None and not item.reached(filters.line))
        or (filters.pack is not None and pack != filters.pack)
        or (
            filters.fault is not None
            and filters.fault != case_fault(item)
            and filters.fault not in item.proposed
        )
        or (filters.service_form is not None and intake.get("service_form") != filters.service_form)
        or (filters.channel is not None and intake.get("channel") != filters.channel)
    )


def _attainment(values: Iterable[str]) -> dict[str, Any]:
    counts = Counter(values)
    met, breached = counts.get("met", 0), counts.get("breached", 0)
    return {
        "met": met,
        "breached": breached,
        "pending": counts.get("pending", 0),
        "rate": _rate(met, met + breached),
    }


def report(
    cases: Iterable[Case],
    levels: ServiceLevels,
    *,
    kb: KnowledgeBase | None = None,
    filters: Filters | None = None,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """Every metric over the cases that pass the filters, JSON-ready and in stable order."""
    filters = filters or Filters()
    packs = complaint_packs(kb)
    items: list[tuple[Timeline, str]] = []
    self_service = SelfService()
    for case in cases:
        item = timeline(case)
        pack = packs.get(str(item.intake.get("complaint")), "unknown")
        if _keep(item, pack, filters):
            items.append((item, pack))
            self_service.add(case)
    if as_of is None:
        ends = [i.end for i, _ in items]
        as_of = max(ends) if ends else datetime.now().astimezone()
    return {
        "filters": filters.as_dict(),
        "as_of": as_of.isoformat(timespec="seconds"),
        "cases": len(items),
        "status": dict(sorted(Counter(i.status for i, _ in items).items())),
        "line1": _line1(items),
        "resolved_by_line": {
            str(k): v
            for k, v in sorted(
                Counter(i.resolved_line for i, _ in items if i.resolved_line).items()
            )
        },
        "escalation": _escalation(items),
        "questions": _questions(items),
        "time_to_resolve": _time_to_resolve(items),
        "sla": _sla(items, levels, as_of),
        "top_faults": _top_faults(items, kb),
        "failed_fixes": _failed_fixes(items),
        "weekly": _weekly(items),
        "self_service": self_service.as_dict(),
    }


def _line1(items: list[tuple[Timeline, str]]) -> dict[str, Any]:
    resolved = sum(1 for i, _ in items if i.resolved_line == 1)
    passed_up = sum(1 for i, _ in items if any(e.from_line == 1 for e in i.escalations))
    return line1_figures(resolved, passed_up)


def line1_figures(resolved: int, passed_up: int) -> dict[str, Any]:
    """Line 1 resolution: of the cases Line 1 finished, the share it resolved."""
    handled = resolved + passed_up
    return {
        "resolved": resolved,
        "escalated": passed_up,
        "finished": handled,
        "rate": _rate(resolved, handled),
        "expected": list(EXPECTED_LINE1),
    }


def _escalation(items: list[tuple[Timeline, str]]) -> dict[str, Any]:
    by_line: dict[str, Any] = {}
    for line in range(1, 5):
        reached = sum(1 for i, _ in items if i.reached(line))
        if not reached:
            continue
        up = sum(1 for i, _ in items if any(e.from_line == line for e in i.escalations))
        by_line[str(line)] = {"reached": reached, "escalated": up, "rate": _rate(up, reached)}
    by_pack: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_fault: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    reasons: Counter[str] = Counter()
    for item, pack in items:
        escalated = bool(item.escalations)
        by_pack[pack][0] += 1
        by_pack[pack][1] += escalated
        fault = case_fault(item)
        if fault is not None:
            by_fault[fault][0] += 1
            by_fault[fault][1] += escalated
        reasons.update(e.kind for e in item.escalations)
    total = sum(reasons.values())

    def table(data: dict[str, list[int]]) -> dict[str, Any]:
        return {
            k: {"cases": c, "escalated": e, "rate": _rate(e, c)}
            for k, (c, e) in sorted(data.items())
        }

    return {
        "by_line": by_line,
        "by_pack": table(by_pack),
        "by_fault": table(by_fault),
        "by_reason": {
            k: {"count": n, "share": _rate(n, total)} for k, n in sorted(reasons.items())
        },
    }


def _questions(items: list[tuple[Timeline, str]]) -> dict[str, Any]:
    resolved = [i for i, _ in items if i.resolved_at is not None]
    counts = [float(i.questions) for i in resolved]
    by_line: dict[str, Any] = {}
    for line in sorted({i.resolved_line for i in resolved if i.resolved_line}):
        by_line[str(line)] = _stats(
            [float(i.questions) for i in resolved if i.resolved_line == line]
        )
    histogram = Counter(i.questions for i in resolved)
    return {
        "per_diagnosis": _stats(counts),
        "by_resolving_line": by_line,
        "histogram": {str(k): v for k, v in sorted(histogram.items())},
    }


def _time_to_resolve(items: list[tuple[Timeline, str]]) -> dict[str, Any]:
    hours = [(i.resolve_hours, str(i.intake.get("service_form"))) for i, _ in items]
    done = [(h, form) for h, form in hours if h is not None]
    by_form = {
        form: _stats([h for h, f in done if f == form]) for form in sorted({f for _, f in done})
    }
    return {
        "hours": _stats([h for h, _ in done]),
        "by_service_form": by_form,
        "values": sorted(round(h, 3) for h, _ in done),
    }


def _sla(items: list[tuple[Timeline, str]], levels: ServiceLevels, as_of: datetime) -> Any:
    first: dict[str, list[str]] = defaultdict(list)
    resolution: dict[str, list[str]] = defaultdict(list)
    for item, _ in items:
        form = levels.form(item.intake.get("service_form"))[0]
        first[form].extend(item.first_response(levels, as_of))
        result = item.resolution(levels, as_of)
        if result is not None:
            resolution[form].append(result)
    return {
        "first_response": _attainment(v for vs in first.values() for v in vs),
        "resolution": _attainment(v for vs in resolution.values() for v in vs),
        "by_service_form": {
            form: {
                "first_response": _attainment(first[form]),
                "resolution": _attainment(resolution[form]),
                "goal": levels.forms[form].attainment if form in levels.forms else None,
            }
            for form in sorted(set(first) | set(resolution))
        },
    }


def _top_faults(items: list[tuple[Timeline, str]], kb: KnowledgeBase | None) -> list[Any]:
    counts = Counter(i.fault for i, _ in items if i.fault)
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    out = []
    for fault, n in ranked:
        title = kb.faults[fault].title.get("en") if kb and fault in kb.faults else None
        out.append({"fault": fault, "title": title, "resolved": n, "share": _rate(n, total)})
    return out


def _failed_fixes(items: list[tuple[Timeline, str]]) -> dict[str, Any]:
    by_fault: dict[str, list[str]] = defaultdict(list)
    for item, _ in items:
        for fault, _line in item.failed_fixes:
            if item.case_id not in by_fault[fault]:
                by_fault[fault].append(item.case_id)
    cases = sorted({c for ids in by_fault.values() for c in ids})
    ranked = sorted(by_fault.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return {
        "cases": len(cases),
        "by_fault": [{"fault": f, "failed": len(ids), "cases": sorted(ids)} for f, ids in ranked],
    }


def _weekly(items: list[tuple[Timeline, str]]) -> list[dict[str, Any]]:
    weeks: dict[date, list[Timeline]] = defaultdict(list)
    for item, _ in items:
        day = item.opened.date()
        weeks[day - timedelta(days=day.weekday())].append(item)
    out = []
    for monday, group in sorted(weeks.items()):
        line1 = _line1([(i, "") for i in group])
        out.append(
            {
                "week": monday.isoformat(),
                "cases": len(group),
                "resolved": sum(1 for i in group if i.resolved_at is not None),
                "escalated": sum(1 for i in group if i.escalations),
                "line1_rate": line1["rate"],
            }
        )
    return out
