"""Line 3's inner loop, timed: this tree against a baseline commit, in one run (issue 12).

    .venv/bin/python -m bench.loop                          # every measurement
    .venv/bin/python -m bench.loop --only check_rules       # one of them
    .venv/bin/python -m bench.loop --sizes 1000 --timeout 300

Each measurement is one function in MEASUREMENTS, taking the run's `Context` and
returning its figures for both trees; the results go to bench/results/loop.json (a
measurement run again replaces its own entry and keeps the others). The baseline is a
detached `git worktree` of BASELINE in the temporary folder, run with this tree's venv.
Every command is one child process; its wall time, CPU time and peak memory (max RSS)
come from `os.wait4`. A command that outlives --timeout is recorded as such.

To add a measurement: write `def measure_x(ctx: Context) -> dict[str, Any]` using
`ctx.both([...])` (or `ctx.run`) and add it to MEASUREMENTS.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TMP = RESULTS / "tmp"
BASELINE = "7b82dbf"  # main before issue 12's inner-loop work


@dataclass
class Context:
    """What every measurement may use: the two trees, sizes, limits and a scratch folder."""

    baseline: Path
    sizes: list[int]
    timeout: float
    scratch: Path
    commit: str = BASELINE
    histories: list[int] = field(default_factory=lambda: [5000, 50000])
    report_size: int = 100_000
    impact_baseline: bool = False  # the baseline's `pack diff --stored` replays every case
    baseline_sizes: list[int] = field(default_factory=lambda: [1000])  # it times out above
    notes: dict[str, Any] = field(default_factory=dict)

    def run(self, tree: Path, argv: list[str]) -> dict[str, Any]:
        """`python -m cli.main ARGV` in `tree`: exit code, wall s, CPU s, peak MB."""
        env = {**os.environ, "PYTHONPATH": str(tree)}
        env.setdefault("LINEWISE_STORE", str(self.scratch / "cases.sqlite3"))
        start = time.perf_counter()
        # the output goes to a file, not a pipe: a pipe read only at the end would block a
        # command printing more than the pipe holds (64 KB of findings) for ever
        with tempfile.TemporaryFile() as sink:
            child = subprocess.Popen(
                [sys.executable, "-m", "cli.main", *argv],
                cwd=tree,
                env=env,
                stdout=sink,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            deadline = start + self.timeout
            while True:
                pid, status, usage = os.wait4(child.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    os.killpg(child.pid, signal.SIGKILL)
                    os.wait4(child.pid, 0)
                    return {"timeout_s": self.timeout}
                time.sleep(0.05)
            wall = time.perf_counter() - start
            sink.seek(0)
            out = sink.read().decode(errors="replace")
        return {
            "exit": os.waitstatus_to_exitcode(status),
            "wall_s": round(wall, 2),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_mb": round(usage.ru_maxrss / 1024, 1),
            "last_line": out.strip().splitlines()[-1][:300] if out.strip() else "",
        }

    def both(self, argv: list[str]) -> dict[str, Any]:
        """The same command on the baseline and on this tree."""
        return {"baseline": self.run(self.baseline, argv), "branch": self.run(ROOT, argv)}


# ---- the measurements -------------------------------------------------------------------


def measure_check_rules(ctx: Context) -> dict[str, Any]:
    """`pack check --strict rules/` over the shipped packs (target: under 2 s wall, exact)."""
    argv = ["pack", "check", "--strict"]
    # each tree checks its own shipped packs (today's packs use fields the baseline lacks)
    return {
        "baseline": ctx.run(ctx.baseline, [*argv, str(ctx.baseline / "rules")]),
        "branch": ctx.run(ROOT, [*argv, str(ROOT / "rules")]),
    }


def measure_check_generated(ctx: Context) -> dict[str, Any]:
    """`pack check --strict` on generated packs of R rules (target: under 60 s at 20,000)."""
    from bench.generate import generate

    out: dict[str, Any] = {}
    for size in ctx.sizes:
        packs = generate(size, ctx.scratch, cases=1).packs_dir
        argv = ["pack", "check", "--strict", str(packs)]
        if size in ctx.baseline_sizes:
            out[f"R{size}"] = ctx.both(argv)
        else:
            out[f"R{size}"] = {"branch": ctx.run(ROOT, argv)}
    return out


def measure_start(ctx: Context) -> dict[str, Any]:
    """CLI start of the quick commands (bench/loop_start.py; target: 5x faster)."""
    from bench.loop_start import measure_start as start

    return start(ctx.commit, runs=3)


def measure_diff_stored(ctx: Context) -> dict[str, Any]:
    """`pack diff --stored` for a one-pack change over histories of N cases (bench/
    loop_impact.py; target: time in proportion to the cases the change can touch)."""
    from bench.loop_impact import diff_stored

    out: dict[str, Any] = {}
    for count in ctx.histories:
        entry = {"branch": diff_stored(ROOT, count)}
        if ctx.impact_baseline:
            entry["baseline"] = diff_stored(ctx.baseline, count)
        out[f"cases{count}"] = entry
    return out


def measure_guided_render(ctx: Context) -> dict[str, Any]:
    """`graph render --line 1 --view guided`, and a generated procedural pack's picture."""
    from bench.loop_impact import guided_render

    return {"branch": guided_render(ROOT), "baseline": guided_render(ctx.baseline)}


