"""Ids defined twice: packs, questions and facts (one namespace), faults, symptoms, rules
within a pack, options within a question; and the fix to suggest for each clash.

Packs are taken in load order, so a clash is reported at the pack that comes second:
with the live packs as context (rules.context) that is the pack given, the one edited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.errors import Diagnostic
from rules.values import RESERVED_OPTION_VALUES

if TYPE_CHECKING:
    from rules.knowledge import KnowledgeBase


def duplicates(
    kb: KnowledgeBase, out: list[Diagnostic], defined: dict[tuple[str, str], tuple[str, str]]
) -> dict[str, set[str]]:
    """Report every id defined twice; returns, per file, the ids it defines that another
    pack took first (its own references to them are no separate problem)."""
    clashed: dict[str, set[str]] = {}
    pack_files: dict[str, str] = {}
    for item in kb.loaded:
        pack, smap = item.pack, item.source
        if pack.id in pack_files and pack_files[pack.id] != smap.file:
            out.append(
                smap.diagnostic(
                    ("id",),
                    f"duplicate pack id '{pack.id}' (also in {pack_files[pack.id]})",
                    code="E011",
                )
            )
        pack_files.setdefault(pack.id, smap.file)
        groups: list[tuple[str, str, list[str]]] = [
            ("questions", "question", [q.id for q in pack.questions]),
            ("facts", "fact", [f.id for f in pack.facts]),
            ("faults", "fault", [f.id for f in pack.faults]),
            ("symptoms", "symptom", [s.id for s in pack.symptoms]),
        ]
        version_of = _older_version(kb, groups, defined, pack.id)
        for section, kind, ids in groups:
            # questions and facts share one namespace: a fact key names one thing
            space = _space(kind)
            for i, ident in enumerate(ids):
                where = defined.get((space, ident))
                if where is not None:
                    other = "this file" if where[1] == smap.file else where[1]
                    out.append(
                        smap.diagnostic(
                            (section, i, "id"),
                            f"duplicate {kind} id '{ident}' (already defined in {other}, "
                            f"pack '{where[0]}')",
                            hint=_clash_hint(kb, ident, where[0], pack.id, version_of),
                            code="E011",
                        )
                    )
                    if where[0] != pack.id:
                        clashed.setdefault(smap.file, set()).add(ident)
                else:
                    defined[(space, ident)] = (pack.id, smap.file)
        rule_ids: set[str] = set()
        for ri, rule in enumerate(pack.rules):
            if rule.id in rule_ids:
                out.append(
                    smap.diagnostic(
                        ("rules", ri, "id"), f"duplicate rule id '{rule.id}'", code="E011"
                    )
                )
            rule_ids.add(rule.id)
        for qi, question in enumerate(pack.questions):
            values = [o.value for o in question.options or ()]
            for oi, value in enumerate(values):
                if value in RESERVED_OPTION_VALUES:
                    out.append(
                        smap.diagnostic(
                            ("questions", qi, "options", oi, "value"),
                            f"option value '{value}' is a reserved answer (it means the "
                            "customer cannot tell), so this option could never be chosen",
                            hint=f"rename it, e.g. '{value}_answer' or 'not_sure'",
                            code="E018",
                        )
                    )
                if value in values[:oi]:
                    out.append(
                        smap.diagnostic(
                            ("questions", qi, "options", oi, "value"),
                            f"duplicate option '{value}'",
                            code="E011",
                        )
                    )

    return clashed


def _space(kind: str) -> str:
    return "value" if kind in ("question", "fact") else kind


def _older_version(
    kb: KnowledgeBase,
    groups: list[tuple[str, str, list[str]]],
    defined: dict[tuple[str, str], tuple[str, str]],
    pack_id: str,
) -> str | None:
    """The other pack this one looks like a version of: most of its ids (three at least)
    are already defined there."""
    owners: dict[str, int] = {}
    total = 0
    for _, kind, ids in groups:
        for ident in ids:
            total += 1
            where = defined.get((_space(kind), ident))
            if where is not None and where[0] != pack_id:
                owners[where[0]] = owners.get(where[0], 0) + 1
    if not owners:
        return None
    best = min(owners, key=lambda pid: (-owners[pid], pid))
    return best if owners[best] >= 3 and 2 * owners[best] > total else None


def _clash_hint(
    kb: KnowledgeBase, ident: str, owner: str, pack_id: str, version_of: str | None
) -> str:
    """The fix for a clash, said to the pack that comes second (the one given or edited)."""
    if owner == pack_id:
        return f"rename one of the two '{ident}': an id names one thing"
    if version_of == owner and owner in kb.packs:
        version = kb.packs[owner].pack.version
        return (
            f"if this file is a new version of pack '{owner}', give it 'id: {owner}' and a "
            f"version above {version} (it then replaces {version}); else rename '{ident}' here"
        )
    return (
        f"rename '{ident}' in this pack; or, if it is the same thing, add '{owner}' to "
        "requires and remove this definition"
    )


def without_echoes(problems: list[Diagnostic], clashed: dict[str, set[str]]) -> list[Diagnostic]:
    """The problems less 'unknown X' where a pack refers to its own X that clashed: the
    clash, reported at the definition, is the one thing to fix."""
    return [
        d
        for d in problems
        if not (
            d.message.startswith("unknown ")
            and any(f"'{ident}'" in d.message for ident in clashed.get(d.file, ()))
        )
    ]
