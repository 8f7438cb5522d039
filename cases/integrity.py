"""Checking a case store: the file is sound and every case replays into a valid case.

`linewise store check` runs this on a store opened read-only. Two layers:
- SQLite's own integrity check (every page, index and foreign key);
- every case read back as the rest of linewise reads it: its events parse, are
  numbered 1..n and start with `opened`; each `back` takes back the answer a replay
  would take back (a store that ran ahead of, or behind, a session shows here); the
  status and line kept in the cases table agree with the events.
A damaged page usually shows in both. Problems are listed up to a limit, then counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exc

from cases.model import Case
from cases.store import SQLStore, StoreError
from engine.facts import FactSet
from engine.logic import UNKNOWN
from engine.session import Asked, NothingToUndo, Record
from rules.errors import LinewiseError

LIMIT = 100


class DamagedStore(LinewiseError):
    """The store opens but the check found problems (exit 1: a check failed)."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    where: str  # "sqlite", "store" or a case id
    message: str

    def render(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class StoreCheck:
    """What `store check` found."""

    location: str
    cases: int = 0
    events: int = 0
    found: int = 0  # every problem found; `problems` keeps the first `limit`
    problems: list[Problem] = field(default_factory=list)
    limit: int = LIMIT

    def add(self, where: str, message: str) -> None:
        self.found += 1
        if len(self.problems) < self.limit:
            self.problems.append(Problem(where, message))

    @property
    def ok(self) -> bool:
        return self.found == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.location,
            "ok": self.ok,
            "cases": self.cases,
            "events": self.events,
            "problems": [{"where": p.where, "message": p.message} for p in self.problems],
            "problems_found": self.found,
        }


def check_store(store: SQLStore, limit: int = LIMIT) -> StoreCheck:
    """Check the file, then every case; never raises for what it finds."""
    report = StoreCheck(store.location, limit=limit)
    for text in file_problems(store, limit):
        report.add("sqlite", text)
    try:
        kept = {row.id: (row.status, row.line) for row in store.list_cases()}
        for case in store.iter_cases():
            report.cases += 1
            report.events += len(case.events)
            for message in case_problems(case, kept.get(case.id)):
                report.add(case.id, message)
    except StoreError as err:  # e.g. a damaged page under the events table
        report.add("store", f"reading the cases stopped: {err.message}")
    return report


def file_problems(store: SQLStore, limit: int) -> list[str]:
    """SQLite's own integrity and foreign-key checks: the first `limit` problems, or []
    (a PostgreSQL server keeps its own pages sound: nothing to check there)."""
    if not store.where.is_sqlite:
        return []
    problems: list[str] = []
    try:
        with store.engine.connect() as conn:
            for (found,) in conn.exec_driver_sql(f"PRAGMA integrity_check({int(limit)})"):
                if found != "ok":
                    problems.append(str(found))
            for table, row, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check"):
                problems.append(f"table {table} row {row}: refers to a missing {parent} row")
    except exc.DBAPIError as err:  # damaged beyond what the check can walk
        problems.append(f"the check could not finish: {err.orig}")
    return problems[:limit]


def case_problems(case: Case, kept: tuple[str, int] | None) -> list[str]:
    """What is wrong with one case as stored (empty when it replays cleanly)."""
    out: list[str] = []
    events = case.events
    seqs = [e.seq for e in events]
    if seqs != list(range(1, len(events) + 1)):
        out.append(f"events are numbered {_short(seqs)}, not 1..{len(events)}")
    if not events or events[0].kind != "opened":
        out.append("the first event is not 'opened'")
    record = Record(FactSet())
    for event in events:
        if event.kind in ("answer", "unknown") and event.question is not None:
            value = UNKNOWN if event.kind == "unknown" or event.value is None else event.value
            record.add_answer(Asked(event.question, value, event.line, event.at, 0.0))
        elif event.kind == "back":
            try:
                last = record.undo(event.line)
            except NothingToUndo:
                out.append(
                    f"event {event.seq} takes back an answer, but none is left on Line {event.line}"
                )
                continue
            if event.question is not None and event.question != last.question:
                out.append(
                    f"event {event.seq} takes back {event.question}, but the last answer on "
                    f"Line {event.line} is {last.question}"
                )
    if kept is not None and kept != (case.status, case.line):
        out.append(
            f"the cases table says {kept[0]} at Line {kept[1]}, its events say "
            f"{case.status} at Line {case.line}"
        )
    return out


def _short(values: list[int]) -> str:
    shown = ", ".join(str(v) for v in values[:8])
    return shown + (", ..." if len(values) > 8 else "")
