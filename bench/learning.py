"""Benchmark (not a test): what `learn` + publish does to a history that drifted from the packs.

A seeded history is simulated whose true fault frequencies and question times differ
from the packs' priors and costs (cases.simulate `drift`). `learn` runs on its first
part; the held-out part (later cases, other customers) is then worked twice by the real
guided session, with the same customers and the same random draws: before (the packs'
own values) and after (the learned overlay, as if published). Per run: questions and
minutes per case (all lines), Line 1 resolution, wrong first fixes (the first fix tried
was not for the true cause) and outcomes reached (the true cause's fix worked on some
line). It also says how far the learned shares are from the simulator's truth.

    .venv/bin/python -m bench.learning [--train 3000] [--test 1000] [--drift 1.0] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cases import cache
from cases.causes import causes, true_shares
from cases.learn import count_history
from cases.learn_estimate import estimate, overlay_text
from cases.pool import run_all
from cases.simulate import (
    BATCH,
    Batch,
    SimulatedCase,
    simulate,
    simulate_batch,
)
from cases.store import open_store
from cases.timeline import parse_time

RESULTS = Path(__file__).resolve().parent / "results" / "learning.json"


def _minutes_before_answers(case: SimulatedCase) -> float:
    total = 0.0
    for before, event in zip(case.events, case.events[1:], strict=False):
        if event.kind in ("answer", "unknown"):
            gap = (parse_time(event.at) - parse_time(before.at)).total_seconds() / 60
            total += max(gap, 0.0)
    return total


def measure(done: list[SimulatedCase]) -> dict[str, Any]:
    """The held-out figures of one run."""
    n = len(done)
    questions = sum(1 for c in done for e in c.events if e.kind in ("answer", "unknown"))
    line1 = sum(1 for c in done for e in c.events if e.kind == "fix_worked" and e.line == 1)
    wrong_first = 0
    reached = 0
    for case in done:
        first = next((e for e in case.events if e.kind == "fix_proposed"), None)
        if first is not None and first.fault != case.cause:
            wrong_first += 1
        if any(e.kind == "fix_worked" for e in case.events):
            reached += 1
    return {
        "cases": n,
        "questions_per_diagnosis": round(questions / n, 3),
        "minutes_per_diagnosis": round(sum(map(_minutes_before_answers, done)) / n, 2),
        "line1_resolution": round(line1 / n, 4),
        "wrong_first_fixes": wrong_first,
        "outcomes_reached": reached,
    }


def held_out(
    files: cache.PackFiles, start: int, count: int, seed: int, drift: float, overlay: str | None
) -> list[SimulatedCase]:
    stop = start + count
    batches = [
        Batch(b, min(b + BATCH, stop), stop, seed, 90, files, (), drift, overlay)
        for b in range(start, stop, BATCH)
    ]
    return [c for part in run_all(simulate_batch, batches, serial_below=2) for c in part]


def distance(overlay: Any, truth: dict[str, dict[str, float]]) -> dict[str, float]:
    """Mean total-variation distance between learned (and prior) shares and the truth,
    over complaints with a confirmed cause, among the faults the truth knows."""
    learned: list[float] = []
    prior: list[float] = []
    for complaint, shares in truth.items():
        found = overlay.complaints.get(complaint)
        if found is None:
            continue
        for source, out in (("learned", learned), ("prior", prior)):
            values = {f: getattr(found.faults[f], source) for f in shares if f in found.faults}
            total = sum(values.values()) or 1.0
            out.append(0.5 * sum(abs(values.get(f, 0) / total - p) for f, p in shares.items()))
    return {
        "complaints": len(learned),
        "learned_tv": round(sum(learned) / max(len(learned), 1), 4),
        "prior_tv": round(sum(prior) / max(len(prior), 1), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.learning")
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--drift", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    files = cache.resolve_files(None)
    kb = cache.knowledge(files)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "history.sqlite3")
        try:
            simulate(store, args.train, args.seed, drift=args.drift)
            overlay = estimate(kb, count_history(store), version="1.0.0", store="bench", since=None)
        finally:
            store.close()
        path = Path(tmp) / "learned.yaml"
        path.write_text(overlay_text(overlay), encoding="utf-8")
        start = args.train
        before = measure(held_out(files, start, args.test, args.seed, args.drift, None))
        after = measure(held_out(files, start, args.test, args.seed, args.drift, str(path)))
    truth = true_shares(causes(kb, [], args.seed, args.drift))
    fewer = 1 - after["questions_per_diagnosis"] / before["questions_per_diagnosis"]
    result = {
        "seed": args.seed,
        "drift": args.drift,
        "train_cases": args.train,
        "held_out_cases": args.test,
        "questions_per_diagnosis_before": before["questions_per_diagnosis"],
        "questions_per_diagnosis_after": after["questions_per_diagnosis"],
        "minutes_per_diagnosis_before": before["minutes_per_diagnosis"],
        "minutes_per_diagnosis_after": after["minutes_per_diagnosis"],
        "line1_resolution_before": before["line1_resolution"],
        "line1_resolution_after": after["line1_resolution"],
        "wrong_first_fixes_before": before["wrong_first_fixes"],
        "wrong_first_fixes_after": after["wrong_first_fixes"],
        "outcomes_reached_before": before["outcomes_reached"],
        "outcomes_reached_after": after["outcomes_reached"],
        "fewer_questions": round(fewer, 4),
        "target": {
            "fewer_questions_at_least": 0.15,
            "met": fewer >= 0.15
            and after["wrong_first_fixes"] < before["wrong_first_fixes"]
            and after["outcomes_reached"] >= before["outcomes_reached"],
        },
        "share_distance": distance(overlay, truth),
        "seconds": round(time.perf_counter() - started, 1),
        "machine": {"load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
