"""Line 3's loop, issue 12 items 6-7: `pack diff --stored`, the guided picture, `report`.

Functions `bench/loop.py` can call (each returns plain data for its JSON), and a command
that runs them all against two checkouts (today's main and this branch):

    .venv/bin/python -m bench.loop_impact --base /path/to/main-checkout --name loop_impact

Every figure is one run of the real CLI in a subprocess (`python -m cli.main ...` in the
checkout, with its own venv), timed as wall and CPU seconds (the child's user + system
time). Histories are written by the checkout under test (`build_history`, run in that
checkout), so each store has the schema that linewise knows. The one-pack change is
network-wired with a cheaper question, a weaker rule and one more question (the change
`tests/test_pack_diff.py` uses).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TMP = RESULTS / "tmp" / "loop_impact"
WIRED = Path("rules") / "line1" / "network_wired.yaml"
GOLDEN = Path("cases") / "golden" / "network-wired"


def run(checkout: Path, argv: list[str], timeout: float = 7200) -> dict[str, Any]:
    """One CLI run in `checkout`: exit code, wall and CPU seconds, stdout."""
    python = _python(checkout)
    env = {**os.environ, "PYTHONPATH": str(checkout), "LINEWISE_REGISTRY": ""}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [str(python), "-m", "cli.main", *argv],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "rc": done.returncode,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "stdout": done.stdout,
        "stderr": done.stderr[-2000:],
    }


def _python(checkout: Path) -> Path:
    """The checkout's own venv, else this one (bench/loop.py's baseline worktree has none)."""
    own = checkout / ".venv" / "bin" / "python"
    return own if own.exists() else Path(sys.executable)


def changed_pack(folder: Path) -> Path:
    """network-wired 1.1.0: a cheaper spare-cable check, a weaker rule, one more question."""
    text = (ROOT / WIRED).read_text(encoding="utf-8")
    text = text.replace("version: 1.0.0", "version: 1.1.0", 1)
    text = text.replace("    cost: 5\n", "    cost: 3\n", 1)
    text = text.replace(
        "      - conclude: wired_cable_faulty\n        certainty: 0.8\n",
        "      - conclude: wired_cable_faulty\n        certainty: 0.5\n",
        1,
    )
    text = text.replace(
        "questions:\n",
        "questions:\n  - id: wired_dock_used\n    text: Is the laptop in a dock?\n"
        "    type: yesno\n",
        1,
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "network_wired.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ---- histories (run inside the checkout under test: `python -m bench.loop_impact build`)


def _value(question: Any, rng: random.Random) -> Any:
    if question.type == "yesno":
        return rng.random() < 0.5
    if question.type == "choice":
        return rng.choice([o.value for o in question.options])
    if question.type == "number":
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else 100
        return round(rng.uniform(low, high))
    return "something"


def build_history(path: Path, count: int, seed: int = 12) -> int:
    """A store of `count` Line 1 cases over every shipped complaint: each answers 3-6 of
    its pack's questions (distinct answer sets, so no two re-run alike), then a fix worked,
    a fix failed and the case escalated to Line 2, or it escalated at once."""
    from cases.model import Event
    from cases.store import open_store
    from rules.knowledge import load_knowledge

    kb = load_knowledge()
    line1 = kb.for_line(1)
    versions = line1.versions()
    complaints = sorted(
        (s.id, pid) for pid, p in line1.packs.items() for s in p.pack.symptoms if p.pack.line == 1
    )
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 9, 0)
    store = open_store(path)
    try:
        batch: list[tuple[dict[str, Any], list[Event]]] = []
        for number in range(count):
            complaint, pid = complaints[rng.randrange(len(complaints))]
            pack = line1.packs[pid].pack
            opened = start + timedelta(minutes=7 * number)

            def at(minutes: int, opened: datetime = opened) -> str:
                return (opened + timedelta(minutes=minutes)).isoformat() + "+00:00"

            intake = {
                "complaint": complaint,
                "service_form": rng.choice(["paid", "warranty", "premium"]),
                "channel": "phone",
                "customer": f"Customer {number}",
            }
            events = [
                Event(at=at(0), line=1, kind="opened", data={"intake": intake}),
                Event(at=at(1), line=1, kind="session_started", data={"packs": versions}),
            ]
            asked = rng.sample(pack.questions, min(len(pack.questions), rng.randint(3, 6)))
            for minute, question in enumerate(asked, 2):
                events.append(
                    Event(
                        at=at(minute),
                        line=1,
                        kind="answer",
                        question=question.id,
                        value=_value(question, rng),
                        cost=1.0,
                    )
                )
            fault = rng.choice(pack.faults).id if pack.faults else None
            roll = rng.random()
            if fault is not None and roll < 0.8:
                events.append(Event(at=at(10), line=1, kind="fix_proposed", fault=fault))
                worked = roll < 0.65
                kind = "fix_worked" if worked else "fix_failed"
                events.append(Event(at=at(12), line=1, kind=kind, fault=fault))
            if roll >= 0.65 or fault is None:
                escalation = {"to_line": 2, "kind": "no_rule", "reason": "no_rule"}
                events.append(
                    Event(
                        at=at(14),
                        line=1,
                        kind="escalated",
                        reason="no_rule",
                        data={"handoff": {"to_line": 2, "escalation": escalation}},
                    )
                )
            batch.append((intake, events))
            if len(batch) == 5000:
                store.import_cases(batch, simulated=True)
                batch = []
        store.import_cases(batch, simulated=True)
    finally:
        store.close()
    return count


def history(checkout: Path, count: int) -> Path:
    """The history of `count` cases written by `checkout` (kept between runs)."""
    tag = "branch" if checkout.resolve() == ROOT else "base"
    path = TMP / f"{tag}-{count}.sqlite3"
    if not path.exists():
        TMP.mkdir(parents=True, exist_ok=True)
        python = _python(checkout)
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        subprocess.run(
            [str(python), str(Path(__file__).resolve()), "build", str(path), str(count)],
            cwd=checkout,
            env=env,
            check=True,
        )
    return path


# ---- the measurements ---------------------------------------------------------------


def diff_stored(checkout: Path, count: int) -> dict[str, Any]:
    """`pack diff --stored` for the one-pack change over a history of `count` cases (on a
    fresh copy of the store: the first run, index included)."""
    store = history(checkout, count)
    copy = store.with_suffix(".run.sqlite3")
    shutil.copyfile(store, copy)
    new = changed_pack(TMP / "new")
    argv = ["pack", "diff", str(WIRED), str(new), "--stored", "--store", str(copy)]
    result = run(checkout, [*argv, "--cases", str(GOLDEN), "--json", "--jobs", "1"])
    out: dict[str, Any] = {"cases": count, **_times(result)}
    if result["rc"] == 0:
        data = json.loads(result["stdout"])
        impact = data["impact"]
        golden = sum(1 for _ in (checkout / GOLDEN).glob("*.yaml"))
        stored = data.get("stored")
        out["replayed_stored"] = stored["replayed"] if stored else impact["replayed"] - golden
        out["reached_line"] = stored["reached"] if stored else None
        out["changed"] = impact["changed"]
    copy.unlink(missing_ok=True)
    return out


def _times(result: dict[str, Any]) -> dict[str, Any]:
    out = {"wall_s": result["wall_s"], "cpu_s": result["cpu_s"], "rc": result["rc"]}
    if result["rc"] != 0:
        out["error"] = result["stderr"]
    return out


def _boxes(dot: str) -> int:
    """Boxes drawn in a DOT picture, legend left out."""
    return len(re.findall(r"^\t(?!legend_)\S+ \[label=", dot, flags=re.MULTILINE))


def guided_render(checkout: Path, max_nodes: int = 2000) -> dict[str, Any]:
    """`graph render --line 1 --view guided` (DOT, whole line), and on one generated
    procedural pack (bench/generate.py, R = 50) the boxes drawn."""
    TMP.mkdir(parents=True, exist_ok=True)
    out_file = TMP / f"guided-{'branch' if checkout.resolve() == ROOT else 'base'}.dot"
    result = run(
        checkout, ["graph", "render", "--line", "1", "--view", "guided", "-o", str(out_file)]
    )
    line = {**_times(result)}
    if result["rc"] == 0:
        dot = out_file.read_text(encoding="utf-8")
        line.update(boxes=_boxes(dot), dot_kb=round(len(dot) / 1024, 1))
    packs_dir = TMP / "generated" / "R50" / "packs"
    if not packs_dir.exists():
        from bench.generate import generate

        generate(50, TMP / "generated", cases=1, seed=6)
    args = ["--packs", str(packs_dir)]
    proc = run(
        checkout,
        [
            "graph",
            "render",
            *args,
            "--line",
            "1",
            "--view",
            "guided",
            "--max-nodes",
            str(max_nodes),
            "-o",
            str(out_file),
        ],
    )
    procedural = {**_times(proc)}
    if proc["rc"] == 0:
        procedural["boxes"] = _boxes(out_file.read_text(encoding="utf-8"))
    return {"line1": line, "procedural_pack": procedural}


def report(checkout: Path, count: int) -> dict[str, Any]:
    """`linewise report --json` over a history of `count` cases."""
    store = history(checkout, count)
    result = run(checkout, ["report", "--store", str(store), "--json"])
    out: dict[str, Any] = {"cases": count, **_times(result)}
    if result["rc"] == 0:
        out["reported_cases"] = json.loads(result["stdout"])["cases"]
    return out


def measure_one(tag: str, what: str, checkout: Path, size: int, out: Path) -> None:
    """One measurement, appended to `out` as a JSON line as soon as it is done (so a run
    cut short still keeps what it measured)."""
    if what == "diff_stored":
        result: dict[str, Any] = diff_stored(checkout, size)
    elif what == "guided_render":
        result = guided_render(checkout, size)
    else:
        result = report(checkout, size)
    line = {"checkout": tag, "measure": what, "load": os.getloadavg(), **result}
    with out.open("a", encoding="utf-8") as file:
        file.write(json.dumps(line) + "\n")


def measure_all(
    base: Path, sizes: list[int], report_size: int, base_sizes: list[int] | None = None
) -> dict[str, Any]:
    """Every measurement on `base` (today's main) and this branch; `base_sizes`: the
    history sizes for main's `pack diff --stored`, when fewer than the branch's fit."""
    out: dict[str, Any] = {}
    for tag, checkout in (("branch", ROOT), ("base", base)):
        chosen = sizes if tag == "branch" or base_sizes is None else base_sizes
        out[tag] = {
            "diff_stored": [diff_stored(checkout, n) for n in chosen],
            "guided_render": guided_render(checkout),
            "report": report(checkout, report_size),
        }
        print(json.dumps({tag: out[tag]}, indent=2), flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["build"]:
        build_history(Path(args[1]), int(args[2]))
        return 0
    if args[:1] == ["one"]:  # one TAG MEASURE CHECKOUT SIZE OUT.jsonl
        measure_one(args[1], args[2], Path(args[3]), int(args[4]), Path(args[5]))
        return 0
    parser = argparse.ArgumentParser(prog="bench.loop_impact")
    parser.add_argument("--base", type=Path, required=True, help="a checkout of today's main")
    parser.add_argument("--sizes", default="5000,50000")
    parser.add_argument("--base-sizes", default=None, help="[default: --sizes]")
    parser.add_argument("--report-size", type=int, default=100_000)
    parser.add_argument("--name", default="loop_impact")
    opts = parser.parse_args(args)
    sizes = [int(s) for s in opts.sizes.split(",")]
    base_sizes = [int(s) for s in opts.base_sizes.split(",")] if opts.base_sizes else None
    data = {
        "machine": {"load": os.getloadavg(), "cpus": os.cpu_count()},
        "base_commit": _commit(opts.base),
        "branch_commit": _commit(ROOT),
        "sizes": sizes,
        **measure_all(opts.base, sizes, opts.report_size, base_sizes),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{opts.name}.json").write_text(json.dumps(data, indent=2) + "\n")
    return 0


def _commit(checkout: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


if __name__ == "__main__":
    raise SystemExit(main())
