"""Where a complaint's cases can go: the lines its escalations reach, and the lines among
them that have no guided knowledge for it (`pack check` notes each, N111).

From the line where a complaint enters (the line of a pack that declares it), a case can
go up by a rule's `escalate` (rules of the complaint's packs that admit it), to the line
a concluded fault needs, or to the next line (no rule applies, the best hypothesis is
weak, a budget is spent, a fix failed). A reached line with a pack for the complaint
runs a guided session there and goes on from it; a reached line without one is where the
case waits to be worked by hand from the handoff (cases.desk.NoGuidedKnowledge).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.escalation import TOP_LINE
from engine.finding import Checker
from rules.knowledge import KnowledgeBase
from rules.schema import Condition
from rules.scope import complaint_map, named_complaints


@dataclass(frozen=True)
class Route:
    """One way a complaint's case reaches a line without guided knowledge for it."""

    complaint: str
    line: int  # the line reached, which has no pack for the complaint
    from_line: int
    by: str  # 'rule PACK/RULE', 'fault FAULT', or 'next line'


def _admits(when: Condition | None, complaint: str) -> bool:
    """Whether a rule can apply to the complaint (it names none, or names this one)."""
    if when is None:
        return True
    named = set(named_complaints(when))
    return not named or complaint in named


def unguided_routes(kb: KnowledgeBase) -> list[Route]:
    """For every declared complaint, the first way each unguided line is reached.

    Only lines up to the highest line with packs here count: packs checked without the
    higher lines' packs say nothing about those lines."""
    known = complaint_map(p.pack for p in kb.packs.values())
    line_of = {pid: p.pack.line for pid, p in kb.packs.items()}
    highest = max(line_of.values(), default=0)
    entries: dict[str, set[int]] = {}
    for loaded in kb.packs.values():
        for symptom in loaded.pack.symptoms:
            entries.setdefault(symptom.id, set()).add(loaded.pack.line)
    out: list[Route] = []
    for complaint in sorted(entries):
        knowing = {pid for pid, cs in known.items() if complaint in cs}
        guided = {line_of[pid] for pid in knowing}
        seen = set(entries[complaint])
        todo = sorted(seen)
        reported: set[int] = set()
        while todo:
            line = todo.pop(0)
            for target, by in _targets(kb, knowing, line_of, complaint, line):
                if target > min(TOP_LINE, highest) or target in seen:
                    continue
                if target not in guided:
                    if target not in reported:
                        reported.add(target)
                        out.append(Route(complaint, target, line, by))
                    continue
                seen.add(target)
                todo.append(target)
    return out


def _targets(
    kb: KnowledgeBase, knowing: set[str], line_of: dict[str, int], complaint: str, line: int
) -> list[tuple[int, str]]:
    """Where a session on `line` can send the complaint's case, with what sends it."""
    found: list[tuple[int, str]] = []
    for ref in kb.rules:
        if ref.pack_id not in knowing or line_of[ref.pack_id] > line:
            continue
        if not _admits(ref.rule.when, complaint):
            continue
        for then in ref.rule.then:
            if then.escalate is not None and then.escalate > line:
                found.append((then.escalate, f"rule {ref.qualified}"))
            if then.conclude is not None and then.cf > 0:
                fault = kb.faults.get(then.conclude)
                if fault is not None and fault.line > line:
                    found.append((fault.line, f"fault {fault.id}"))
    found.append((line + 1, "next line"))
    return sorted(set(found), key=lambda t: (t[0], t[1] == "next line", t[1]))


def check_routes(chk: Checker) -> None:
    """N111 at each complaint's declaration: a line its cases can reach with no pack for it."""
    kb = chk.kb
    declared = {s.id: pid for pid, p in sorted(kb.packs.items()) for s in p.pack.symptoms}
    for route in unguided_routes(kb):
        pack = declared[route.complaint]
        how = {"next line": "when no rule settles it"}.get(route.by, f"by {route.by}")
        chk.at_item(
            "symptoms",
            route.complaint,
            pack,
            "N111",
            f"complaint '{route.complaint}' can reach Line {route.line} (from Line "
            f"{route.from_line}, {how}), which has no pack for it",
            hint=f"its cases wait in Line {route.line}'s queue to be worked by hand from the "
            f"handoff; a Line {route.line} pack that names the complaint gives them guided "
            "knowledge",
            details={"complaint": route.complaint, "line": route.line, "by": route.by},
        )
