"""`linewise report`: the support manager's numbers as tables, JSON and charts."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from cases.case_filter import CaseFilter
from cases.figures import render_team, team_figures
from cases.learn_report import learning_figures
from cases.metrics import Filters
from cases.sla import ENV_SLA, load_service_levels
from cases.store import open_reader
from cases.tally import tally
from cli.guided import store_option
from cli.options import Number, json_option, load_all, packs_option
from rules.intake import CHANNELS, SERVICE_FORMS


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: list[str]) -> str:
        return "  " + "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return [line(headers), "  " + "  ".join("-" * w for w in widths), *map(line, rows)]


def render_report(data: dict[str, Any]) -> str:
    out: list[str] = []
    line1 = data["line1"]
    status = ", ".join(f"{n} {s}" for s, n in data["status"].items())
    out.append(f"{data['cases']} cases ({status}), as of {data['as_of']}")
    low, high = line1["expected"]
    out.append(
        f"Line 1 resolution rate: {_pct(line1['rate'])} ({line1['resolved']} of "
        f"{line1['finished']} finished at Line 1; expected {low:.0%}-{high:.0%})"
    )
    esc = data["escalation"]
    out += ["", "Escalation by line:"]
    out += _table(
        ["line", "reached", "escalated", "rate"],
        [
            [k, str(v["reached"]), str(v["escalated"]), _pct(v["rate"])]
            for k, v in esc["by_line"].items()
        ],
    )
    out += ["", "Escalation by reason:"]
    out += _table(
        ["reason", "count", "share"],
        [[k, str(v["count"]), _pct(v["share"])] for k, v in esc["by_reason"].items()],
    )
    for key, title in (("by_pack", "pack"), ("by_fault", "fault")):
        out += ["", f"Escalation by {title}:"]
        out += _table(
            [title, "cases", "escalated", "rate"],
            [
                [k, str(v["cases"]), str(v["escalated"]), _pct(v["rate"])]
                for k, v in esc[key].items()
            ],
        )
    q = data["questions"]["per_diagnosis"]
    t = data["time_to_resolve"]["hours"]
    out += ["", "Questions per diagnosis and time to resolve (resolved cases):"]
    out += _table(
        ["measure", "count", "mean", "median", "p90"],
        [
            ["questions", str(q["count"]), _num(q["mean"]), _num(q["median"]), _num(q["p90"])],
            [
                "hours to resolve",
                str(t["count"]),
                _num(t["mean"]),
                _num(t["median"]),
                _num(t["p90"]),
            ],
        ],
    )
    sla = data["sla"]
    out += ["", "SLA attainment (within target / decided; pending not counted):"]
    rows = [
        [
            "all",
            _pct(sla["first_response"]["rate"]),
            _pct(sla["resolution"]["rate"]),
            str(sla["resolution"]["pending"]),
        ]
    ]
    rows += [
        [
            form,
            _pct(v["first_response"]["rate"]),
            _pct(v["resolution"]["rate"]),
            str(v["resolution"]["pending"]),
        ]
        for form, v in sla["by_service_form"].items()
    ]
    out += _table(["form of service", "first response", "resolution", "pending"], rows)
    out += ["", "Top faults (resolved):"]
    out += _table(
        ["fault", "resolved", "share"],
        [[f["fault"], str(f["resolved"]), _pct(f["share"])] for f in data["top_faults"]],
    )
    failed = data["failed_fixes"]
    out += ["", f"Proposed fixes that did not work: {failed['cases']} cases"]
    for item in failed["by_fault"]:
        shown = ", ".join(item["cases"][:5]) + (", ..." if len(item["cases"]) > 5 else "")
        out.append(f"  {item['fault']}: {item['failed']} ({shown})")
    out += ["", *_self_service(data["self_service"])]
    if "learning" in data:
        out += ["", *_learning(data["learning"])]
    return "\n".join(out)


def _learning(data: dict[str, Any]) -> list[str]:
    """Line 1 resolution with and without a learned overlay; the fixes that fail most."""
    out = ["Line 1 resolution with and without a learned overlay:"]
    rows = [
        [
            f"learned overlay {d['overlay']}" if d["overlay"] else "packs' own values",
            str(d["resolved"]),
            str(d["finished"]),
            _pct(d["rate"]),
        ]
        for d in data["line1_by_overlay"]
    ]
    out += _table(["worked with", "resolved", "finished", "rate"], rows)
    out += ["", "Fixes that fail most:"]
    out += _table(
        ["fix for", "proposed", "failed", "failure rate"],
        [
            [
                f["title"] or f["fault"],
                str(f["proposed"]),
                str(f["failed"]),
                _pct(f["failure_rate"]),
            ]
            for f in data["failing_fixes"]
        ],
    )
    return out


def _self_service(data: dict[str, Any]) -> list[str]:
    """Deflection, portal-to-agent escalations and re-asks (which should be 0)."""
    out = [
        f"Self-service (portal): {data['portal_cases']} cases, deflection "
        f"{_pct(data['deflection_rate'])} ({data['deflected']} resolved without an agent, "
        f"{data['to_agent']} handed to an agent, {data['in_progress']} in progress)"
    ]
    shown = ", ".join(data["re_asked_cases"][:5])
    out.append(
        f"Re-asks (a later line asking again what was answered): {data['re_asks']}"
        + (f" ({shown})" if shown else " (as it should be)")
    )
    return out


@click.command("report")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="Opened on or after.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Opened on or before.")
@click.option("--line", type=Number(1, 4, whole=True), help="Only cases that reached this line.")
@click.option("--pack", "pack_id", help="Only cases whose complaint this pack declares.")
@click.option("--fault", help="Only cases about this fault (fixed, proposed or escalated with).")
@click.option("--service-form", type=click.Choice(SERVICE_FORMS))
@click.option("--channel", type=click.Choice(CHANNELS))
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write charts into this folder.",
)
@click.option("--chart-format", type=click.Choice(["png", "svg"]), default="png", show_default=True)
@click.option(
    "--sla",
    "sla_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=f"Service levels merged onto the shipped ones [default: ${ENV_SLA}].",
)
@click.option(
    "--simulated/--real",
    "simulated",
    default=None,
    help="Only simulated history, or only real cases [default: both].",
)
@click.option(
    "--team",
    "team_only",
    is_flag=True,
    help="Only the team figures (per line, per agent, SLA breaches, at risk), computed in SQL.",
)
@click.option(
    "--risk-hours",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="A case is at risk when its SLA target falls within this many hours.",
)
@store_option
@packs_option
@json_option
def report(
    start: datetime | None,
    end: datetime | None,
    line: int | None,
    pack_id: str | None,
    fault: str | None,
    service_form: str | None,
    channel: str | None,
    charts_dir: Path | None,
    chart_format: str,
    sla_file: Path | None,
    simulated: bool | None,
    team_only: bool,
    risk_hours: float,
    store_path: str | None,
    packs: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Report Line 1 resolution, escalations, questions, time to resolve and SLA attainment.

    \b
    Examples:
      linewise report --store history.sqlite3
      linewise report --from 2026-02-01 --to 2026-02-28 --service-form premium --json
      linewise report --charts charts/ --chart-format svg
      linewise report --team --real --store postgresql://linewise@db/linewise
    """
    filters = Filters(
        start.date() if start else None,
        end.date() if end else None,
        line,
        pack_id,
        fault,
        service_form,
        channel,
    )
    kb = load_all(packs)
    filters.check(kb)
    levels = load_service_levels(sla_file)
    store = open_reader(store_path)
    chosen = CaseFilter(
        service_form=service_form,
        opened_from=start.date().isoformat() if start else None,
        opened_until=end.date().isoformat() if end else None,
        simulated=simulated,
    )
    try:
        team = team_figures(store, chosen, risk_hours=risk_hours)
        if team_only:
            click.echo(json.dumps(team, indent=2) if as_json else render_team(team))
            return
        data = tally(store, levels, kb=kb, filters=filters, simulated=simulated)
        data["learning"] = learning_figures(store, kb=kb, filters=filters, simulated=simulated)
        data["team"] = team
    finally:
        store.close()
    written: list[Path] = []
    if charts_dir is not None:
        from visualize.charts import write_charts

        written = write_charts(data, charts_dir, chart_format)
    if as_json:
        if written:
            data["charts"] = [str(p) for p in written]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(render_report(data))
    click.echo("")
    click.echo(render_team(team))
    if written:
        click.echo("\ncharts: " + ", ".join(str(p) for p in written))
