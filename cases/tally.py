"""The manager's report (cases.metrics) aggregated in SQL, from the case digests.

`report` in cases.metrics reads every case's events into Python; this computes the same
figures with GROUP BY queries over the digest columns (cases.digest) and `case_marks`,
so its cost grows with the groups, not with the events. Only small results come back:
counts per group, the questions histogram, the resolve hours (their sorted values are
part of the report) and the cases with failed fixes (listed by id). A test checks that
both give the same report on a simulated history, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.types import Float

from cases.metrics import TOP, Filters, _rate, _stats, complaint_packs, line1_figures
from cases.sla import ServiceLevels
from cases.store import SQLStore
from cases.tables import case_marks, cases
from cases.timeline import parse_time
from rules.knowledge import KnowledgeBase

c = cases.c
LINES = (1, 2, 3, 4)


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """COUNT(*) FILTER (WHERE condition): PostgreSQL and SQLite (3.30+) alike."""
    return func.count().filter(condition)


def _bit(column: ColumnElement[Any], line: int) -> ColumnElement[bool]:
    return column.op("&")(1 << (line - 1)) != 0


def conditions(
    filters: Filters, kb: KnowledgeBase | None, simulated: bool | None
) -> list[ColumnElement[bool]]:
    """The report's filters as WHERE clauses on the digest columns."""
    out: list[ColumnElement[bool]] = [c.id.is_not(None)]
    if simulated is not None:
        out.append(c.simulated == simulated)
    if filters.start is not None:
        out.append(c.opened_day >= filters.start.isoformat())
    if filters.end is not None:
        out.append(c.opened_day <= filters.end.isoformat())
    if filters.line is not None:
        out.append(_bit(c.reached, filters.line))
    if filters.pack is not None:
        declared = [s for s, p in complaint_packs(kb).items() if p == filters.pack]
        out.append(c.complaint.in_(declared))
    if filters.fault is not None:
        mark = case_marks.alias("proposed")
        proposed = exists().where(
            mark.c.case_num == c.num, mark.c.kind == "proposed", mark.c.value == filters.fault
        )
        out.append(or_(c.case_fault == filters.fault, proposed))
    if filters.service_form is not None:
        out.append(c.service_form == filters.service_form)
    if filters.channel is not None:
        out.append(c.channel == filters.channel)
    return out


