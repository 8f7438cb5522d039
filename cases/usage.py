"""The usage index in the store: what each case used on each line it reached.

Rows of `case_usage` say that a case reached a line (kind 'line'), with which complaint,
which questions it answered, which intake fields it gave and which faults were proposed
or ruled out there. `pack diff --stored` asks the index which cases a change can touch
and loads only those. The index follows the append-only events: a case is (re)indexed
when it has events past the last one indexed (`case_usage_seen`), so keeping it current
costs only the cases that moved since the last diff.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from cases.store import SQLStore
from cases.tables import case_usage, case_usage_seen, cases, events

ANSWERED = ("answer", "unknown")
FAULTS = ("fix_proposed", "fix_worked", "fix_failed", "concluded")
CHUNK = 500


@dataclass(frozen=True)
class Scope:
    """What a change can touch on one line: cases reaching it with one of these complaints,
    or knowing one of these questions or intake fields, or where one of these faults came
    up. `everything` when the change can touch any case of the line."""

    line: int
    complaints: frozenset[str] = frozenset()  # '' stands for a case without a complaint
    questions: frozenset[str] = frozenset()
    intake: frozenset[str] = frozenset()
    faults: frozenset[str] = frozenset()
    everything: bool = False


def usage_rows(
    num: int, intake: dict[str, Any], bodies: Iterable[tuple[int, str, str]]
) -> set[tuple[int, int, str, str]]:
    """The index rows of one case from its intake and its events (line, kind, body JSON)."""
    rows: set[tuple[int, int, str, str]] = set()
    given = sorted(k for k, v in intake.items() if v not in (None, ""))
    complaint = intake.get("complaint")
    for line, kind, body in bodies:
        if kind == "session_started":
            rows.add((num, line, "line", ""))
            rows.add((num, line, "complaint", complaint if isinstance(complaint, str) else ""))
            rows.update((num, line, "intake", name) for name in given)
        elif kind in ANSWERED or kind in FAULTS:
            data = json.loads(body)
            if kind in ANSWERED and data.get("question"):
                rows.add((num, line, "question", str(data["question"])))
            elif kind in FAULTS and data.get("fault"):
                rows.add((num, line, "fault", str(data["fault"])))
    return rows


def _stale(conn: Connection) -> list[tuple[int, str, int]]:
    """(case num, intake JSON, last seq) of every case with events not yet indexed."""
    last = (
        select(events.c.case_num, func.max(events.c.seq).label("seq"))
        .group_by(events.c.case_num)
        .subquery()
    )
    query = (
        select(cases.c.num, cases.c.intake, last.c.seq)
        .join(last, last.c.case_num == cases.c.num)
        .outerjoin(case_usage_seen, case_usage_seen.c.case_num == cases.c.num)
        .where((case_usage_seen.c.seq.is_(None)) | (case_usage_seen.c.seq < last.c.seq))
        .order_by(cases.c.num)
    )
    return [(int(n), str(i), int(s)) for n, i, s in conn.execute(query)]


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def refresh(store: SQLStore, progress: Callable[[int], None] | None = None) -> int:
    """Index every case with new events (one transaction per chunk); how many were."""
    with store.reading() as conn:
        stale = _stale(conn)
    for chunk in _chunks(stale):
        nums = [num for num, _, _ in chunk]
        with store.writing() as conn:
            bodies: dict[int, list[tuple[int, str, str]]] = {}
            picked = (
                select(events.c.case_num, events.c.line, events.c.kind, events.c.body)
                .where(events.c.case_num.in_(nums))
                .where(events.c.kind.in_(("session_started", *ANSWERED, *FAULTS)))
            )
            for num, line, kind, body in conn.execute(picked):
                bodies.setdefault(int(num), []).append((int(line), str(kind), str(body)))
            rows: set[tuple[int, int, str, str]] = set()
            for num, intake, _ in chunk:
                rows |= usage_rows(num, json.loads(intake), bodies.get(num, []))
            conn.execute(delete(case_usage).where(case_usage.c.case_num.in_(nums)))
            conn.execute(delete(case_usage_seen).where(case_usage_seen.c.case_num.in_(nums)))
            if rows:
                conn.execute(
                    insert(case_usage),
                    [dict(zip(("case_num", "line", "kind", "item"), r, strict=True)) for r in rows],
                )
            conn.execute(insert(case_usage_seen), [{"case_num": n, "seq": s} for n, _, s in chunk])
        if progress is not None:
            progress(len(chunk))
    return len(stale)


def _items(conn: Connection, line: int, kind: str, wanted: Collection[str]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(sorted(wanted)):
        query = select(case_usage.c.case_num).where(
            case_usage.c.kind == kind, case_usage.c.item.in_(chunk)
        )
        if kind in ("complaint", "fault"):  # what happened on the line itself
            query = query.where(case_usage.c.line == line)
        found.update(int(n) for n in conn.execute(query).scalars())
    return found


def complaints(store: SQLStore, line: int) -> list[str]:
    """The complaints of the cases that reached `line` ('' for none), as the index has them."""
    with store.reading() as conn:
        query = (
            select(case_usage.c.item)
            .where(case_usage.c.line == line, case_usage.c.kind == "complaint")
            .distinct()
        )
        return sorted(str(c) for c in conn.execute(query).scalars())


def reached(store: SQLStore, line: int) -> int:
    """How many indexed cases reached `line`."""
    with store.reading() as conn:
        query = select(func.count()).where(case_usage.c.line == line, case_usage.c.kind == "line")
        return int(conn.execute(query).scalar_one())


def touched(store: SQLStore, scope: Scope) -> list[str]:
    """The ids of the cases that reached the scope's line and that it can touch, in order."""
    with store.reading() as conn:
        on_line = {
            int(n)
            for n in conn.execute(
                select(case_usage.c.case_num).where(
                    case_usage.c.line == scope.line, case_usage.c.kind == "line"
                )
            ).scalars()
        }
        if scope.everything:
            picked = on_line
        else:
            hits = _items(conn, scope.line, "complaint", scope.complaints)
            hits |= _items(conn, scope.line, "question", scope.questions)
            hits |= _items(conn, scope.line, "intake", scope.intake)
            hits |= _items(conn, scope.line, "fault", scope.faults)
            picked = on_line & hits
        ids: list[str] = []
        for chunk in _chunks(sorted(picked)):
            query = select(cases.c.num, cases.c.id).where(cases.c.num.in_(chunk))
            ids.extend(str(i) for _, i in sorted(conn.execute(query).all()) if i is not None)
        return ids


def unindexed(store: SQLStore) -> int:
    """How many cases have events the index has not seen yet."""
    with store.reading() as conn:
        return len(_stale(conn))
