"""Reading an expression's text into its tree (rules.expr) with a lark LALR grammar.

Apart from rules.expr so that lark (a twentieth of a second to import) is imported only
when a pack has an expression: most packs have none.
"""

from __future__ import annotations

from functools import lru_cache

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from rules.expr import (
    FUNCTIONS,
    MAX_CHARS,
    MAX_DEPTH,
    MAX_NODES,
    Binary,
    Call,
    ExprError,
    Expression,
    Neg,
    Node,
    Num,
    Ref,
)

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


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)


def read(text: str) -> Expression:
    """Parse `text`, or raise ExprError saying where and what would fit (rules.expr.parse
    keeps what it read)."""
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
