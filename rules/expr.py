"""Arithmetic in packs: a small, safe expression language for `derive` and conditions.

`score(q1) + score(q2) * 2`, `min(temp_cpu, temp_gpu) > 80`, `(a + b) / 2 <= limit`:
numbers, names of number questions and facts (a choice question's name means the
score of its chosen option; `score(q)` says so explicitly), + - * / (also × ÷ −),
`min`, `max`, `abs`, parentheses, and at most one comparison (< <= > >= == !=, also
≤ ≥ ≠) on top. The text is parsed by a lark LALR grammar into the tree below and
evaluated by walking it: there is no `eval`, no attribute access, no strings, and
size and nesting are bounded before anything recursive runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

MAX_CHARS = 400
MAX_NODES = 120
MAX_DEPTH = 24
FUNCTIONS = {"min": (2, 8), "max": (2, 8), "abs": (1, 1), "score": (1, 1)}

_GRAMMAR = r"""
?start: sum
      | sum COMPARE sum -> compare
?sum: product
    | sum PLUS product -> binary
    | sum MINUS product -> binary
?product: unary
        | product TIMES unary -> binary
?unary: atom
      | MINUS unary -> negate
?atom: NUMBER -> number
     | NAME -> name
     | NAME "(" sum ("," sum)* ")" -> call
     | "(" sum ")"
COMPARE: "<=" | ">=" | "==" | "!=" | "<" | ">" | "≤" | "≥" | "≠"
PLUS: "+"
MINUS: "-" | "−"
TIMES: "*" | "/" | "×" | "÷"
NUMBER: /[0-9]+(\.[0-9]+)?/
NAME: /[a-z][a-z0-9_]*/
%ignore /[ \t]+/
"""

_OPS = {"−": "-", "×": "*", "÷": "/", "≤": "<=", "≥": ">=", "≠": "!="}
_WORDS = {
    "COMPARE": "a comparison",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "TIMES": "'*' or '/'",
    "NUMBER": "a number",
    "NAME": "a name",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "$END": "the end",
}


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


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)


@lru_cache(maxsize=4096)
def parse(text: str) -> Expression:
    """Parse `text`, or raise ExprError saying where and what would fit."""
    if len(text) > MAX_CHARS:
        raise ExprError(f"the expression has {len(text)} characters, over the limit of {MAX_CHARS}")
    if not text.strip():
        raise ExprError("the expression is empty")
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as err:
        raise _syntax(err, text) from None
    except LarkError as err:  # pragma: no cover - lark's other errors are grammar bugs
        raise ExprError(f"cannot read the expression: {err}") from None
    _check_size(tree)
    if isinstance(tree, Tree) and tree.data == "compare":
        left, op, right = tree.children
        return Expression(text, _node(left), _OPS.get(str(op), str(op)), _node(right))
    return Expression(text, _node(tree))


def _syntax(err: UnexpectedInput, text: str) -> ExprError:
    column = int(getattr(err, "column", 0) or 0)
    token = getattr(err, "token", None)
    ended = isinstance(token, Token) and token.type == "$END"
    if ended or isinstance(err, UnexpectedEOF) or column <= 0 or column > len(text):
        return ExprError("the expression ends too early (an operand or ')' is missing)", len(text))
    found = text[column - 1]
    if isinstance(err, UnexpectedCharacters):
        what = "" if found.isascii() and found.isprintable() else f" (U+{ord(found):04X})"
        return ExprError(
            f"unexpected character '{found}'{what} at column {column} of the expression; "
            "use numbers, names, + - * /, min/max/abs/score, parentheses and one comparison",
            column,
        )
    expected = sorted({_WORDS.get(str(t), str(t)) for t in getattr(err, "expected", ())})
    shown = f"; expected {' or '.join(expected)}" if expected else ""
    return ExprError(f"unexpected '{found}' at column {column} of the expression{shown}", column)


def _check_size(tree: Tree[Token] | Token) -> None:
    """Count nodes and depth without recursion, before anything walks the tree recursively."""
    nodes = 0
    stack: list[tuple[Tree[Token] | Token, int]] = [(tree, 1)]
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise ExprError(f"the expression is nested deeper than {MAX_DEPTH} levels")
        if nodes > MAX_NODES:
            raise ExprError(f"the expression has more than {MAX_NODES} parts")
        if isinstance(item, Tree):
            stack.extend((child, depth + 1) for child in item.children)


def _node(item: Tree[Token] | Token) -> Node:
    if isinstance(item, Token):  # a bare NUMBER or NAME when the rule was inlined
        if item.type == "NUMBER":
            return Num(float(item))
        return Ref(str(item), int(item.column or 0))
    kind, kids = item.data, item.children
    if kind == "number":
        return Num(float(str(kids[0])))
    if kind == "name":
        token = kids[0]
        assert isinstance(token, Token)
        return Ref(str(token), int(token.column or 0))
    if kind == "negate":
        return Neg(_node(kids[1]))
    if kind == "binary":
        op = str(kids[1])
        return Binary(_OPS.get(op, op), _node(kids[0]), _node(kids[2]))
    if kind == "call":
        return _call(kids)
    raise ExprError(f"cannot read the expression part '{kind}'")  # pragma: no cover


def _call(kids: list[Tree[Token] | Token]) -> Node:
    token = kids[0]
    assert isinstance(token, Token)
    name, column = str(token), int(token.column or 0)
    if name not in FUNCTIONS:
        raise ExprError(
            f"unknown function '{name}' at column {column}; functions: "
            + ", ".join(sorted(FUNCTIONS)),
            column,
        )
    args = tuple(_node(k) for k in kids[1:])
    low, high = FUNCTIONS[name]
    if not low <= len(args) <= high:
        count = str(low) if low == high else f"{low} to {high}"
        raise ExprError(f"'{name}' takes {count} arguments, not {len(args)}", column)
    if name == "score":
        if not isinstance(args[0], Ref):
            raise ExprError("'score' takes the name of a choice question or fact", column)
        return args[0]
    return Call(name, args)


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
