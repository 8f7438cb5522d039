"""One engine on one generated knowledge base, measured in its own process.

`python -m bench.measure ENGINE PACKS CASES OUT.json` loads, compiles, replays
every case and takes guided steps, then writes timings, peak memory and each
case's conclusion (rules fired, sorted) as JSON. A process per (engine, R) keeps
peak memory honest and the engines from warming each other's caches.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from engine.answers import read_case_input, to_facts
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.diagnose import diagnose
from engine.facts import FactSet
from engine.result import Diagnosis
from engine.select import next_question
from rules.knowledge import KnowledgeBase, load_knowledge

_WORKER: dict[str, Any] = {}


def _stats(samples: list[float]) -> dict[str, float]:
    """Median and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": statistics.median(ordered) * 1e3, "p95_ms": p95 * 1e3, "n": len(ordered)}


def _next_question(compiled: CompiledKnowledge, diagnosis: Diagnosis) -> str | None:
    """The guided session's own choice of the next question."""
    known = {f["key"]: f["value"] for f in diagnosis.facts}
    choice = next_question(compiled, known)
    return choice.question if choice is not None else None


def _cases(kb: KnowledgeBase, folder: Path) -> list[tuple[str, FactSet, dict[str, Any]]]:
    out = []
    for path in sorted(folder.glob("*.yaml")):
        loaded = read_case_input(path)
        case = loaded.case
        facts = to_facts(kb, case.intake, case.answers, loaded.source, fixes=case.fixes)
        out.append((path.stem, facts, dict(loaded.case.answers)))
    return out


def _throughput_worker(_: int) -> int:
    compiled: CompiledKnowledge = _WORKER["compiled"]
    for _name, facts, _answers in _WORKER["cases"]:
        diagnose(compiled, facts, line=1)
    return len(_WORKER["cases"])


def _throughput(compiled: CompiledKnowledge, cases: list[Any], seconds: float) -> dict[str, float]:
    """Cases per second diagnosed by one process, and by a pool over both cores (fork)."""
    _WORKER.update(compiled=compiled, cases=cases)
    out: dict[str, float] = {}
    for procs in (1, 2):
        with multiprocessing.get_context("fork").Pool(procs) as pool:
            pool.map(_throughput_worker, range(procs))  # warm up every worker
            start, done, rounds = time.perf_counter(), 0, 0
            while time.perf_counter() - start < seconds or rounds == 0:
                done += sum(pool.map(_throughput_worker, range(procs * 2)))
                rounds += 1
            out[f"cases_per_s_{procs}"] = done / (time.perf_counter() - start)
    return out


def measure_linewise(
    packs: Path, cases_dir: Path, matcher: str, limit: int, throughput_s: float
) -> dict[str, Any]:
    t0 = time.perf_counter()
    kb = load_knowledge([packs]).for_line(1)
    t1 = time.perf_counter()
    compiled = compile_knowledge(kb, matcher=matcher)  # type: ignore[arg-type]
    compiled.run([])  # the first reset (experta wires its Rete network per engine here)
    t2 = time.perf_counter()
    gc.freeze()  # the knowledge lives as long as the process: keep it out of GC passes
    cases = _cases(kb, cases_dir)[:limit]
    run_t, diag_t, fired = [], [], {}
    for name, facts, _ in cases:
        s = time.perf_counter()
        state = compiled.run(facts.canonical())
        run_t.append(time.perf_counter() - s)
        s = time.perf_counter()
        diagnose(compiled, facts, line=1)
        diag_t.append(time.perf_counter() - s)
        fired[name] = sorted(i for i, _ in state.fired)
    steps = []
    guided = 10 if matcher == "indexed" or len(kb.rules) <= 1000 else 2
    for _name, facts, answers in cases[:guided]:
        session = FactSet({k: f for k, f in facts.facts.items() if k.startswith("intake.")})
        for qid, raw in answers.items():
            s = time.perf_counter()
            session.answer(kb, qid, raw, at="bench")
            _next_question(compiled, diagnose(compiled, session, line=1))
            steps.append(time.perf_counter() - s)
    result: dict[str, Any] = {
        "load_validate_s": t1 - t0,
        "compile_first_reset_s": t2 - t1,
        "load_compile_s": t2 - t0,
        "engine_run": _stats(run_t),
        "replay_case": _stats(diag_t),
        "guided_step": _stats(steps),
        "fired": fired,
    }
    if throughput_s > 0:
        result["throughput"] = _throughput(compiled, cases, throughput_s)
    return result


def measure_clips(packs: Path, cases_dir: Path, limit: int) -> dict[str, Any]:
    from bench.clips_engine import ClipsEngine

    t0 = time.perf_counter()
    kb = load_knowledge([packs]).for_line(1)
    t1 = time.perf_counter()
    compiled = compile_knowledge(kb)  # for the NNF conditions only
    t_nnf = time.perf_counter()
    engine = ClipsEngine(compiled)
    t2 = time.perf_counter()
    gc.freeze()
    cases = _cases(kb, cases_dir)[:limit]
    run_t, fired = [], {}
    for name, facts, _ in cases:
        s = time.perf_counter()
        fired[name] = engine.run(facts.canonical())
        run_t.append(time.perf_counter() - s)
    steps = []
    for _name, facts, answers in cases[:10]:
        engine.run([(k, f.value) for k, f in facts.facts.items() if k.startswith("intake.")])
        for qid in answers:
            value = facts.facts[qid].value
            s = time.perf_counter()
            engine.add([(qid, value)])
            engine.fired()
            steps.append(time.perf_counter() - s)
    return {
        "load_validate_s": t1 - t0,
        "compile_first_reset_s": t2 - t_nnf,
        "load_compile_s": (t1 - t0) + (t2 - t_nnf),
        "engine_run": _stats(run_t),
        "replay_case": _stats(run_t),
        "guided_step": _stats(steps),
        "fired": fired,
    }


def main(argv: list[str]) -> None:
    engine, packs, cases, out = argv[0], Path(argv[1]), Path(argv[2]), Path(argv[3])
    limit = int(argv[4]) if len(argv) > 4 else 10**9
    throughput_s = float(argv[5]) if len(argv) > 5 else 0.0
    if engine == "clips":
        result = measure_clips(packs, cases, limit)
    else:
        matcher = "indexed" if engine == "linewise" else "plain"
        result = measure_linewise(packs, cases, matcher, limit, throughput_s)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
