"""Store benchmark: append throughput and latency per writer count, and report time by size.

    PG_DURABLE=1 bash scripts/with-postgres .venv/bin/python -m bench.store [--seconds 5]

For SQLite and (when $LINEWISE_TEST_POSTGRES names a cluster) PostgreSQL:
- 1, 4 and 16 writer processes append events for `--seconds`, each to its own cases (a
  new case every 20 events, as sessions do): events/s over all writers, and the median and
  p95 latency of one append (its own transaction, committed durably);
- `report --team` (the SQL figures) and the full `report` (aggregated in SQL: cases.tally)
  over 10,000 and 100,000 cases, made by replicating a simulated history (real guided
  sessions, 500 cases) with new ids, not by running 100,000 sessions: up to 10,000
  through the store (import_cases), beyond by doubling those rows in SQL;
  `--python-report-up-to` also times the Python reference (cases.metrics).
Results go to bench/results/NAME.json and NAME.md, with the machine's load (`uptime`).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from cases.figures import team_figures
from cases.metrics import report as python_report
from cases.model import Event
from cases.simulate import simulate
from cases.sla import load_service_levels
from cases.store import SQLStore, StoreError, open_store
from cases.tables import cases
from cases.tally import tally

RESULTS = Path(__file__).resolve().parent / "results"
EVENTS_PER_CASE = 20
BULK_FROM = 10_000


def _writer(url: str, seconds: float, start: Any, out: Any) -> None:
    store = open_store(url)
    start.wait()
    latencies: list[float] = []
    failed: list[str] = []
    deadline = time.perf_counter() + seconds
    case_id = ""
    n = 0
    while time.perf_counter() < deadline:
        try:
            if n % EVENTS_PER_CASE == 0:
                case_id = store.create({"complaint": "bench"}, "2026-01-05T08:00:00+00:00")
        except StoreError as err:  # e.g. SQLite's busy timeout with many writers
            failed.append(err.message)
            continue
        event = Event(
            at="2026-01-05T08:01:00+00:00",
            line=1,
            kind="answer",
            question="q",
            value=n,
            agent="bench",
            channel="bench",
        )
        began = time.perf_counter()
        try:
            store.append(case_id, event)
        except StoreError as err:
            failed.append(err.message)
            continue
        latencies.append(time.perf_counter() - began)
        n += 1
    store.close()
    out.put((latencies, failed))


def appends(url: str, writers: int, seconds: float) -> dict[str, Any]:
    """Events/s and append latency with `writers` processes at once."""
    open_store(url).close()  # schema made before the clock starts
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    out = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, seconds, start, out)) for _ in range(writers)]
    for proc in procs:
        proc.start()
    time.sleep(1.0 + 0.2 * writers)  # let every writer open its store
    start.set()
    all_latencies: list[float] = []
    failures: list[str] = []
    for _ in procs:
        latencies, failed = out.get(timeout=seconds + 300)
        all_latencies.extend(latencies)
        failures.extend(failed)
    for proc in procs:
        proc.join()
    all_latencies.sort()
    return {
        "writers": writers,
        "events": len(all_latencies),
        "events_per_s": round(len(all_latencies) / seconds, 1),
        "median_ms": round(statistics.median(all_latencies) * 1000, 2),
        "p95_ms": round(all_latencies[int(len(all_latencies) * 0.95)] * 1000, 2),
        "failed": len(failures),
        "failures": sorted(set(failures))[:3],
    }


def fill(url: str, count: int, seed_cases: list[tuple[dict[str, Any], list[Event]]]) -> None:
    """`count` cases in the store, copies of a simulated history with agents varied: up to
    BULK_FROM through the store (import_cases: each case folded and written as linewise
    does), beyond that by doubling the rows already there in SQL with new ids."""
    store = open_store(url)
    have = store.count()
    if have >= BULK_FROM:
        _double(store, count)
        store.close()
        return
    batch: list[tuple[dict[str, Any], list[Event]]] = []
    for n in range(have, count):
        intake, events = seed_cases[n % len(seed_cases)]
        agent = f"agent{n % 25:02d}"
        batch.append((intake, [e.model_copy(update={"agent": agent}) for e in events]))
        if len(batch) == 5000:
            store.import_cases(batch, simulated=True)
            batch = []
    if batch:
        store.import_cases(batch, simulated=True)
    store.close()


def _double(store: SQLStore, count: int) -> None:
    """Copy the store's cases (rows, digests, marks, events) under new numbers and ids
    until it holds `count`: realistic rows at bulk speed, for timing the report."""
    names = [c.name for c in cases.columns if c.name not in ("num", "id")]
    pg = not store.where.is_sqlite
    ident = "'C-' || lpad((num + :o)::text, 6, '0')" if pg else "printf('C-%06d', num + :o)"
    with store.writing() as conn:
        have = int(conn.execute(text("SELECT count(*) FROM cases")).scalar_one())
        while have < count:
            offset = int(conn.execute(text("SELECT max(num) FROM cases")).scalar_one())
            take = min(have, count - have)
            limit = {"o": offset, "n": take}
            picked = "WHERE num <= :n"
            conn.execute(
                text(
                    f"INSERT INTO cases (num, id, {', '.join(names)}) SELECT num + :o, {ident}, "
                    f"{', '.join(names)} FROM cases {picked}"
                ),
                limit,
            )
            for table, columns in (
                ("case_digests", "digest"),
                ("case_marks", "kind, line, value"),
                ("events", "seq, at, line, kind, body, agent, channel"),
            ):
                conn.execute(
                    text(
                        f"INSERT INTO {table} (case_num, {columns}) SELECT case_num + :o, "
                        f"{columns} FROM {table} WHERE case_num <= :n"
                    ),
                    limit,
                )
            have += take
        if pg:
            conn.execute(text("SELECT setval('cases_num_seq', (SELECT max(num) FROM cases))"))


def report_times(url: str, python_too: bool) -> dict[str, Any]:
    store = open_store(url)
    levels = load_service_levels()
    began = time.perf_counter()
    team_figures(store)
    team = time.perf_counter() - began
    out: dict[str, Any] = {"cases": store.count(), "team_report_s": round(team, 3)}
    began = time.perf_counter()
    tally(store, levels)
    out["full_report_s"] = round(time.perf_counter() - began, 2)
    if python_too:
        began = time.perf_counter()
        python_report(store.iter_cases(), levels)
        out["python_report_s"] = round(time.perf_counter() - began, 2)
    store.close()
    return out


def load() -> str:
    """The machine's load as `uptime` prints it."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:  # pragma: no cover - not Linux
        return "unknown"


