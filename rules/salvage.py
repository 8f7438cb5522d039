"""One-pass validation: a pack with broken items still has its other items cross-checked.

When every structural error of a file sits inside items of its lists (a rule with a
misspelt key, a question without a type), those items are set aside and the rest of the
pack is validated again. The rest then takes part in the cross-pack checks (unknown
references, value types, cycles), so that `pack validate` reports structural and
reference errors in one run. Positions stay those of the original file, and references
to a set-aside item's id are not reported as unknown (the item exists, it is broken).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from rules.errors import Diagnostic
from rules.schema import Pack
from rules.source import SourceMap

SECTIONS = ("symptoms", "questions", "facts", "faults", "rules")


class RemappedSource(SourceMap):
    """A source map whose list indexes are those of the pack before items were set aside."""

    def __init__(self, base: SourceMap, kept: dict[str, list[int]]) -> None:
        self.__dict__.update(base.__dict__)
        self.kept = kept

    def original(self, path: Sequence[str | int]) -> tuple[str | int, ...]:
        parts = tuple(path)
        if len(parts) >= 2 and isinstance(parts[0], str) and isinstance(parts[1], int):
            indexes = self.kept.get(parts[0])
            if indexes is not None and parts[1] < len(indexes):
                return (parts[0], indexes[parts[1]], *parts[2:])
        return parts

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        return super().locate(self.original(path), key=key)

    def diagnostic(
        self,
        path: Sequence[str | int],
        message: str,
        *,
        hint: str | None = None,
        key: bool = False,
        code: str = "E000",
        severity: str = "error",
    ) -> Diagnostic:
        return super().diagnostic(
            self.original(path), message, hint=hint, key=key, code=code, severity=severity
        )


def salvage(
    data: dict[str, Any], err: ValidationError, source: SourceMap
) -> tuple[Pack, RemappedSource, frozenset[str]] | None:
    """The pack without its broken list items, a source map for it, and those items' ids;
    None when an error lies outside the lists' items (the pack's own keys)."""
    broken: dict[str, set[int]] = {}
    for item in err.errors():
        loc = item["loc"]
        if len(loc) < 2 or loc[0] not in SECTIONS or not isinstance(loc[1], int):
            return None
        broken.setdefault(str(loc[0]), set()).add(loc[1])
    kept_data = dict(data)
    kept: dict[str, list[int]] = {}
    ids: set[str] = set()
    for section, indexes in broken.items():
        items = data.get(section)
        if not isinstance(items, list):
            return None
        for index in indexes:
            ident = items[index].get("id") if isinstance(items[index], dict) else None
            if isinstance(ident, str):
                ids.add(ident)
        kept[section] = [i for i in range(len(items)) if i not in indexes]
        kept_data[section] = [items[i] for i in kept[section]]
    try:
        pack = Pack.model_validate(kept_data)
    except ValidationError:
        return None
    return pack, RemappedSource(source, kept), frozenset(ids)


def unmasked(problems: Iterable[Diagnostic], set_aside: frozenset[str]) -> list[Diagnostic]:
    """Cross-check problems, less 'unknown X' for the ids of items set aside as broken."""
    out: list[Diagnostic] = []
    for problem in problems:
        if problem.code in ("E010", "E013") and any(f"'{i}'" in problem.message for i in set_aside):
            continue
        out.append(problem)
    return out
