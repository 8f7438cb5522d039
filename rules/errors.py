"""The project's root exception and the compiler-style diagnostics of packs.

Every error linewise expects (a bad pack, a bad answer, an unknown id) is a
`LinewiseError`; the CLI turns these into messages and exit codes at one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sized
from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]

# Problems shown in full: past these, problems are only counted (a file of 20,000 unknown
# ids would otherwise print 20,000 lines, each with a did-you-mean search costing ms).
MAX_REPORTED = 50


class LinewiseError(Exception):
    """Root of every error that linewise expects and reports without a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        return self.message + (f" ({self.hint})" if self.hint else "")


@dataclass(frozen=True)
class Diagnostic:
    """One problem in one file, compiler-style: `file:line:col: path: message`."""

    file: str
    line: int
    col: int
    path: str
    message: str
    hint: str | None = None
    code: str = "E000"
    severity: Severity = "error"

    def render(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        text = f"{where}: {self.path + ': ' if self.path else ''}{self.message}"
        return text + (f" ({self.hint})" if self.hint else "")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class DiagnosticsError(LinewiseError):
    """Several problems found at once; the message lists them all."""

    exit_code = 2

    def __init__(self, diagnostics: list[Diagnostic], what: str = "input") -> None:
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.file, d.line, d.col, d.path))
        count = len(self.diagnostics)
        lines = [d.render() for d in self.diagnostics[:MAX_REPORTED]]
        if count > MAX_REPORTED:
            lines.append(f"... and {count - MAX_REPORTED} more (fix the ones above first)")
        lines.append(f"{count} problem{'s' if count != 1 else ''} in {what}")
        super().__init__("\n".join(lines))

    def render(self) -> str:
        return self.message


class PackError(DiagnosticsError):
    """One or more rule packs are broken."""

    def __init__(self, diagnostics: list[Diagnostic], loaded: list[Any] | None = None) -> None:
        super().__init__(diagnostics, "rule packs")
        self.loaded = loaded or []  # the files that did load, for further checks


class InputError(DiagnosticsError):
    """An answers, intake or case file is broken."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(diagnostics, "input")


class InvalidInput(LinewiseError):
    """One bad value given by the user (an answer, an option)."""

    exit_code = 2


class UnknownIdError(LinewiseError):
    """A name that does not exist: a question, fault, pack, line or case."""

    exit_code = 3


def suggest(name: str, candidates: Iterable[str], problems: Sized) -> str | None:
    """`did_you_mean` while `problems` holds fewer than MAX_REPORTED: the problems past those
    are counted, not shown, so their suggestions are not searched for."""
    return did_you_mean(name, candidates) if len(problems) < MAX_REPORTED else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest known name, or None."""
    import difflib

    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