def tally(
    store: SQLStore,
    levels: ServiceLevels,
    *,
    kb: KnowledgeBase | None = None,
    filters: Filters | None = None,
    simulated: bool | None = None,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """The same dict as cases.metrics.report over the store's cases, computed in SQL."""
    filters = filters or Filters()
    where = conditions(filters, kb, simulated)
    with store.reading() as conn:
        if as_of is None:
            latest = conn.execute(
                select(c.updated_at).where(*where).order_by(c.end_s.desc(), c.num).limit(1)
            ).scalar()
            as_of = parse_time(latest) if latest else datetime.now().astimezone()
        counts = _overall(conn, where)
        status = conn.execute(select(c.status, func.count()).where(*where).group_by(c.status))
        resolved_by = conn.execute(
            select(c.resolved_line, func.count())
            .where(*where, c.resolved_line.is_not(None))
            .group_by(c.resolved_line)
        ).all()
        return {
            "filters": filters.as_dict(),
            "as_of": as_of.isoformat(timespec="seconds"),
            "cases": counts["cases"],
            "status": dict(sorted((str(s), int(n)) for s, n in status)),
            "line1": line1_figures(counts["l1_resolved"], counts["l1_up"]),
            "resolved_by_line": {str(k): int(v) for k, v in sorted(resolved_by)},
            "escalation": _escalation(conn, where, counts, kb),
            "questions": _questions(conn, where),
            "time_to_resolve": _time_to_resolve(conn, where),
            "sla": _sla(conn, where, levels, as_of),
            "top_faults": _top_faults(conn, where, kb),
            "failed_fixes": _failed_fixes(conn, where),
            "weekly": _weekly(conn, where),
            "self_service": _self_service(conn, where),
        }


def _overall(conn: Connection, where: list[ColumnElement[bool]]) -> dict[str, int]:
    columns: dict[str, ColumnElement[Any]] = {
        "cases": func.count(),
        "l1_resolved": _count(c.resolved_line == 1),
        "l1_up": _count(_bit(c.escalated_from, 1)),
    }
    for line in LINES:
        columns[f"reached{line}"] = _count(_bit(c.reached, line))
        columns[f"up{line}"] = _count(_bit(c.escalated_from, line))
    row = conn.execute(select(*columns.values()).where(*where)).one()
    return {name: int(value) for name, value in zip(columns, row, strict=True)}


def _escalation(
    conn: Connection,
    where: list[ColumnElement[bool]],
    counts: dict[str, int],
    kb: KnowledgeBase | None,
) -> dict[str, Any]:
    by_line = {
        str(line): {
            "reached": counts[f"reached{line}"],
            "escalated": counts[f"up{line}"],
            "rate": _rate(counts[f"up{line}"], counts[f"reached{line}"]),
        }
        for line in LINES
        if counts[f"reached{line}"]
    }
    packs = complaint_packs(kb)
    by_pack: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    escalated = _count(c.escalations > 0)
    for complaint, n, up in conn.execute(
        select(c.complaint, func.count(), escalated).where(*where).group_by(c.complaint)
    ):
        pack = packs.get(str(complaint), "unknown")
        by_pack[pack][0] += int(n)
        by_pack[pack][1] += int(up)
    by_fault = conn.execute(
        select(c.case_fault, func.count(), escalated)
        .where(*where, c.case_fault.is_not(None))
        .group_by(c.case_fault)
    ).all()
    reasons = conn.execute(
        select(case_marks.c.value, func.count())
        .join(cases, cases.c.num == case_marks.c.case_num)
        .where(*where, case_marks.c.kind == "escalation")
        .group_by(case_marks.c.value)
    ).all()
    total = sum(int(n) for _, n in reasons)

    def table(rows: list[tuple[str, int, int]]) -> dict[str, Any]:
        return {k: {"cases": n, "escalated": e, "rate": _rate(e, n)} for k, n, e in sorted(rows)}

    return {
        "by_line": by_line,
        "by_pack": table([(k, n, e) for k, (n, e) in by_pack.items()]),
        "by_fault": table([(str(k), int(n), int(e)) for k, n, e in by_fault]),
        "by_reason": {
            str(k): {"count": int(n), "share": _rate(int(n), total)} for k, n in sorted(reasons)
        },
    }


def _expand(histogram: list[tuple[int, int]]) -> list[float]:
    return [float(value) for value, n in histogram for _ in range(int(n))]


def _questions(conn: Connection, where: list[ColumnElement[bool]]) -> dict[str, Any]:
    rows = conn.execute(
        select(c.resolved_line, c.visit_questions, func.count())
        .where(*where, c.resolve_h.is_not(None))
        .group_by(c.resolved_line, c.visit_questions)
        .order_by(c.resolved_line, c.visit_questions)
    ).all()
    histogram: dict[int, int] = defaultdict(int)
    by_line: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for line, questions, n in rows:
        histogram[int(questions)] += int(n)
        if line:
            by_line[int(line)].append((int(questions), int(n)))
    return {
        "per_diagnosis": _stats(_expand(sorted(histogram.items()))),
        "by_resolving_line": {str(k): _stats(_expand(v)) for k, v in sorted(by_line.items())},
        "histogram": {str(k): v for k, v in sorted(histogram.items())},
    }


def _time_to_resolve(conn: Connection, where: list[ColumnElement[bool]]) -> dict[str, Any]:
    rows = conn.execute(
        select(c.resolve_h, c.service_form)
        .where(*where, c.resolve_h.is_not(None))
        .order_by(c.resolve_h)
    ).all()
    forms: dict[str, list[float]] = defaultdict(list)
    for value, form in rows:
        forms[str(form)].append(float(value))
    return {
        "hours": _stats([float(v) for v, _ in rows]),
        "by_service_form": {form: _stats(forms[form]) for form in sorted(forms)},
        "values": sorted(round(float(v), 3) for v, _ in rows),
    }


def _target(levels: ServiceLevels, pick: Any) -> ColumnElement[Any]:
    """The target of each case's form of service (unknown forms: the default form's), as
    one CASE on the stored form; `pick(form_levels)` is the target or None."""
    default = pick(levels.forms[levels.default_form])
    known = {name: pick(lv) for name, lv in levels.forms.items() if name != levels.default_form}
    if not known:
        return literal(default, Float)
    return cast(case(known, value=c.service_form, else_=default), Float)


def _sla(
    conn: Connection, where: list[ColumnElement[bool]], levels: ServiceLevels, as_of: datetime
) -> Any:
    now = literal(as_of.timestamp(), Float)
    live = c.status != "abandoned"
    parts: list[ColumnElement[Any]] = []
    for line in LINES:
        target = _target(levels, lambda lv, line=line: lv.first_response.get(line))
        response = getattr(c, f"v{line}_response_h")
        arrived = getattr(c, f"v{line}_arrived_s")
        waiting = and_(response.is_(None), arrived.is_not(None), live, target.is_not(None))
        late = (now - arrived) / 3600.0 > target
        parts += [
            _count(response <= target),
            _count(or_(response > target, and_(waiting, late))),
            _count(and_(waiting, ~late)),
        ]
    at_line = func.coalesce(c.resolved_line, c.line)
    target = case(
        *(
            (at_line == line, _target(levels, lambda lv, line=line: lv.resolution.get(line)))
            for line in LINES
        ),
        else_=None,
    )
    decided = and_(live, target.is_not(None))
    waited = case((c.waiting_since_s < now, (now - c.waiting_since_s) / 3600.0), else_=0.0)
    elapsed = (now - c.opened_s) / 3600.0 - (c.paused_h + waited)
    open_case = and_(decided, c.resolve_h.is_(None), c.status != "unresolved")
    parts += [
        _count(and_(decided, c.resolve_h <= target)),
        _count(
            and_(
                decided,
                or_(
                    c.resolve_h > target,
                    and_(c.resolve_h.is_(None), c.status == "unresolved"),
                    and_(open_case, elapsed > target),
                ),
            )
        ),
        _count(and_(open_case, ~(elapsed > target))),
    ]
    rows = conn.execute(select(c.service_form, *parts).where(*where).group_by(c.service_form)).all()
    merged: dict[str, list[int]] = {}
    for row in rows:  # grouped by the stored form, then by the form the levels read
        name = levels.form(row[0])[0]
        values = [int(v) for v in row[1:]]
        before = merged.get(name, [0] * len(values))
        merged[name] = [a + b for a, b in zip(before, values, strict=True)]
    by_form: dict[str, Any] = {}
    totals = [0] * 6
    for name, values in merged.items():
        first = [sum(values[i:12:3]) for i in range(3)]
        resolution = values[12:15]
        by_form[name] = {
            "first_response": _attainment(*first),
            "resolution": _attainment(*resolution),
            "goal": levels.forms[name].attainment if name in levels.forms else None,
        }
        totals = [t + v for t, v in zip(totals, first + resolution, strict=True)]
    return {
        "first_response": _attainment(*totals[:3]),
        "resolution": _attainment(*totals[3:]),
        "by_service_form": dict(sorted(by_form.items())),
    }


def _attainment(met: int, breached: int, pending: int) -> dict[str, Any]:
    return {
        "met": met,
        "breached": breached,
        "pending": pending,
        "rate": _rate(met, met + breached),
    }


def _top_faults(
    conn: Connection, where: list[ColumnElement[bool]], kb: KnowledgeBase | None
) -> list[Any]:
    counts = [
        (str(f), int(n))
        for f, n in conn.execute(
            select(c.fault, func.count()).where(*where, c.fault.is_not(None)).group_by(c.fault)
        )
    ]
    total = sum(n for _, n in counts)
    out = []
    for fault, n in sorted(counts, key=lambda kv: (-kv[1], kv[0]))[:TOP]:
        title = kb.faults[fault].title.get("en") if kb and fault in kb.faults else None
        out.append({"fault": fault, "title": title, "resolved": n, "share": _rate(n, total)})
    return out


def _failed_fixes(conn: Connection, where: list[ColumnElement[bool]]) -> dict[str, Any]:
    rows = conn.execute(
        select(case_marks.c.value, c.id)
        .distinct()
        .join(cases, cases.c.num == case_marks.c.case_num)
        .where(*where, case_marks.c.kind == "failed")
    ).all()
    by_fault: dict[str, list[str]] = defaultdict(list)
    for fault, ident in rows:
        by_fault[str(fault)].append(str(ident))
    ranked = sorted(by_fault.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return {
        "cases": len({ident for _, ident in rows}),
        "by_fault": [{"fault": f, "failed": len(ids), "cases": sorted(ids)} for f, ids in ranked],
    }


def _weekly(conn: Connection, where: list[ColumnElement[bool]]) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(
            c.opened_week,
            func.count(),
            _count(c.resolve_h.is_not(None)),
            _count(c.escalations > 0),
            _count(c.resolved_line == 1),
            _count(_bit(c.escalated_from, 1)),
        )
        .where(*where)
        .group_by(c.opened_week)
        .order_by(c.opened_week)
    ).all()
    return [
        {
            "week": str(week),
            "cases": int(n),
            "resolved": int(resolved),
            "escalated": int(up),
            "line1_rate": _rate(int(l1), int(l1) + int(l1_up)),
        }
        for week, n, resolved, up, l1, l1_up in rows
    ]


def _self_service(conn: Connection, where: list[ColumnElement[bool]]) -> dict[str, Any]:
    portal = c.portal.is_(True)
    handed = c.handed.is_(True)
    row = conn.execute(
        select(
            _count(portal),
            _count(and_(portal, ~handed, c.status == "resolved")),
            _count(and_(portal, handed)),
            _count(and_(portal, ~handed, c.status != "resolved")),
            func.coalesce(func.sum(c.re_asks), 0),
            func.coalesce(func.sum(case((portal, c.re_asks), else_=0)), 0),
        ).where(*where)
    ).one()
    asked = conn.execute(
        select(c.id).where(*where, c.re_asks > 0).order_by(c.num).limit(20)
    ).scalars()
    count, deflected, to_agent, in_progress, re_asks, re_asks_portal = (int(v) for v in row)
    ended = deflected + to_agent
    return {
        "portal_cases": count,
        "deflected": deflected,
        "to_agent": to_agent,
        "in_progress": in_progress,
        "deflection_rate": round(deflected / ended, 4) if ended else None,
        "re_asks": re_asks,
        "re_asks_portal": re_asks_portal,
        "re_asked_cases": [str(i) for i in asked],
    }
