"""What one decision-table cell asks of an answer: a word, one of several, or a number test."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rules.importing import yes_no

ANY = frozenset({"", "-", "*", "any", "—", "–", "?", "n/a", "любой", "любое"})
_COMPARE = re.compile(r"^(<=|>=|≤|≥|<|>|=|==)?\s*(-?\d+(?:[.,]\d+)?)$")
_BETWEEN = re.compile(r"^(-?\d+(?:[.,]\d+)?)\s*(?:\.\.|–|—|-|to)\s*(-?\d+(?:[.,]\d+)?)$")
_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": operator.eq,
}
_OPS = {"<=": "le", "≤": "le", ">=": "ge", "≥": "ge", "<": "lt", ">": "gt", "=": "eq", "==": "eq"}


def number(value: float) -> int | float:
    """A whole float as an int, so that YAML shows 5 rather than 5.0."""
    return int(value) if float(value).is_integer() else value


@dataclass
class Test:
    """A cell's test. Numbers: op in lt/le/gt/ge/eq/between. Words: op 'words'."""

    op: str
    numbers: tuple[float, ...] = ()
    words: list[str] = field(default_factory=list)
    values: list[Any] = field(
        default_factory=list
    )  # option values (yes/no: booleans), set once the column is typed

    @property
    def numeric(self) -> bool:
        return self.op != "words"

    def holds(self, answer: Any) -> bool:
        if not self.numeric:
            return bool(answer in self.values)
        low = self.numbers[0]
        if self.op == "between":
            return bool(low <= answer <= self.numbers[1])
        return bool(_COMPARISONS[self.op](answer, low))

    def points(self) -> list[float]:
        """Numbers on every side of this test's bounds: enough to meet or miss it."""
        out: list[float] = []
        for bound in self.numbers:
            out += [bound - 1, bound, bound + 1]
        if self.op == "between":
            out.append((self.numbers[0] + self.numbers[1]) / 2)
        return out

    def condition(self, question: str) -> dict[str, Any]:
        """The pack condition testing `question` as this cell does."""
        if not self.numeric:
            if len(self.values) == 1:
                return {"question": question, "equals": self.values[0]}
            return {"question": question, "one_of": list(self.values)}
        low = number(self.numbers[0])
        if self.op == "between":
            return {"question": question, "between": [low, number(self.numbers[1])]}
        if self.op == "le":
            return {"not": {"question": question, "greater_than": low}}
        if self.op == "ge":
            return {"not": {"question": question, "less_than": low}}
        key = {"lt": "less_than", "gt": "greater_than", "eq": "equals"}[self.op]
        return {"question": question, key: low}


def parse_cell(text: str) -> Test | str | None:
    """The cell's test, None when the row does not care, or a message saying what is wrong."""
    plain = " ".join(text.split())
    if plain.lower() in ANY:
        return None
    compare = _COMPARE.match(plain)
    if compare:
        op = _OPS.get(compare.group(1) or "=", "eq")
        return Test(op, (_float(compare.group(2)),))
    between = _BETWEEN.match(plain)
    if between:
        low, high = _float(between.group(1)), _float(between.group(2))
        if low > high:
            return f"“{plain}”: the range runs backwards (write the lower number first)"
        return Test("between", (low, high))
    words = [w.strip() for w in re.split(r"\s*\|\s*|\s+or\s+|\s+или\s+", plain) if w.strip()]
    if any(w[0] in "<>=≤≥" for w in words):
        return f"“{plain}” compares, but not with a number"
    return Test("words", words=[yes_no(w) or w for w in words])


def _float(text: str) -> float:
    return float(text.replace(",", "."))
