"""Questions asked where no answer can change the outcome (a sense check of the packs).

Walks the guided tree (engine.guided: the session's own paths) of each complaint and
reports every question node whose answers all lead to the same single outcome: the
same fault proposed, or the same escalation. Such a question is moot given what is
known on that path (the printer asking what the printouts look like after "nothing comes
out"), and the pack should not ask it there. Truncated branches are never judged.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.compile import CompiledKnowledge
from engine.guided import GuidedTree, TreeNode, guided_tree
from engine.logic import show_value
from engine.session import Budget

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
