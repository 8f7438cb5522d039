"""CLI start time: how long the quick commands take, here and on an older commit.

    .venv/bin/python -m bench.loop_start                   # against main's 7b82dbf
    .venv/bin/python -m bench.loop_start --against HEAD~3 --runs 5

`measure_start()` is the function bench/loop.py calls for its "CLI start" row: each
command runs `--runs` times in a fresh interpreter (this venv's Python) from a
checkout of each tree, and the median CPU time (user + system, of the child process)
and wall time are kept, with the smallest CPU time (the least disturbed by other jobs).
The older commit is checked out in a temporary git worktree; its packages shadow this
tree's (Python puts the working folder first on the path).

`pack validate FILE` is measured three ways, because linewise keeps the parse of pack
files between runs (rules.parse_cache): the same file again (every parse from the
cache), a file edited before every run (the edit loop: the file given is parsed, its
context comes from the cache) and with an empty cache each run (the first run after an
upgrade). `case show` runs without a store (refused) and on a store of a few simulated
cases that each tree makes itself (the schemas differ between commits).
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "7b82dbf"  # main before issue 12: every subcommand imported at start
WIFI = "rules/line1/wifi.yaml"


@dataclass(frozen=True)
class Command:
    """A quick command: its arguments and what each run is given."""

    argv: tuple[str, ...]
    store: bool = False  # a store of a few simulated cases (else a path with no store)
    edited: bool = False  # "{edited}" in argv: a copy of wifi.yaml, changed before each run
    cold: bool = False  # an empty parse cache for each run


COMMANDS: dict[str, Command] = {
    "--version": Command(("--version",)),
    "--help": Command(("--help",)),
    "pack validate FILE": Command(("pack", "validate", WIFI)),
    "pack validate FILE (edited)": Command(("pack", "validate", "{edited}"), edited=True),
    "pack validate FILE (cold cache)": Command(("pack", "validate", WIFI), cold=True),
    "pack schema": Command(("pack", "schema")),
    "case show (no store)": Command(("case", "show", "C-000001")),
    "case show (a store)": Command(("case", "show", "C-000001"), store=True),
}


def _run_once(tree: Path, command: Command, home: Path, run: int) -> tuple[float, float]:
    """(cpu seconds, wall seconds) of one `python -m cli.main ARGV` in `tree`."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LINEWISE_STORE": str(home / "no.db")}
    if command.store:
        env["LINEWISE_STORE"] = str(_store(tree, home))
    if command.cold:
        env["LINEWISE_CACHE"] = tempfile.mkdtemp(prefix="cold-", dir=home)
    edited = home / "edited" / "wifi.yaml"
    if command.edited:
        edited.parent.mkdir(exist_ok=True)
        edited.write_text((ROOT / WIFI).read_text("utf-8") + f"# edit {run}\n", "utf-8")
    argv = [arg.replace("{edited}", str(edited)) for arg in command.argv]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cli.main", *argv],
        cwd=tree,
        env=env,
        capture_output=True,
        check=False,
        timeout=300,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _store(tree: Path, home: Path) -> Path:
    """A store of three simulated cases made by `tree` itself (made once per tree)."""
    path = home / f"{tree.name}-cases.sqlite3"
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "cli.main", "cases", "simulate", "--count", "3"]
            + ["--seed", "1", "--store", str(path)],
            cwd=tree,
            env={"PATH": "/usr/bin:/bin", "HOME": str(home)},
            capture_output=True,
            check=True,
            timeout=600,
        )
    return path


def _tree_stats(tree: Path, runs: int, home: Path) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name, command in COMMANDS.items():
        _run_once(tree, command, home, 0)  # warm the file cache (and the parse cache)
        samples = [_run_once(tree, command, home, run) for run in range(1, runs + 1)]
        out[name] = {
            "cpu_s": round(statistics.median(s[0] for s in samples), 3),
            "cpu_min_s": round(min(s[0] for s in samples), 3),
            "wall_s": round(statistics.median(s[1] for s in samples), 3),
        }
    return out


def measure_start(against: str = BASELINE, runs: int = 5) -> dict[str, Any]:
    """The quick commands' start, on this tree and on commit `against`, with the ratio."""
    with tempfile.TemporaryDirectory(prefix="linewise-start-") as tmp:
        base = Path(tmp) / "base"
        home = Path(tmp) / "home"
        home.mkdir()
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), against],
            check=True,
            capture_output=True,
        )
        try:
            old = _tree_stats(base, runs, home)
            new = _tree_stats(ROOT, runs, home)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                check=False,
                capture_output=True,
            )
    commands = {
        name: {
            "before": old[name],
            "now": new[name],
            "cpu_speedup": round(old[name]["cpu_s"] / max(new[name]["cpu_s"], 1e-3), 1),
        }
        for name in COMMANDS
    }
    return {"against": against, "runs": runs, "commands": commands}


@click.command()
@click.option("--against", default=BASELINE, show_default=True, help="The commit to compare.")
@click.option("--runs", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write the JSON here.")
def main(against: str, runs: int, out: Path | None) -> None:
    """Measure the quick commands' start against an older commit and print the table."""
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    result = measure_start(against, runs)
    result["load_before"] = load_before
    result["load"] = Path("/proc/loadavg").read_text().split()[:3]
    text = json.dumps(result, indent=2)
    if out is not None:
        out.write_text(text + "\n")
    click.echo(text)


if __name__ == "__main__":
    main()
