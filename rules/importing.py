"""What every `pack import` produces: a pack as plain data, its golden cases, and notes.

The converters (`rules.import_table` for decision tables, `rules.import_flow` for
flowcharts) are pure: they turn the rows or nodes of an outside form into the data of
an ordinary pack and one golden case per path, and report every problem at once, each
naming the file and the row/cell or node it is about.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from rules.errors import Diagnostic, InputError

YES = frozenset({"yes", "y", "true", "да", "д"})
NO = frozenset({"no", "n", "false", "нет", "н"})
ESCALATE = re.compile(
    r"^\s*(?:escalate|pass|send|hand|call|transfer|переда|эскал|направ)\w*\b.*?"
    r"\b(?:line|лини[яюи])\s*([1-4])\b\s*[:.,-]?\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
MAX_ID = 48


@dataclass(frozen=True)
class PackMeta:
    """What the outside form does not say: the pack's id, version, line and title."""

    id: str
    line: int = 1
    version: str = "1.0.0"
    title: str | None = None


@dataclass
class Imported:
    """A converted pack (plain data, as YAML would hold it), its golden cases and notes."""

    pack: dict[str, Any]
    cases: list[dict[str, Any]]
    notes: list[Diagnostic] = field(default_factory=list)


class ImportProblems:
    """Problems found while converting, reported together (compiler-style)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[Diagnostic] = []
        self.notes: list[Diagnostic] = []

    def error(self, where: str, message: str, hint: str | None = None) -> None:
        self.errors.append(Diagnostic(self.file, 0, 0, where, message, hint, code="E300"))

    def note(self, where: str, message: str, hint: str | None = None) -> None:
        self.notes.append(
            Diagnostic(self.file, 0, 0, where, message, hint, code="W300", severity="warning")
        )

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputError(self.errors)


def fail(file: str, where: str, message: str, hint: str | None = None) -> InputError:
    """One problem that stops the import at once (unreadable or hostile input)."""
    return InputError([Diagnostic(file, 0, 0, where, message, hint, code="E300")])


_CYRILLIC = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
        "я": "ya",
    }
)  # fmt: skip


def slug(text: str, taken: set[str], prefix: str = "") -> str:
    """An id made from `text` (lower case ASCII, '_'; Russian transliterated), unique
    among `taken` (which it joins)."""
    latin = text.lower().translate(_CYRILLIC)
    folded = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", folded)
    base = "_".join(words)[:MAX_ID].strip("_") or "item"
    if prefix:
        base = f"{prefix}_{base}"
    elif not base[0].isalpha():
        base = f"n_{base}"
    ident, number = base, 2
    while ident in taken:
        ident = f"{base}_{number}"
        number += 1
    taken.add(ident)
    return ident


def id_prefix(pack_id: str) -> str:
    """The prefix of a pack's question and fault ids (ids are shared across a line)."""
    return re.sub(r"[^a-z0-9_]", "_", pack_id.lower())[:16].strip("_") or "imported"


def yes_no(text: str) -> str | None:
    """'yes' or 'no' for the usual ways of writing them, else None."""
    word = text.strip().lower()
    return "yes" if word in YES else "no" if word in NO else None


def escalation(text: str) -> tuple[int, str] | None:
    """(line, reason) for a conclusion such as 'Escalate to Line 2: printer hardware'."""
    found = ESCALATE.match(text)
    if found is None:
        return None
    reason = found.group(2).strip() or text.strip()
    return int(found.group(1)), reason


def fault_entry(ident: str, title: str, fix: list[str], line: int) -> dict[str, Any]:
    return {"id": ident, "title": title, "fix": fix or [title], "line": line}


def pack_head(meta: PackMeta, description: str, complaint: str | None = None) -> dict[str, Any]:
    """The pack's head, with one complaint (the guided intake starts from it)."""
    title = meta.title or meta.id.replace("-", " ").replace("_", " ").capitalize()
    return {
        "id": meta.id,
        "version": meta.version,
        "line": meta.line,
        "title": title,
        "status": "draft",
        "description": description,
        "symptoms": [{"id": complaint_id(meta), "title": complaint or title}],
        "intake": ["customer", "location"],  # no equipment details: add them if needed
    }


def complaint_id(meta: PackMeta) -> str:
    return f"{id_prefix(meta.id)}_problem"


def case_entry(
    ident: str, title: str, meta: PackMeta, answers: dict[str, Any], expect: dict[str, Any]
) -> dict[str, Any]:
    """A golden case: the complaint, the answers along one row or path, the outcome."""
    return {
        "id": ident,
        "title": title,
        "line": meta.line,
        "intake": {"complaint": complaint_id(meta)},
        "answers": answers,
        "expect": expect,
    }
