"""Questions asked where no answer can change the outcome (a sense check of the packs).

`pack check` (W112) finds them exactly and fast on the coverage split of each domain
(`check_moot`): a branch of answers after which every region leads to one outcome while
some rule still waits on an unanswered question. That does not depend on the order a
session asks in: any session that knows those answers and asks on asks for nothing.

`moot_questions` walks the guided tree (engine.guided: the session's own paths) of each
complaint and
reports every question node whose answers all lead to the same single outcome: the
same fault proposed, or the same escalation. Such a question is moot given what is
known on that path (the printer asking what the printouts look like after "nothing comes
out"), and the pack should not ask it there. Truncated branches are never judged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.chaining import has_outcome
from engine.compile import CompiledKnowledge, CompiledRule
from engine.coverage import COMPLAINT, domain_rules, domains
from engine.coverage import _domain_space as domain_space
from engine.diagnose import DEFAULT_THRESHOLD, Weighed, rank
from engine.finding import Checker
from engine.guided import GuidedTree, TreeNode, guided_tree
from engine.logic import FactValue, show_value
from engine.regions import Explorer, Settled
from engine.session import Budget
from rules.knowledge import INTAKE_PREFIX, KnowledgeBase

Outcome = tuple[str, str | None, int | None]


@dataclass(frozen=True)
class Moot:
    """A question whose every answer leads to `outcome`, after `answers`."""

    symptom: str
    question: str
    answers: tuple[tuple[str, str], ...]
    outcome: Outcome


def _outcomes(
    node: TreeNode, memo: dict[str, frozenset[Outcome] | None]
) -> frozenset[Outcome] | None:
    """Every leaf outcome below `node`; None when a branch was truncated (unknown)."""
    if node.id in memo:
        return memo[node.id]
    found: frozenset[Outcome] | None
    if node.kind in ("fault", "escalation"):
        found = frozenset({(node.kind, node.fault, node.to_line)})
    elif node.kind == "question":
        parts = [_outcomes(child, memo) for _, child in node.children]
        found = None if any(p is None for p in parts) else frozenset().union(*parts)  # type: ignore[arg-type]
    else:
        found = None
    memo[node.id] = found
    return found


def moot_in(tree: GuidedTree) -> list[Moot]:
    memo: dict[str, frozenset[Outcome] | None] = {}
    out: list[Moot] = []
    for node in tree.nodes():
        if node.kind != "question" or node.question is None:
            continue
        below = _outcomes(node, memo)
        if below is not None and len(below) == 1 and len(node.children) > 1:
            (outcome,) = below
            answers = tuple((q, show_value(v)) for q, v in node.answers)
            out.append(Moot(node.symptom, node.question, answers, outcome))
    return out


def moot_questions(
    compiled: CompiledKnowledge,
    *,
    line: int,
    symptoms: list[str],
    budget: Budget | None = None,
    max_nodes: int = 300,
) -> list[Moot]:
    """The moot questions of each symptom's guided tree on `line`."""
    out: list[Moot] = []
    for symptom in symptoms:
        tree = guided_tree(
            compiled, line=line, symptoms=[symptom], budget=budget, max_nodes=max_nodes
        )
        out.extend(moot_in(tree))
    return out


# ---- the exact check behind `pack check` (W112) ---------------------------------------------

_GAP: Outcome = ("gap", None, None)


@dataclass(frozen=True)
class MootAt:
    """After `answers` (a partial answer set of one domain) every answer leads to `outcome`,
    yet rules still wait on `questions`: whatever a session asks there is moot."""

    pack: str
    symptom: str | None
    answers: tuple[tuple[str, FactValue], ...]
    questions: tuple[str, ...]
    outcome: Outcome


def _signature(compiled: CompiledKnowledge, weighed: Weighed) -> Outcome:
    """What a session does with these firings: escalate (to the highest line named) or
    propose the leading fault (firm or not: a fault below the threshold escalates)."""
    if weighed.escalations:
        return ("escalation", None, max(e.to_line for e in weighed.escalations))
    top = rank(compiled, weighed, DEFAULT_THRESHOLD, "en")
    best = next((f for f in top if f.certainty > 0), None)
    if best is None:
        return _GAP
    return ("fault" if best.firm else "weak", best.id, None)


