"""The guided tree: every path the guided session can take, enumerated from its policy.

Each node is what `engine.session.Session.step()` does after the answers on its path:
ask a question (one branch per representative answer, `engine.select.answer_values`),
propose a fault's fix, or escalate. It is the picture a trainer teaches Line 1 with, so
it is the session's own behaviour, not a re-implementation.

Limits: breadth first up to `max_nodes` nodes and `max_depth` questions per path; a
question whose answers would exceed them is kept as a *truncated* leaf, and the tree
says how many there are. Answers of "unknown" and "the fix did not work" are not
branched (they would multiply the tree; the session handles both).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.compile import CompiledKnowledge
from engine.facts import FactSet
from engine.logic import FactValue, show_value
from engine.select import answer_values
from engine.session import Ask, Asked, Budget, Conclude, Escalate, ProposeFix, Record, Session

DEFAULT_MAX_NODES = 300
DEFAULT_MAX_DEPTH = 12

TreeKind = Literal["question", "fault", "escalation", "truncated", "done"]


@dataclass
class TreeNode:
    """One step of the session after the answers on its path."""

    id: str
    symptom: str
    answers: tuple[tuple[str, FactValue], ...]
    kind: TreeKind = "truncated"
    question: str | None = None
    fault: str | None = None
    certainty: float | None = None
    to_line: int | None = None
    reason: str = ""
    children: list[tuple[FactValue, TreeNode]] = field(default_factory=list)

    def walk(self) -> list[TreeNode]:
        out = [self]
        for _, child in self.children:
            out.extend(child.walk())
        return out

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "kind": self.kind}
        for key in ("question", "fault", "certainty", "to_line"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.reason:
            data["reason"] = self.reason
        if self.children:
            data["answers"] = {show_value(v): c.as_dict() for v, c in self.children}
        return data


@dataclass
class GuidedTree:
    """The trees of a line's symptoms, with the limits they were enumerated under."""

    line: int
    roots: list[TreeNode]
    max_nodes: int
    max_depth: int

    def nodes(self) -> list[TreeNode]:
        return [n for root in self.roots for n in root.walk()]

    @property
    def truncated(self) -> int:
        return sum(1 for n in self.nodes() if n.kind == "truncated")


def _session(
    compiled: CompiledKnowledge,
    node: TreeNode,
    line: int,
    budget: Budget | None,
    lang: str,
) -> Session:
    kb = compiled.kb
    facts = FactSet()
    facts.intake(kb, "complaint", node.symptom, at="-")
    record = Record(facts)
    for qid, value in node.answers:
        record.add_answer(Asked(qid, value, line, "-", float(kb.questions[qid].cost)))
    return Session(compiled, record, line=line, budget=budget, lang=lang)


def guided_tree(
    compiled: CompiledKnowledge,
    *,
    line: int,
    symptoms: list[str],
    budget: Budget | None = None,
    lang: str = "en",
    max_nodes: int = DEFAULT_MAX_NODES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> GuidedTree:
    """Enumerate the session's paths for each symptom, breadth first, within the limits."""
    roots = [TreeNode(id=f"t:{s}", symptom=s, answers=()) for s in symptoms]
    queue = deque(roots)
    count = len(roots)
    while queue:
        node = queue.popleft()
        step = _session(compiled, node, line, budget, lang).step()
        if isinstance(step, ProposeFix | Conclude):
            node.kind, node.fault, node.certainty = "fault", step.fault.id, step.fault.certainty
        elif isinstance(step, Escalate):
            node.kind, node.fault = "escalation", step.fault
            node.to_line, node.reason = step.escalation.to_line, step.escalation.reason
        elif isinstance(step, Ask):
            node.question = step.question.id
            values = answer_values(compiled, step.question.id)
            if len(node.answers) >= max_depth or count + len(values) > max_nodes:
                node.kind = "truncated"
                continue
            node.kind = "question"
            for value in values:
                child = TreeNode(
                    id=f"{node.id}/{step.question.id}={show_value(value)}",
                    symptom=node.symptom,
                    answers=(*node.answers, (step.question.id, value)),
                )
                node.children.append((value, child))
                queue.append(child)
            count += len(values)
        else:
            node.kind = "done"
    return GuidedTree(line=line, roots=roots, max_nodes=max_nodes, max_depth=max_depth)
