"""Team figures aggregated in SQL: per support line, per agent, SLA breaches and cases at risk.

These read only the derived case columns (cases.digest), grouped by the database, so
they cost the same on 100 or 100,000 cases and never load an event into Python. The
SLA target of a case is its form of service's resolution target at its current line,
counted from opening, paused while it waited on a vendor (`sla_due`).

- breached: closed after its target, or still not closed past it (as of `as_of`);
- at risk: not closed, target not yet passed but within `risk_hours` of `as_of`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from cases.case_filter import CaseFilter, conditions
from cases.store import SQLStore
from cases.tables import cases

FINAL = ("resolved", "unresolved")
LISTED = 20


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def team_figures(
    store: SQLStore,
    where: CaseFilter | None = None,
    *,
    as_of: str | None = None,
    risk_hours: float = 2.0,
) -> dict[str, Any]:
    """Per-line and per-agent figures, SLA breaches and cases at risk (as of `as_of`,
    default: the latest update among the cases)."""
    chosen = conditions(where)
    with store.reading() as conn:
        if as_of is None:
            latest = conn.execute(select(func.max(cases.c.updated_at)).where(*chosen)).scalar()
            as_of = str(latest) if latest else datetime.now().astimezone().isoformat("T", "seconds")
        soon = (datetime.fromisoformat(as_of) + timedelta(hours=risk_hours)).isoformat(
            timespec="seconds"
        )
        open_case = cases.c.closed_at.is_(None)
        breached = or_(
            and_(cases.c.closed_at.is_not(None), cases.c.closed_at > cases.c.sla_due),
            and_(open_case, cases.c.sla_due < as_of),
        )
        at_risk = and_(open_case, cases.c.sla_due >= as_of, cases.c.sla_due <= soon)
        per_line = conn.execute(
            select(
                cases.c.line,
                func.count(),
                _count(cases.c.status == "open"),
                _count(cases.c.status == "escalated"),
                _count(cases.c.status == "resolved"),
                _count(cases.c.status == "unresolved"),
                _count(cases.c.status == "abandoned"),
                _count(breached),
                _count(at_risk),
            )
            .where(*chosen)
            .group_by(cases.c.line)
            .order_by(cases.c.line)
        ).all()
        per_agent = conn.execute(
            select(
                cases.c.agent,
                func.count(),
                _count(cases.c.status == "resolved"),
                _count(cases.c.status == "escalated"),
                _count(cases.c.status == "abandoned"),
                func.avg(cases.c.questions),
                _count(breached),
            )
            .where(*chosen)
            .group_by(cases.c.agent)
            .order_by(cases.c.agent)
        ).all()
        listed = [cases.c.id, cases.c.line, cases.c.service_form, cases.c.agent, cases.c.sla_due]
        breaches = conn.execute(
            select(*listed, cases.c.closed_at)
            .where(*chosen, breached)
            .order_by(cases.c.sla_due, cases.c.num)
            .limit(LISTED)
        ).all()
        risky = conn.execute(
            select(*listed)
            .where(*chosen, at_risk)
            .order_by(cases.c.sla_due, cases.c.num)
            .limit(LISTED)
        ).all()
    return {
        "as_of": as_of,
        "risk_hours": risk_hours,
        "lines": [
            {
                "line": row[0],
                "cases": row[1],
                "open": row[2],
                "escalated": row[3],
                "resolved": row[4],
                "unresolved": row[5],
                "abandoned": row[6],
                "sla_breached": row[7],
                "sla_at_risk": row[8],
            }
            for row in per_line
        ],
        "agents": [
            {
                "agent": row[0] or None,
                "cases": row[1],
                "resolved": row[2],
                "escalated": row[3],
                "abandoned": row[4],
                "questions_per_case": round(float(row[5] or 0), 2),
                "sla_breached": row[6],
            }
            for row in sorted(per_agent, key=lambda r: (r[0] is None, r[0] or ""))
        ],
        "sla_breaches": sum(row[7] for row in per_line),
        "at_risk": sum(row[8] for row in per_line),
        "breached_cases": [_listed(row) | {"closed_at": row[5]} for row in breaches],
        "at_risk_cases": [_listed(row) for row in risky],
    }


def _listed(row: Any) -> dict[str, Any]:
    return {
        "case": row[0],
        "line": row[1],
        "service_form": row[2],
        "agent": row[3],
        "sla_due": row[4],
    }


def render_team(data: dict[str, Any]) -> str:
    """The team figures as text."""
    out = [f"Team figures (as of {data['as_of']}; at risk: due within {data['risk_hours']:g} h)"]
    out.append(
        f"  {'line':6}{'cases':>8}{'open':>7}{'escal.':>8}{'resolved':>10}"
        f"{'unres.':>8}{'aband.':>8}{'breached':>10}{'at risk':>9}"
    )
    for r in data["lines"]:
        out.append(
            f"  Line {r['line']:<1}{r['cases']:>8}{r['open']:>7}{r['escalated']:>8}"
            f"{r['resolved']:>10}{r['unresolved']:>8}{r['abandoned']:>8}"
            f"{r['sla_breached']:>10}{r['sla_at_risk']:>9}"
        )
    out.append(
        f"  {'agent':20}{'cases':>8}{'resolved':>10}{'escal.':>8}{'questions':>11}{'breached':>10}"
    )
    for a in data["agents"]:
        out.append(
            f"  {(a['agent'] or '(nobody recorded)')[:20]:20}{a['cases']:>8}{a['resolved']:>10}"
            f"{a['escalated']:>8}{a['questions_per_case']:>11.2f}{a['sla_breached']:>10}"
        )
    out.append(f"  SLA breaches: {data['sla_breaches']}; at risk: {data['at_risk']}")
    for label, key in (("breached", "breached_cases"), ("at risk", "at_risk_cases")):
        for c in data[key]:
            out.append(
                f"    {label:8} {c['case']} Line {c['line']} {c['service_form'] or '-'} "
                f"due {c['sla_due']} ({c['agent'] or 'nobody'})"
            )
    return "\n".join(out)
