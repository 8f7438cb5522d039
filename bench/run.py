"""The benchmark command: linewise vs experta-as-usual vs CLIPS on generated knowledge.

    .venv/bin/python -m bench.run                       # R = 100, 1000, 5000
    .venv/bin/python -m bench.run --sizes 100,1000      # a quick run
    .venv/bin/python -m bench.run --sizes 100,1000,5000,20000 --name full

For each R it generates the packs and cases (seeded, under bench/results/tmp/),
measures each engine in its own process (bench/measure.py), checks that all
three fired the same rules on every case, prints the table with the ratios to
CLIPS and the fitted growth exponent of every stage (the scale guard), and
writes bench/results/<name>.json and <name>.md. See docs/bench.md.
"""

from __future__ import annotations

import importlib.util
import json
import math
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click

from bench.generate import generate

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ENGINES = ("linewise", "experta", "clips")
CLIPSPY = "clipspy==1.0.6"
STAGES = {
    "load_compile_s": ("load + validate + compile + first reset", "s"),
    "engine_run": ("per case: reset, declare, run (median)", "ms"),
    "replay_case": ("per case: batch replay / diagnose (median)", "ms"),
    "replay_case_p95": ("per case: batch replay (p95)", "ms"),
    "guided_step": ("guided step: answer, run, next question (median)", "ms"),
    "guided_step_p95": ("guided step (p95)", "ms"),
    "throughput_2": ("throughput on 2 cores", "cases/s"),
    "peak_rss_mb": ("peak memory (max RSS)", "MB"),
}


def _value(result: dict[str, Any], stage: str) -> float | None:
    if stage == "load_compile_s":
        return float(result["load_compile_s"])
    if stage == "peak_rss_mb":
        return float(result["peak_rss_mb"])
    if stage == "throughput_2":
        found = result.get("throughput", {}).get("cases_per_s_2")
        return float(found) if found is not None else None
    key = "p95_ms" if stage.endswith("_p95") else "median_ms"
    return float(result[stage.removesuffix("_p95")][key])


def ensure_clipspy() -> None:
    """Install the pinned clipspy (the `bench` extra) into this environment when missing."""
    if importlib.util.find_spec("clips") is None:
        click.echo(f"installing {CLIPSPY} (optional dependency 'bench')", err=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", CLIPSPY], check=True)


def slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(value) over log(R): 1 is linear, 0 is flat."""
    pts = [(math.log(r), math.log(v)) for r, v in points if v and v > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None


def _measure(
    engine: str, packs: Path, cases: Path, out: Path, limit: int, seconds: float
) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.measure", engine, str(packs), str(cases), str(out)]
    subprocess.run([*cmd, str(limit), str(seconds)], check=True, cwd=ROOT)
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def table(runs: dict[int, dict[str, dict[str, Any]]], engines: list[str]) -> str:
    """The Markdown table: one row per (stage, R), engines side by side, ratios to CLIPS."""
    head = ["stage", "R", *engines]
    if "clips" in engines:
        head += [f"{e} / CLIPS" for e in engines if e != "clips"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for stage, (title, unit) in STAGES.items():
        for r, by_engine in sorted(runs.items()):
            vals = {e: _value(by_engine[e], stage) if e in by_engine else None for e in engines}
            row = [f"{title} [{unit}]", f"{r:,}", *(_fmt(vals[e]) for e in engines)]
            if "clips" in engines:
                base = vals.get("clips")
                for e in engines:
                    mine = vals[e]
                    if e != "clips":
                        row.append(_fmt(mine / base) if mine is not None and base else "-")
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def exponents(runs: dict[int, dict[str, dict[str, Any]]], engines: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for engine in engines:
        for stage in STAGES:
            points = [
                (r, v)
                for r, by in sorted(runs.items())
                if engine in by and (v := _value(by[engine], stage)) is not None
            ]
            out.setdefault(engine, {})[stage] = slope(points)
    return out


@click.command()
@click.option("--sizes", default="100,1000,5000", show_default=True, help="rule counts R")
@click.option("--cases", "ncases", default=30, show_default=True, help="cases per R")
@click.option("--engines", default=",".join(ENGINES), show_default=True)
@click.option("--plain-cases", default=10, show_default=True, help="cap for experta above 1000")
@click.option("--throughput-s", default=2.0, show_default=True, help="seconds per pool run")
@click.option("--name", default="latest", show_default=True, help="results file name")
def main(
    sizes: str, ncases: int, engines: str, plain_cases: int, throughput_s: float, name: str
) -> None:
    """Benchmark linewise, experta (plain Rete) and CLIPS on the same generated knowledge.

    Example: .venv/bin/python -m bench.run --sizes 100,1000 --name quick
    """
    chosen = [e for e in ENGINES if e in engines.split(",")]
    if "clips" in chosen:
        ensure_clipspy()
    work = RESULTS / "tmp"
    runs: dict[int, dict[str, dict[str, Any]]] = {}
    mismatches: list[str] = []
    for r in (int(s) for s in sizes.split(",")):
        gen = generate(r, work, cases=ncases)
        runs[r] = {}
        for engine in chosen:
            limit = plain_cases if engine == "experta" and r > 1000 else ncases
            seconds = throughput_s if engine != "clips" else 0.0
            click.echo(f"R={r:,} {engine} ...", err=True)
            started = time.perf_counter()
            out = work / f"R{r}-{engine}.json"
            runs[r][engine] = _measure(engine, gen.packs_dir, gen.cases_dir, out, limit, seconds)
            click.echo(f"  done in {time.perf_counter() - started:.1f}s", err=True)
        reference = runs[r][chosen[0]]["fired"]
        for engine in chosen[1:]:
            for case, fired in runs[r][engine]["fired"].items():
                if reference.get(case) != fired:
                    mismatches.append(f"R={r} {case}: {chosen[0]} != {engine}")
    md = table(runs, chosen)
    slopes = exponents(runs, chosen)
    click.echo(md)
    click.echo("\ngrowth exponent over R (log-log slope; 0 flat, 1 linear, 2 quadratic):")
    for engine, by_stage in slopes.items():
        shown = ", ".join(f"{s}={v:.2f}" for s, v in by_stage.items() if v is not None)
        click.echo(f"  {engine}: {shown}")
    click.echo(
        "conclusions: identical on every case"
        if not mismatches
        else "conclusions DIFFER:\n  " + "\n  ".join(mismatches)
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    summary = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "sizes": sorted(runs),
        "cases": ncases,
        "conclusions_identical": not mismatches,
        "mismatches": mismatches,
        "growth_exponents": slopes,
        "runs": {
            str(r): {e: {k: v for k, v in res.items() if k != "fired"} for e, res in by.items()}
            for r, by in sorted(runs.items())
        },
    }
    (RESULTS / f"{name}.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    (RESULTS / f"{name}.md").write_text(f"# Benchmark `{name}`\n\n{md}\n", encoding="utf-8")
    if mismatches:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