@dataclass
class MootExplorer(Explorer):
    """The coverage split (engine.regions), remembering where the outcome is already
    decided by the answers known while some rule still waits on an unanswered question.

    A branch's outcomes are those of its regions; a region that stops only because an
    outcome is guaranteed (some rule still live) has no single outcome and is never part
    of a moot branch, and neither is a gap. Only the topmost moot branch is kept."""

    found: list[MootAt] = field(default_factory=list)
    pack: str = ""
    symptom: str | None = None

    def _explore(
        self,
        known: dict[str, FactValue],
        weight: int,
        parent: Settled | None = None,
        added: str | None = None,
    ) -> None:
        self._outcomes(known, parent, added)

    def _outcomes(
        self, known: dict[str, FactValue], parent: Settled | None, added: str | None
    ) -> frozenset[Outcome] | None:
        state, pending = self._settle(known, parent, added)
        live = self._live(state, pending)
        weighed = self._weighed(state)
        decided = has_outcome(weighed)
        if decided and (not live or self._guaranteed(state, live)):
            self._region()
            return frozenset({_signature(self.compiled, weighed)}) if not live else None
        if not decided and not live:
            self._region()
            return frozenset({_GAP})
        key = self._next_key(known, live)
        start = len(self.found)
        parts: list[frozenset[Outcome] | None] = []
        for first, _count in self._key_classes(key):
            known[key] = self.space[key].values[first]
            parts.append(self._outcomes(known, (state, pending), key))
        del known[key]
        if any(p is None for p in parts):
            return None
        below: frozenset[Outcome] = frozenset().union(*parts)  # type: ignore[arg-type]
        if len(below) == 1 and _GAP not in below and not decided:
            questions = self._waiting(known, live)
            if questions:
                del self.found[start:]
                answers = tuple(sorted((k, v) for k, v in known.items() if k not in self.fixed))
                (outcome,) = below
                self.found.append(MootAt(self.pack, self.symptom, answers, questions, outcome))
        return below

    def _waiting(self, known: Mapping[str, FactValue], live: list[CompiledRule]) -> tuple[str, ...]:
        """The unanswered questions the live rules test, in pack order."""
        questions = self.compiled.kb.questions
        wanted = {k for r in live for k in self._tested[r.index] if k in questions}
        return tuple(q for q in questions if q in wanted and q not in known)


MAX_MOOT_REGIONS = 200  # per domain: beyond it W112 does not judge the domain (never guessed)


def moot_domain(
    compiled: CompiledKnowledge, pack_id: str, symptom: str | None
) -> tuple[list[MootAt], bool]:
    """The topmost moot branches of one coverage domain, and whether it was judged (False:
    it splits into more than MAX_MOOT_REGIONS regions, and nothing is guessed)."""
    space, keys = domain_space(compiled, pack_id, symptom)
    fixed: dict[str, FactValue] = {COMPLAINT: symptom} if symptom is not None else {}
    explorer = MootExplorer(
        compiled,
        domain_rules(compiled, pack_id, keys, fixed),
        space,
        keys,
        fixed,
        None,
        MAX_MOOT_REGIONS,
        pack=pack_id,
        symptom=symptom,
    )
    explorer.run()
    return (explorer.found if explorer.decided else []), explorer.decided


def moot_branches(compiled: CompiledKnowledge) -> tuple[list[MootAt], int]:
    """Every topmost moot branch of every coverage domain (engine.coverage.domains), and how
    many domains were not judged."""
    out: list[MootAt] = []
    skipped = 0
    for pack_id, _index, symptom in domains(compiled.kb):
        found, judged = moot_domain(compiled, pack_id, symptom)
        out.extend(found)
        skipped += not judged
    return out, skipped


def check_moot(chk: Checker, judged: tuple[list[MootAt], int] | None = None) -> int:
    """W112 at the first question a moot branch still waits on (once per question and
    answers, whichever domain found it), from `judged` (`moot_branches`, worked out here
    when not given); returns how many domains were not judged."""
    kb = chk.kb
    seen: set[tuple[str, tuple[tuple[str, FactValue], ...], Outcome]] = set()
    branches, skipped = judged if judged is not None else moot_branches(chk.compiled)
    for item in branches:
        question = item.questions[0]
        key = (question, item.answers, item.outcome)
        if key in seen:
            continue
        seen.add(key)
        after = ", ".join(f"{_title(kb, k)} = {show_value(v)}" for k, v in item.answers)
        others = [f"'{kb.questions[q].text.get('en')}' ({q})" for q in item.questions]
        chk.at_item(
            "questions",
            question,
            kb.owner[question],
            "W112",
            f"moot question: after {after or 'the complaint alone'}, every answer leads to "
            f"{_outcome_text(kb, item.outcome)}, yet rules still wait on "
            f"{', '.join(others)}: a session there asks it for nothing",
            hint="conclude from the answers already known (a rule without it), or test an "
            "earlier answer so that it is not asked there",
            details={
                "symptom": item.symptom,
                "answers": {k: show_value(v) for k, v in item.answers},
                "questions": list(item.questions),
                "outcome": list(item.outcome),
            },
        )
    return skipped


def _title(kb: KnowledgeBase, key: str) -> str:
    if key in kb.questions:
        return f"'{kb.questions[key].text.get('en')}'"
    return key.removeprefix(INTAKE_PREFIX)


def _outcome_text(kb: KnowledgeBase, outcome: Outcome) -> str:
    kind, fault, line = outcome
    if kind == "escalation":
        return f"an escalation to Line {line}"
    title = kb.fault(fault or "").title.get("en")
    weak = " (below the threshold, so an escalation)" if kind == "weak" else ""
    return f"fault '{title}' ({fault}){weak}"
