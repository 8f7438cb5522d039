"""Answers that make one decision-table row the first to match (its golden case).

A row's own cells fix most answers; the columns it does not care about are chosen so
that no row above it matches. The search backtracks over candidate answers (each
option; numbers on every side of the table's bounds) and gives up after `MAX_STEPS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from rules.table_cells import Test, number

MAX_STEPS = 20_000


class Typed(Protocol):
    type: str
    options: dict[str, str]


def candidates(column: str, typed: Typed, rows: Sequence[Mapping[str, Test]]) -> list[Any]:
    """Every answer worth trying for `column`."""
    if typed.type == "yesno":
        return [True, False]
    if typed.type == "choice":
        return list(typed.options)
    points = {p for row in rows if column in row for p in row[column].points()}
    return [number(p) for p in sorted(points or {0.0})]


def first_hit_answers(
    index: int, rows: Sequence[Mapping[str, Test]], order: list[str], typed: Mapping[str, Typed]
) -> dict[str, Any] | None:
    """Answers to every column under which row `index` is the first row that matches."""
    own = rows[index]
    above = rows[:index]
    domains: list[list[Any]] = []
    for column in order:
        values = candidates(column, typed[column], rows)
        if column in own:
            values = [v for v in values if own[column].holds(v)]
        domains.append(values)
    chosen: dict[str, Any] = {}
    steps = 0

    def caught() -> bool:
        """Some row above already matches on the answers chosen so far."""
        return any(all(c in chosen and t.holds(chosen[c]) for c, t in row.items()) for row in above)

    def search(depth: int) -> bool:
        nonlocal steps
        if depth == len(order):
            return True
        for value in domains[depth]:
            steps += 1
            if steps > MAX_STEPS:
                return False
            chosen[order[depth]] = value
            if not caught() and search(depth + 1):
                return True
            del chosen[order[depth]]
        return False

    return dict(chosen) if search(0) else None
