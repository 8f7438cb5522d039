"""Arithmetic in packs: a small, safe expression language for `derive` and conditions.

`score(q1) + score(q2) * 2`, `min(temp_cpu, temp_gpu) > 80`, `(a + b) / 2 <= limit`:
numbers, names of number questions and facts (a choice question's name means the
score of its chosen option; `score(q)` says so explicitly), + - * / (also × ÷ −),
`min`, `max`, `abs`, parentheses, and at most one comparison (< <= > >= == !=, also
≤ ≥ ≠) on top. The text is parsed by a lark LALR grammar into the tree below and
evaluated by walking it: there is no `eval`, no attribute access, no strings, and
size and nesting are bounded before anything recursive runs. The grammar lives in
rules.expr_parse, so lark is imported only when a pack has an expression.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

MAX_CHARS = 400
MAX_NODES = 120
MAX_DEPTH = 24
FUNCTIONS = {"min": (2, 8), "max": (2, 8), "abs": (1, 1), "score": (1, 1)}


class ExprError(ValueError):
    """An expression that does not parse or breaks a limit; `column` is 1-based, 0 if none."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    """A fact key's number (for a choice, the chosen option's score)."""

    name: str
    column: int


@dataclass(frozen=True)
class Neg:
    arg: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple[Node, ...]


Node = Num | Ref | Neg | Binary | Call


@dataclass(frozen=True)
class Expression:
    """A parsed expression: arithmetic, optionally compared (`test`) with a second side."""

    text: str
    left: Node
    op: str | None = None
    right: Node | None = None

    @property
    def is_test(self) -> bool:
        """A comparison (true/false) rather than a number."""
        return self.op is not None

    def refs(self) -> list[Ref]:
        """The names it reads, in text order."""
        return [r for side in (self.left, self.right) if side is not None for r in _refs(side)]

    def constants(self) -> set[float]:
        """The numbers written in it (verification tries them as representative values)."""
        out: set[float] = set()
        stack = [side for side in (self.left, self.right) if side is not None]
        while stack:
            node = stack.pop()
            if isinstance(node, Num):
                out.add(node.value)
            elif isinstance(node, Neg):
                stack.append(node.arg)
            elif isinstance(node, Binary):
                stack.extend((node.left, node.right))
            elif isinstance(node, Call):
                stack.extend(node.args)
        return out

    def names(self) -> tuple[str, ...]:
        """The distinct fact keys it reads, in text order."""
        return tuple(dict.fromkeys(r.name for r in self.refs()))


def _refs(node: Node) -> Iterator[Ref]:
    if isinstance(node, Ref):
        yield node
    elif isinstance(node, Neg):
        yield from _refs(node.arg)
    elif isinstance(node, Binary):
        yield from _refs(node.left)
        yield from _refs(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from _refs(arg)


@lru_cache(maxsize=4096)
def parse(text: str) -> Expression:
    """Parse `text`, or raise ExprError saying where and what would fit."""
    from rules.expr_parse import read  # lark: imported only when a pack has an expression

    return read(text)


# ---- evaluation ---------------------------------------------------------------------------

NumberOf = Callable[[str], float | None]


def evaluate(expr: Expression, number_of: NumberOf) -> float | bool | None:
    """The value with every name's number from `number_of`; None when a name has no number
    or the result is undefined (a division by zero, an overflow)."""
    left = _eval(expr.left, number_of)
    if left is None or expr.op is None:
        return _tidy(left)
    right = _eval(expr.right, number_of) if expr.right is not None else None
    if right is None:
        return None
    return _compare(expr.op, left, right)


def _tidy(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _compare(op: str, left: float, right: float) -> bool:
    same = math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12)
    if op == "==":
        return same
    if op == "!=":
        return not same
    if op == "<":
        return left < right and not same
    if op == ">":
        return left > right and not same
    if op == "<=":
        return left < right or same
    return left > right or same


def _eval(node: Node, number_of: NumberOf) -> float | None:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        found = number_of(node.name)
        return None if found is None else float(found)
    if isinstance(node, Neg):
        arg = _eval(node.arg, number_of)
        return None if arg is None else -arg
    if isinstance(node, Call):
        args = [_eval(a, number_of) for a in node.args]
        if any(a is None for a in args):
            return None
        numbers = [a for a in args if a is not None]
        return (
            min(numbers)
            if node.fn == "min"
            else max(numbers)
            if node.fn == "max"
            else abs(numbers[0])
        )
    left, right = _eval(node.left, number_of), _eval(node.right, number_of)
    if left is None or right is None:
        return None
    if node.op == "+":
        out = left + right
    elif node.op == "-":
        out = left - right
    elif node.op == "*":
        out = left * right
    elif right == 0:
        return None
    else:
        out = left / right
    return out if math.isfinite(out) else None
