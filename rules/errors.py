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
    excerpt: str | None = None  # the offending line with a caret under the column

    def render(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        text = f"{where}: {self.path + ': ' if self.path else ''}{self.message}"
        text += f" ({self.hint})" if self.hint else ""
        return text + (f"\n{self.excerpt}" if self.excerpt else "")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


EMPTY_FILE = "the file is empty"  # what rules.source says of a file with no data in it


def explain_empty(diagnostics: list[Diagnostic], hint: str) -> list[Diagnostic]:
    """The reader's words about an empty file, with what this kind of file should hold."""
    return [
        Diagnostic(d.file, d.line, d.col, d.path, d.message, hint, d.code, d.severity, d.excerpt)
        if d.message == EMPTY_FILE
        else d
        for d in diagnostics
    ]


class DiagnosticsError(LinewiseError):
    """Several problems found at once; the message lists them all."""

    exit_code = 2

    def __init__(
        self, diagnostics: list[Diagnostic], what: str = "input", *, exit_code: int | None = None
    ) -> None:
        if exit_code is not None:
            self.exit_code = exit_code
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
    """An answers, intake or case file is broken (exit 2), or the answers and intake given
    on the command line name only unknown ids (exit 3)."""

    def __init__(self, diagnostics: list[Diagnostic], *, exit_code: int | None = None) -> None:
        super().__init__(diagnostics, "input", exit_code=exit_code)


class InvalidInput(LinewiseError):
    """One bad value given by the user (an answer, an option)."""

    exit_code = 2


class UnknownIdError(LinewiseError):
    """A name that does not exist: a question, fault, pack, line or case."""

    exit_code = 3


# Letters of other alphabets drawn like the Latin letters and digits of ids: a Cyrillic
# 'с' typed for 'c' (a Russian keyboard layout) is the usual way an id that looks right is
# wrong. Ids are ASCII, so only look-alikes of [a-z0-9] matter; NFKC folds full-width and
# other compatibility forms first. (Unicode's confusables table maps every script to
# skeletons; this is the part of it that can meet an id.)
_LOOK_ALIKES = str.maketrans(
    {
        # Cyrillic (lower case: upper-case look-alikes such as В, Н, М, Т are lowered first)
        "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "і": "i", "ї": "i", "ј": "j",
        "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y",
        "х": "x", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ь": "b", "п": "n",
        "г": "r", "ӏ": "l",
        # Latin letters that are not ASCII but read as ASCII
        "ı": "i", "ɡ": "g",
        # Greek
        "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v",
        "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ς": "c", "μ": "u",
    }
)  # fmt: skip


def fold_look_alikes(name: str) -> str:
    """`name` with compatibility forms and Cyrillic/Greek look-alikes made Latin, lower case."""
    import unicodedata

    if name.isascii():
        return name.lower()
    return unicodedata.normalize("NFKC", name).lower().translate(_LOOK_ALIKES)


def suggest(name: str, candidates: Iterable[str], problems: Sized) -> str | None:
    """`did_you_mean` while `problems` holds fewer than MAX_REPORTED: the problems past those
    are counted, not shown, so their suggestions are not searched for."""
    return did_you_mean(name, candidates) if len(problems) < MAX_REPORTED else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest known name, or None.

    Look-alike letters from other alphabets are folded to Latin first, and a name that
    differs from a known one only by such letters says which letters they are.
    """
    import difflib

    by_folded: dict[str, str] = {}
    for candidate in sorted(candidates):
        by_folded.setdefault(fold_look_alikes(candidate), candidate)
    folded = fold_look_alikes(name)
    same = by_folded.get(folded)
    if same is not None and same != name:
        odd = sorted({ch for ch in name if not ch.isascii()})
        if odd:
            letters = ", ".join(f"{ch} U+{ord(ch):04X}" for ch in odd)
            return f"did you mean '{same}'? '{name}' has letters of another alphabet: {letters}"
        return f"did you mean '{same}'?"
    close = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=0.6)
    return f"did you mean '{by_folded[close[0]]}'?" if close else None