def _postgres_database(admin: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(
        make_url(admin).set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
    )
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def _fresh(backend: str, path: Path, admin: str | None) -> str:
    """A new, empty store for one measurement."""
    return str(path) if backend == "sqlite" else _postgres_database(admin or "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--writers", default="1,4,16")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--python-report-up-to", type=int, default=0)
    parser.add_argument("--name", default="store")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="linewise-bench-"))
    admin = os.environ.get("LINEWISE_TEST_POSTGRES")
    backends = ["sqlite", "postgresql"] if admin else ["sqlite"]
    memory = _Seed()
    results: dict[str, Any] = {"seconds": args.seconds, "load_before": load(), "backends": {}}
    for name in backends:
        runs = []
        for writers in (int(w) for w in args.writers.split(",") if w):
            runs.append(
                appends(_fresh(name, folder / f"w{writers}.sqlite3", admin), writers, args.seconds)
            )
            runs[-1]["load"] = load()
            print(name, runs[-1], flush=True)
        reports = []
        target = _fresh(name, folder / "report.sqlite3", admin)
        for size in (int(s) for s in args.sizes.split(",") if s):
            began = time.perf_counter()
            fill(target, size, memory.cases())
            filled = time.perf_counter() - began
            reports.append(report_times(target, size <= args.python_report_up_to))
            reports[-1]["fill_s"] = round(filled, 1)
            reports[-1]["load"] = load()
            print(name, reports[-1], flush=True)
        results["backends"][name] = {"appends": runs, "reports": reports}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / f"{args.name}.md").write_text(_markdown(results))
    print(_markdown(results))


class _Seed:
    """A simulated history (real guided sessions), made once, to replicate."""

    def __init__(self) -> None:
        self._cases: list[tuple[dict[str, Any], list[Event]]] = []

    def cases(self) -> list[tuple[dict[str, Any], list[Event]]]:
        if not self._cases:
            path = Path(tempfile.mkdtemp(prefix="linewise-seed-")) / "seed.sqlite3"
            store = open_store(path)
            simulate(store, 500, 1)
            self._cases = [(c.intake, list(c.events)) for c in store.iter_cases()]
            store.close()
        return self._cases


def _markdown(results: dict[str, Any]) -> str:
    lines = [
        f"# Store benchmark ({results['seconds']:g} s per writer count, 2 shared cores)",
        "",
        f"Load average (1, 5, 15 min) before the run: {results['load_before']}.",
        "",
        "| backend | writers | events/s | median append ms | p95 append ms | failed | load after |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, data in results["backends"].items():
        for run in data["appends"]:
            lines.append(
                f"| {name} | {run['writers']} | {run['events_per_s']} | {run['median_ms']} | "
                f"{run['p95_ms']} | {run['failed']} | {run['load']} |"
            )
    lines += [
        "",
        "| backend | cases | report --team (SQL) s | full report (SQL) s | Python report s "
        "| load after |",
        "|---|---|---|---|---|---|",
    ]
    for name, data in results["backends"].items():
        for rep in data["reports"]:
            lines.append(
                f"| {name} | {rep['cases']} | {rep['team_report_s']} | "
                f"{rep['full_report_s']} | {rep.get('python_report_s', 'not run')} | "
                f"{rep['load']} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
