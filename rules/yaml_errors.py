"""YAML syntax errors at the place to fix them, with the offending line shown.

The parser stops where it can no longer go on, which is not always where the mistake
is: a '[' or a quote that is never closed is noticed lines later, a key without its ':'
on the next line. These are reported where the bracket, quote or key starts, naming
where the parser stopped too; a tab gets words of its own.
"""

from __future__ import annotations

from dataclasses import replace

import yaml

from rules.errors import Diagnostic

# (the parser's context, the start of its problem): report at the context's mark
_AT_CONTEXT = (
    ("while parsing a flow sequence", "did not find expected ','"),
    ("while parsing a flow mapping", "did not find expected ','"),
    ("while parsing a flow sequence", "expected ','"),
    ("while parsing a flow mapping", "expected ','"),
    ("while scanning a quoted scalar", "found unexpected end of stream"),
    ("while scanning a simple key", "could not find expected ':'"),
)


def syntax_diagnostic(err: yaml.MarkedYAMLError, text: str, name: str) -> Diagnostic:
    """A YAML syntax error as a diagnostic at the place to fix, with that line shown."""
    problem = str(err.problem or "invalid YAML")
    context = str(err.context or "")
    at, other = err.problem_mark, err.context_mark
    later = other is not None and at is not None and other.line < at.line
    if later and any(context.startswith(c) and problem.startswith(p) for c, p in _AT_CONTEXT):
        at, other = other, at
    if at is None:
        return Diagnostic(name, 1, 1, "", f"YAML syntax error: {problem}", code="E001")
    line, col = at.line + 1, at.column + 1
    message, hint = _words(problem, context, text, at, other)
    return Diagnostic(
        name,
        line,
        col,
        "",
        message,
        hint=hint,
        code="E001",
        excerpt=excerpt(text, line, col),
    )


def _words(
    problem: str, context: str, text: str, at: yaml.Mark, other: yaml.Mark | None
) -> tuple[str, str | None]:
    if "tab" in problem or "'\\t'" in problem:
        return (
            "YAML syntax error: a tab where YAML expects spaces",
            "indent with spaces only; replace the tab with spaces",
        )
    opened = _char(text, at)
    where = f"line {other.line + 1}, column {other.column + 1}" if other else ""
    if context.startswith("while parsing a flow") and opened in "[{" and other:
        closing = "]" if opened == "[" else "}"
        return (
            f"YAML syntax error: this '{opened}' is never closed ({problem} at {where})",
            f"add the '{closing}', or put the items one per line with '-'",
        )
    if context.startswith("while scanning a quoted scalar") and other:
        return (
            f"YAML syntax error: this quote {opened} is never closed",
            f"close it with {opened} on this line",
        )
    if context.startswith("while scanning a simple key"):
        return (
            "YAML syntax error: a key without ':' (or a text that runs on to the next line)",
            "write 'key: value', or quote the text",
        )
    detail = f" ({context} at {where})" if context and other else ""
    hint = None
    if problem.startswith("mapping values are not allowed"):
        hint = "a ':' inside a text: quote the text, or indent this line as its neighbours"
    elif problem.startswith("did not find expected"):
        hint = "check this line's indentation against the lines above it"
    return f"YAML syntax error: {problem}{detail}", hint


def _char(text: str, mark: yaml.Mark) -> str:
    lines = text.split("\n")
    if mark.line < len(lines) and mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return ""


def excerpt(text: str, line: int, col: int) -> str | None:
    """Line `line` of `text` (1-based) with a caret under column `col`; a tab is shown
    as '→' (one character, so the caret stays under it)."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    shown = lines[line - 1].rstrip("\r").replace("\t", "→")
    if len(shown) > 160:  # a very long line: the part around the column
        start = max(0, col - 80)
        shown, col = shown[start : start + 160], col - start
    gutter = f"{line:5} | "
    return f"{gutter}{shown}\n{' ' * (len(gutter) - 2)}| {' ' * (col - 1)}^"


def with_excerpts(problems: list[Diagnostic], text: str) -> list[Diagnostic]:
    """The problems found while reading `text` (a duplicate key, a tag), each with its
    line shown."""
    return [
        p if p.excerpt or not p.line else replace(p, excerpt=excerpt(text, p.line, p.col))
        for p in problems
    ]
