"""The structural difference between two versions of a pack, field by field.

Items (symptoms, questions, facts, faults, rules) are matched by id. A changed
item lists each changed field as a dotted path (`when.all[1].equals`) with its
old and new value, so a reviewer sees exactly what moved without reading YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from rules.schema import Pack

SECTIONS: tuple[str, ...] = ("symptoms", "questions", "facts", "faults", "rules")
ChangeKind = Literal["added", "removed", "changed"]
_MISSING = "<absent>"


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs: `path` inside the item, old and new value."""

    path: str
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ItemChange:
    """An item added, removed or changed in one section of the pack."""

    section: str
    id: str
    kind: ChangeKind
    fields: tuple[FieldChange, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "id": self.id,
            "kind": self.kind,
            "fields": [f.as_dict() for f in self.fields],
        }


@dataclass
class PackDiff:
    """Everything that differs between two versions of one pack."""

    pack: str
    old_version: str
    new_version: str
    header: list[FieldChange] = field(default_factory=list)
    items: list[ItemChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.header and not self.items

    def totals(self) -> dict[str, dict[str, int]]:
        """Counts per section and change kind (every section and kind present, for stable JSON)."""
        out = {s: {"added": 0, "removed": 0, "changed": 0} for s in SECTIONS}
        for item in self.items:
            out[item.section][item.kind] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "header": [f.as_dict() for f in self.header],
            "items": [i.as_dict() for i in self.items],
            "totals": self.totals(),
        }


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists as {dotted path: value}: lists of mappings by index, lists of
    plain values (requires, one_of) and empty containers whole."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and any(isinstance(v, dict | list) for v in value):
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def field_changes(old: Any, new: Any) -> list[FieldChange]:
    """Field-level differences of two dumped values, in path order."""
    flat_old, flat_new = flatten(old), flatten(new)
    changes = []
    for path in sorted(set(flat_old) | set(flat_new)):
        before = flat_old.get(path, _MISSING)
        after = flat_new.get(path, _MISSING)
        if before != after or type(before) is not type(after):
            changes.append(FieldChange(path, before, after))
    return changes


def diff_packs(old: Pack, new: Pack) -> PackDiff:
    """Compare two versions of a pack: header fields, then each section by item id."""
    result = PackDiff(pack=new.id, old_version=old.version, new_version=new.version)
    old_dump, new_dump = _dump(old), _dump(new)
    header_old = {k: v for k, v in old_dump.items() if k not in SECTIONS}
    header_new = {k: v for k, v in new_dump.items() if k not in SECTIONS}
    result.header = field_changes(header_old, header_new)
    for section in SECTIONS:
        before = {item["id"]: item for item in old_dump.get(section, [])}
        after = {item["id"]: item for item in new_dump.get(section, [])}
        for ident in sorted(set(before) | set(after)):
            if ident not in after:
                result.items.append(ItemChange(section, ident, "removed"))
            elif ident not in before:
                result.items.append(ItemChange(section, ident, "added"))
            else:
                changes = field_changes(before[ident], after[ident])
                if changes:
                    result.items.append(ItemChange(section, ident, "changed", tuple(changes)))
    return result
