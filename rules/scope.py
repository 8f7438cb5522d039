"""Which complaints a pack has knowledge for: the scope of guided sessions and fallbacks.

A pack has knowledge for a complaint when it declares it as a symptom, or when one of
its rules names it in a positive intake condition (`{intake: complaint, equals: X}` or
`one_of: [X, ...]`, not under a `not`): a Line 2 pack states that way which Line 1
complaints it refines. A guided session for a complaint runs only on these packs, and a
line without any of them has no guided knowledge for the complaint (its specialist works
the case by hand from the handoff). `requires` is about the ids a pack uses, not about
what it knows: requiring the VPN pack does not make a network pack a VPN pack.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rules.schema import Condition, Pack

COMPLAINT = "complaint"


def named_complaints(cond: Condition, negated: bool = False) -> Iterator[str]:
    """The complaints a condition names positively (a `not` turns its part negative)."""
    if cond.not_ is not None:
        yield from named_complaints(cond.not_, not negated)
        return
    if cond.children:
        for child in cond.children:
            yield from named_complaints(child, negated)
        return
    if negated or cond.expr is not None or cond.subject != ("intake", COMPLAINT):
        return  # an expression is arithmetic over numbers: it names no complaint
    if cond.kind == "equals" and isinstance(cond.equals, str):
        yield cond.equals
    elif cond.kind == "one_of":
        yield from (v for v in cond.one_of or () if isinstance(v, str))


def own_complaints(pack: Pack) -> frozenset[str]:
    """The complaints a pack states itself (declared, or named by its rules)."""
    found = {s.id for s in pack.symptoms}
    for rule in pack.rules:
        if rule.when is not None:
            found.update(named_complaints(rule.when))
    return frozenset(found)


def complaint_map(packs: Iterable[Pack]) -> dict[str, frozenset[str]]:
    """Pack id -> the complaints it has knowledge for.

    A pack that states no complaint of its own refines the packs it requires, so it has
    knowledge for theirs (transitively; packs not loaded count for nothing).
    """
    by_id = {p.id: p for p in packs}
    out: dict[str, frozenset[str]] = {}

    def resolve(pid: str, seen: frozenset[str]) -> frozenset[str]:
        if pid in out:
            return out[pid]
        pack = by_id[pid]
        found = own_complaints(pack)
        if not found:
            found = frozenset().union(
                *(resolve(r, seen | {pid}) for r in pack.requires if r in by_id and r not in seen)
            )
        if not seen:
            out[pid] = found
        return found

    for pid in sorted(by_id):
        resolve(pid, frozenset())
    return out


def packs_for(packs: Iterable[Pack], complaint: str) -> list[str]:
    """The ids of the packs with knowledge for `complaint`, sorted."""
    return sorted(pid for pid, known in complaint_map(packs).items() if complaint in known)


def line_knows(packs: Iterable[Pack], line: int, complaint: str) -> bool:
    """Whether one of `line`'s own packs has knowledge for `complaint` (a lower line's
    pack that a higher line's pack requires does not count: it was run already)."""
    packs = list(packs)
    lines = {p.id: p.line for p in packs}
    return any(lines[pid] == line and complaint in c for pid, c in complaint_map(packs).items())
