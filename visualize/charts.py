"""Charts of a metrics report (PNG or SVG) for the trends a manager would rather look at.

Takes the report as data (`cases.metrics.report(...)`, the same dict `--json`
prints) and never touches cases or the engine. matplotlib runs on its Agg backend
(no display needed); every chart is written with a fixed size and no timestamps in
its metadata, so the same report gives the same files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

FORMATS = ("png", "svg")
# what each escalation reason means, for people (the report keys them by kind)
REASONS = {
    "rule": "a rule requires it",
    "needs_line": "the fault needs a higher line",
    "no_rule": "no rule applies",
    "below_threshold": "no fault is certain enough",
    "question_budget": "question budget spent",
    "sla_spent": "SLA time budget spent",
    "fix_failed": "the fix did not work",
    "agent": "the agent escalated",
    "self_service": "self-service handed over",
}
SERVICE_FORMS = {
    "warranty": "Warranty",
    "paid": "Paid service",
    "premium": "Premium",
    "self_service": "Self-service",
}
COLOURS = {"met": "#4c9f70", "breached": "#d1495b", "main": "#2e86ab", "band": "#f6d55c"}


def _save(fig: Figure, folder: Path, name: str, fmt: str) -> Path:
    path = folder / f"{name}.{fmt}"
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.tight_layout()
    fig.savefig(path, format=fmt, dpi=110, metadata=metadata)
    plt.close(fig)
    return path


def weekly_trend(data: dict[str, Any]) -> Figure:
    """Cases per week (bars) and the Line 1 resolution rate against the expected band."""
    weeks = data["weekly"]
    fig, ax = plt.subplots(figsize=(9, 4))
    labels = [w["week"][5:] for w in weeks]
    ax.bar(labels, [w["cases"] for w in weeks], color="#c9d6df", label="cases")
    ax.set_ylabel("cases per week")
    ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    rate = ax.twinx()
    low, high = data["line1"]["expected"]
    rate.axhspan(low * 100, high * 100, color=COLOURS["band"], alpha=0.3, label="expected 70-80%")
    values = [(w["line1_rate"] or 0) * 100 for w in weeks]
    rate.plot(labels, values, color=COLOURS["main"], marker="o", label="Line 1 resolution %")
    rate.set_ylim(0, 100)
    rate.set_ylabel("Line 1 resolution rate (%)")
    rate.legend(loc="lower right", fontsize=8)
    ax.set_title("Cases per week and Line 1 resolution rate")
    return fig


def escalation_reasons(data: dict[str, Any]) -> Figure:
    reasons = data["escalation"]["by_reason"]
    ranked = sorted(reasons.items(), key=lambda kv: kv[1]["count"])
    fig, ax = plt.subplots(figsize=(7, 3.5))
    names = [REASONS.get(k, k.replace("_", " ")) for k, _ in ranked]
    ax.barh(names, [v["count"] for _, v in ranked], color=COLOURS["main"])
    ax.set_xlabel("escalations")
    ax.set_title("Escalations by reason")
    return fig


def questions_histogram(data: dict[str, Any]) -> Figure:
    histogram = data["questions"]["histogram"]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar([int(k) for k in histogram], list(histogram.values()), color=COLOURS["main"])
    mean = data["questions"]["per_diagnosis"]["mean"]
    if mean is not None:
        ax.axvline(mean, color=COLOURS["breached"], linestyle="--", label=f"mean {mean:.1f}")
        ax.legend(fontsize=8)
    ax.set_xlabel("questions asked")
    ax.set_ylabel("resolved cases")
    ax.set_title("Questions per diagnosis")
    return fig


def time_to_resolve(data: dict[str, Any]) -> Figure:
    values = data["time_to_resolve"]["values"]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist(values, bins=40, color=COLOURS["main"])
    ax.set_xlabel("hours to resolve (vendor waits excluded)")
    ax.set_ylabel("resolved cases")
    ax.set_title("Time to resolve")
    return fig


def sla_attainment(data: dict[str, Any], labels: dict[str, str] | None = None) -> Figure:
    """Share of first responses and resolutions within target per form of service, each
    form with its attainment goal (from the service levels) as a target line."""
    forms = data["sla"]["by_service_form"]
    names = list(forms)
    titles = {**SERVICE_FORMS, **(labels or {})}
    fig, ax = plt.subplots(figsize=(7, 3.8))
    width = 0.38
    for offset, key in ((-width / 2, "first_response"), (width / 2, "resolution")):
        rates = [(forms[n][key]["rate"] or 0) * 100 for n in names]
        ax.bar([i + offset for i in range(len(names))], rates, width, label=key.replace("_", " "))
    drawn = False
    for i, name in enumerate(names):
        goal = forms[name].get("goal")
        if goal is None:
            continue
        ax.hlines(
            goal * 100,
            i - width - 0.05,
            i + width + 0.05,
            colors=COLOURS["breached"],
            linestyles="--",
            label="_nolegend_" if drawn else "target",
        )
        ax.annotate(
            f"{goal * 100:g}%",
            (i + width + 0.05, goal * 100),
            fontsize=7,
            color=COLOURS["breached"],
            va="center",
        )
        drawn = True
    ax.set_xticks(range(len(names)), [titles.get(n, n) for n in names])
    ax.set_ylim(0, 105)
    ax.set_ylabel("within target (%)")
    ax.set_title("SLA attainment by form of service")
    ax.legend(fontsize=8, loc="lower left")
    return fig


def top_faults(data: dict[str, Any]) -> Figure:
    faults = list(reversed(data["top_faults"]))
    fig, ax = plt.subplots(figsize=(7, 3.5))
    names = [f.get("title") or f["fault"] for f in faults]
    ax.barh(names, [f["resolved"] for f in faults], color=COLOURS["met"])
    ax.set_xlabel("resolved cases")
    ax.set_title("Top faults")
    return fig


CHARTS = {
    "weekly_trend": weekly_trend,
    "escalation_reasons": escalation_reasons,
    "questions_per_diagnosis": questions_histogram,
    "time_to_resolve": time_to_resolve,
    "sla_attainment": sla_attainment,
    "top_faults": top_faults,
}


def write_charts(data: dict[str, Any], folder: Path, fmt: str = "png") -> list[Path]:
    """Every chart of the report into `folder`; the paths written, in a stable order."""
    folder.mkdir(parents=True, exist_ok=True)
    plt.rcParams["svg.hashsalt"] = "linewise"
    plt.rcParams["svg.fonttype"] = "none"  # texts stay text: searchable, readable by tools
    return [_save(make(data), folder, name, fmt) for name, make in CHARTS.items()]
