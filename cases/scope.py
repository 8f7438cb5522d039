"""Which stored cases a change to one pack can touch (`pack diff --stored` replays only those).

A stored case re-runs the guided session on its line, answering from what it recorded
(anything else is 'unknown'). A new version of pack P can change that re-run only if:
- P (or a pack whose questions a changed rule tests) is in the *focus* of the case's
  complaint, under the old or the new knowledge: the session asks only the questions of
  the packs its complaint points to (`engine.select.focus_packs`), so a change there may
  change what is asked and concluded;
- or the case knows a fact that a changed rule tests, directly or through the rules that
  derive a fact it tests (a rule outside the focus fires only from what is known);
- or it answered a changed question, or a changed fault came up in it.
A changed fallback rule, a changed rule that tests nothing the case could know, or a
change to the pack's header other than its version, title, description or status can
touch any case of the line. The criterion is checked against a full replay in the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cases import cache
from cases.impact import StoredScope, Versions
from cases.rerun import CaseAnswers, case_answers
from cases.store import SQLStore
from cases.usage import Scope, complaints, reached, refresh, touched
from engine.select import focus_packs
from rules.diff import PackDiff
from rules.knowledge import INTAKE_PREFIX, KnowledgeBase, RuleRef, leaves

HARMLESS_HEADER = ("version", "title", "description", "status")


@dataclass
class _Found:
    questions: set[str] = field(default_factory=set)
    intake: set[str] = field(default_factory=set)
    everything: bool = False


def _base_facts(kb: KnowledgeBase, rules: list[RuleRef], found: _Found) -> None:
    """Add the questions and intake fields these rules rest on, through derived facts."""
    deriving: dict[str, list[RuleRef]] = {}
    for ref in kb.rules:
        for then in ref.rule.then:
            if then.derive is not None:
                deriving.setdefault(then.derive, []).append(ref)
    todo, seen = list(rules), set()
    while todo:
        ref = todo.pop()
        if ref.qualified in seen:
            continue
        seen.add(ref.qualified)
        if ref.rule.when is None or ref.rule.fallback:
            found.everything = True
            continue
        tested = 0
        for leaf in leaves(ref.rule.when):
            kind, ident = leaf.subject
            tested += 1
            if kind == "intake":
                found.intake.add(ident)
            elif kind == "question":
                found.questions.add(ident)
            else:
                todo.extend(deriving.get(ident, []))
        if not tested:
            found.everything = True


def _touched_rules(kb: KnowledgeBase, pack_id: str, diff: PackDiff) -> list[RuleRef]:
    """The pack's rules that the diff changes, or that conclude or derive a changed item."""
    changed = {(i.section, i.id) for i in diff.items}
    picked = []
    for ref in kb.rules:
        if ref.pack_id != pack_id:
            continue
        rule = ref.rule
        hit = ("rules", rule.id) in changed
        for then in rule.then:
            hit |= then.conclude is not None and ("faults", then.conclude) in changed
            hit |= then.derive is not None and ("facts", then.derive) in changed
        if hit:
            picked.append(ref)
    return picked


def change_scope(
    diff: PackDiff,
    line: int,
    old: cache.PackFiles,
    new: cache.PackFiles,
    complaints: list[str],
) -> Scope:
    """The scope of a change to one pack on its line, for the complaints the store holds."""
    found = _Found()
    if any(c.path.split(".")[0] not in HARMLESS_HEADER for c in diff.header):
        return Scope(line, everything=True)
    owners: set[str] = {diff.pack}
    sides = [(cache.knowledge(files), files) for files in (old, new)]
    for kb, _ in sides:
        before = set(found.questions)
        _base_facts(kb, _touched_rules(kb, diff.pack, diff), found)
        owners.update(kb.owner[q] for q in found.questions - before if q in kb.owner)
    found.questions |= {i.id for i in diff.items if i.section == "questions"}
    if found.everything:
        return Scope(line, everything=True)
    hit: set[str] = set()
    for kb, files in sides:
        if not any(p.pack.line == line for p in kb.packs.values()):
            continue
        compiled = cache.compiled(files, line)
        for complaint in complaints:
            known = {INTAKE_PREFIX + "complaint": complaint} if complaint else {}
            if owners & focus_packs(compiled, known):
                hit.add(complaint)
    faults = frozenset(i.id for i in diff.items if i.section == "faults")
    return Scope(
        line,
        complaints=frozenset(hit),
        questions=frozenset(found.questions),
        intake=frozenset(found.intake),
        faults=faults,
    )


def stored_in_scope(
    store: SQLStore, versions: Versions, progress: Callable[[int], None] | None = None
) -> tuple[list[CaseAnswers], StoredScope]:
    """The stored cases the change can touch, as answers to re-run on the pack's line.

    The store's usage index is brought up to date first (only cases with new events;
    `progress` counts them).
    """
    refresh(store, progress)
    line = versions.new_pack.line
    scope = change_scope(
        versions.structure,
        line,
        versions.old_files,
        versions.new_files,
        complaints(store, line),
    )
    picked = touched(store, scope)
    answers = [a for a in (case_answers(store.load(i), line) for i in picked) if a is not None]
    return answers, StoredScope(line, reached(store, line), len(answers), scope.everything)