def measure_report(ctx: Context) -> dict[str, Any]:
    """`report --json` over a history of --report-size cases (aggregated in SQL)."""
    from bench.loop_impact import report

    return {"branch": report(ROOT, ctx.report_size)}


MEASUREMENTS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "check_rules": measure_check_rules,
    "check_generated": measure_check_generated,
    "start": measure_start,
    "diff_stored": measure_diff_stored,
    "guided_render": measure_guided_render,
    "report": measure_report,
}


# ---- the run ----------------------------------------------------------------------------


def baseline_tree(commit: str) -> Path:
    """A detached worktree of the baseline commit (made once, reused), outside the repo so
    that the linters and mypy never see it."""
    tree = Path(tempfile.gettempdir()) / f"linewise-baseline-{commit}"
    if not (tree / "cli").is_dir():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit],
            check=True,
            capture_output=True,
        )
    return tree


def _uptime() -> str:
    """`uptime` as printed (the load when the figure was taken: other jobs share the box)."""
    done = subprocess.run(["uptime"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


@click.command()
@click.option("--only", multiple=True, type=click.Choice(sorted(MEASUREMENTS)))
@click.option("--sizes", default="1000,5000,20000", show_default=True, help="R, generated.")
@click.option(
    "--baseline-sizes", default="1000", show_default=True, help="R the baseline checks too."
)
@click.option("--timeout", default=600.0, show_default=True, help="Seconds per command.")
@click.option("--baseline", "commit", default=BASELINE, show_default=True)
@click.option("--histories", default="5000,50000", show_default=True, help="Cases, diff.")
@click.option("--report-size", default=100_000, show_default=True, help="Cases, report.")
@click.option(
    "--impact-baseline", is_flag=True, help="Run `pack diff --stored` on the baseline too."
)
def main(
    only: tuple[str, ...],
    sizes: str,
    baseline_sizes: str,
    timeout: float,
    commit: str,
    histories: str,
    report_size: int,
    impact_baseline: bool,
) -> None:
    """Run the measurements and merge them into bench/results/loop.json."""
    scratch = TMP / "loop"
    scratch.mkdir(parents=True, exist_ok=True)
    ctx = Context(
        baseline=baseline_tree(commit),
        sizes=[int(s) for s in sizes.split(",") if s.strip()],
        baseline_sizes=[int(s) for s in baseline_sizes.split(",") if s.strip()],
        timeout=timeout,
        scratch=scratch,
        commit=commit,
        histories=[int(s) for s in histories.split(",") if s.strip()],
        report_size=report_size,
        impact_baseline=impact_baseline,
    )
    path = RESULTS / "loop.json"
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    results.setdefault("measurements", {})
    for name in only or sorted(MEASUREMENTS):
        click.echo(f"{name} ...", err=True)
        entry = MEASUREMENTS[name](ctx)
        entry["when"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        entry["load_average"] = [round(x, 2) for x in os.getloadavg()]
        entry["uptime"] = _uptime()
        results["measurements"][name] = entry
        click.echo(json.dumps(entry, indent=2), err=True)
    results["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count()}
    results["baseline"] = commit
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
