"""MYCIN certainty factors: how several pieces of evidence on one fault combine."""

from __future__ import annotations

from collections.abc import Iterable


def combine(x: float, y: float) -> float:
    """Combine two certainty factors in [-1, 1] (commutative and associative)."""
    if x >= 0 and y >= 0:
        result = x + y * (1 - x)
    elif x < 0 and y < 0:
        result = x + y * (1 + x)
    else:
        denominator = 1 - min(abs(x), abs(y))
        result = 0.0 if denominator == 0 else (x + y) / denominator
    return max(-1.0, min(1.0, result))


def combine_all(values: Iterable[float]) -> float:
    """Fold `combine` over the values; no evidence is certainty 0."""
    total = 0.0
    for value in values:
        total = combine(total, value)
    return total
