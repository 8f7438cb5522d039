"""Benchmark (not a test): simulated agents driving guided sessions over HTTP.

Starts `linewise serve --workers 2` on 127.0.0.1 over a fresh store, then for each
N in --sessions keeps N agents busy, each with one open case: it answers the question
shown (from a Line 1 golden case; 'unknown' where the case has no answer), confirms the
fix, waits a think time between steps (exponential, mean --think seconds; 0 = flat out),
and opens the next case. A step is one answer or fix POST; its latency is measured at
the client. The same run measures the in-process guided step (the same desk calls the
server makes, one process, no HTTP) for the "HTTP costs less than the reasoning" target.

    .venv/bin/python -m bench.serve --sessions 50,200,1000 --seconds 30
    # writes bench/results/serve.json and serve.md

The client runs on the same machine as the server's two workers and takes CPU from
them; figures are therefore a lower bound for a server with cores of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from cases.desk import Desk
from cases.store import open_store
from rules.knowledge import load_knowledge
from web.work import Work

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
GOLDEN = HERE.parent / "cases" / "golden"
PASSWORD = "bench-password"


def line1_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(GOLDEN.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("line", 1) == 1:
            cases.append({"intake": data["intake"], "answers": data.get("answers", {})})
    return cases


def shown(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99)}


# ---- in process -------------------------------------------------------------------------


def in_process(cases: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """The same desk calls the server makes per step, in one process without HTTP."""
    folder = Path(tempfile.mkdtemp(prefix="lw-bench-"))
    work = Work(Desk(open_store(folder / "cases.sqlite3"), load_knowledge()))
    for case in cases[:3]:  # compile and warm up
        work.open(case["intake"], 1, agent="bench")
    latencies: list[float] = []
    start = time.perf_counter()
    index = 0
    while time.perf_counter() - start < seconds:
        case = cases[index % len(cases)]
        index += 1
        view = work.open(case["intake"], 1, agent="bench")
        while view.kind in ("ask", "fix") and time.perf_counter() - start < seconds:
            began = time.perf_counter()
            if view.kind == "ask" and view.question is not None:
                value = shown(case["answers"].get(view.question.ref, "unknown"))
                view = work.answer(view.case, view.step, view.question.ref, value, agent="bench")
            elif view.fix is not None:
                view = work.fix(view.case, view.step, view.fix.ref, True, agent="bench")
            latencies.append((time.perf_counter() - began) * 1000)
    elapsed = time.perf_counter() - start
    return {
        "steps": len(latencies),
        "steps_per_s": round(len(latencies) / elapsed, 1),
        **percentiles(latencies),
    }


# ---- over HTTP --------------------------------------------------------------------------


class Server:
    def __init__(self, workers: int) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="lw-serve-bench-"))
        self.env = {
            **os.environ,
            "LINEWISE_STORE": str(self.folder / "cases.sqlite3"),
            "LINEWISE_ADMIN_PASSWORD": PASSWORD,
            "LINEWISE_REGISTRY": str(self.folder / "registry"),
        }
        self.env.pop("LINEWISE_SECRET", None)
        linewise = str(Path(sys.executable).parent / "linewise")
        subprocess.run(
            [linewise, "user", "add", "bench", "--role", "line1", "--password-stdin"],
            input=PASSWORD,
            text=True,
            env=self.env,
            check=True,
            capture_output=True,
        )
        made = subprocess.run(
            [linewise, "user", "token", "bench"],
            text=True,
            env=self.env,
            check=True,
            capture_output=True,
        )
        self.token = made.stdout.strip()
        self.port = 18000 + random.randrange(2000)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (self.folder / "server.log").open("w")
        self.process = subprocess.Popen(
            [linewise, "serve", "--port", str(self.port), "--workers", str(workers)],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise SystemExit("the server did not start; see " + str(self.folder / "server.log"))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


async def agent(
    client: httpx.AsyncClient,
    cases: list[dict[str, Any]],
    seed: int,
    think: float,
    measure_from: float,
    stop_at: float,
    latencies: list[float],
    opens: list[float],
    errors: list[str],
) -> None:
    rng = random.Random(seed)
    if think:  # agents come in over one think time, not all in the same instant
        await asyncio.sleep(rng.uniform(0, think))
    while time.monotonic() < stop_at:
        case = cases[rng.randrange(len(cases))]
        began = time.perf_counter()
        try:
            opened = await client.post("/api/cases", json={"intake": case["intake"]})
            if time.monotonic() >= measure_from:
                opens.append((time.perf_counter() - began) * 1000)
        except httpx.TransportError as err:
            errors.append(f"open {type(err).__name__}")
            continue
        if opened.status_code != 201:
            errors.append(f"open {opened.status_code}")
            continue
        view = opened.json()
        while view["kind"] in ("ask", "fix") and time.monotonic() < stop_at:
            if think:
                await asyncio.sleep(min(rng.expovariate(1 / think), stop_at - time.monotonic()))
                if time.monotonic() >= stop_at:
                    break
            if view["kind"] == "ask":
                ref = view["question"]["ref"]
                path, body = (
                    "answer",
                    {
                        "step": view["step"],
                        "question": ref,
                        "value": shown(case["answers"].get(ref, "unknown")),
                    },
                )
            else:
                path, body = (
                    "fix",
                    {"step": view["step"], "fault": view["fix"]["ref"], "worked": True},
                )
            began = time.perf_counter()
            try:
                response = await client.post(f"/api/cases/{view['case']}/{path}", json=body)
            except httpx.TransportError as err:
                errors.append(f"{path} {type(err).__name__}")
                break
            if time.monotonic() >= measure_from:
                latencies.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                errors.append(f"{path} {response.status_code}")
                break
            view = response.json()


async def load(
    url: str, token: str, sessions: int, seconds: float, think: float, warmup: float = 0.0
) -> dict[str, Any]:
    """`sessions` agents for `warmup` + `seconds`; what happens in the warm-up (agents
    coming in and opening their first cases) is not counted."""
    cases = line1_cases()
    latencies: list[float] = []
    opens: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=sessions, max_keepalive_connections=sessions)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=120
    ) as client:
        measure_from = time.monotonic() + warmup
        stop_at = measure_from + seconds
        await asyncio.gather(
            *(
                agent(client, cases, n, think, measure_from, stop_at, latencies, opens, errors)
                for n in range(sessions)
            )
        )
        wall = time.monotonic() - measure_from
    elapsed = seconds  # what started in the measured time counts, over that time
    return {
        "sessions": sessions,
        "think_s": think,
        "warmup_s": warmup,
        "steps": len(latencies),
        "steps_per_s": round(len(latencies) / elapsed, 1),
        "opens": len(opens),
        "opens_p50": percentiles(opens)["p50"],
        "requests_per_s": round((len(latencies) + len(opens)) / elapsed, 1),
        "seconds": round(wall, 1),  # measured time and the requests in flight at its end
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        **percentiles(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", default="50,200,1000")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--think", default="1.0,0", help="mean think times to run (s; 0 = flat out)"
    )
    parser.add_argument(
        "--warmup", type=float, default=None, help="s not counted at the start [default: think + 5]"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--name", default="serve")
    args = parser.parse_args()
    cases = line1_cases()
    load_before = [round(x, 1) for x in os.getloadavg()]
    base = in_process(cases, min(args.seconds, 20))
    print(f"in process: {base}", flush=True)
    server = Server(args.workers)
    runs: list[dict[str, Any]] = []
    try:
        server.wait()
        asyncio.run(load(server.url, server.token, 5, 5, 0.0))  # compile in both workers
        for sessions in [int(n) for n in args.sessions.split(",")]:
            for think in [float(t) for t in args.think.split(",")]:
                warmup = args.warmup if args.warmup is not None else think + 5
                result = asyncio.run(
                    load(server.url, server.token, sessions, args.seconds, think, warmup)
                )
                result["of_in_process"] = round(result["steps_per_s"] / base["steps_per_s"], 2)
                print(result, flush=True)
                runs.append(result)
                write(args.name, args.workers, args.seconds, load_before, base, runs)
    finally:
        server.stop()


def write(
    name: str,
    workers: int,
    seconds: float,
    load_before: list[float],
    base: dict[str, Any],
    runs: list[dict[str, Any]],
) -> None:
    """The results so far (after each run: a long run cut short keeps what it measured)."""
    load_after = [round(x, 1) for x in os.getloadavg()]
    report: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores, client and server on the same machine",
        "load_average_at_end": load_after,
        "load_average_at_start": load_before,
        "workers": workers,
        "seconds_per_run": seconds,
        "in_process": base,
        "http": runs,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        f"# linewise serve --workers {workers}: simulated agents over HTTP",
        "",
        f"{report['machine']} (load average {load_before[0]} at the start, "
        f"{load_after[0]} at the end); "
        f"{seconds:g} s measured per run after a warm-up (think time + 5 s: agents "
        "come in over one think time); in process (no HTTP, one process): "
        f"{base['steps_per_s']} steps/s, p50 {base['p50']} ms, p95 {base['p95']} ms.",
        "",
        "| open sessions | think time | steps/s | of in-process | p50 ms | p95 ms | p99 ms "
        "| cases opened (p50 ms) | measured s | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r['sessions']} | {r['think_s']:g} s | {r['steps_per_s']} | "
            f"{r['of_in_process']:.0%} | {r['p50']} | {r['p95']} | {r['p99']} | "
            f"{r['opens']} ({r['opens_p50']}) | {r['seconds']} | {r['errors']} |"
        )
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
