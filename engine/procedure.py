"""Following a procedure written with `next:` links (rules.procedure) in the question
policy: once a question is answered with an option that names a next step, that step is
asked next, before `order` and before the priced choice, while it can still change the
outcome (a step that no longer matters is skipped, and the policy chooses).

The step is worked out from the known facts alone, never from the order answers came
in (answer order never changes a diagnosis): of the steps that known answers lead to
and that may be asked now, the one led to by the answer furthest along its procedure
(most links before that question) comes first, then the first in a list of next steps
(`next: [a, b]`: the first that still matters, e.g. the two branches after a computed
score), then the packs' declared order.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from engine.compile import CompiledKnowledge
from engine.logic import FactValue
from rules.procedure import depths, links


@dataclass(frozen=True)
class Steps:
    """The `next:` links by question, and each question's depth (built once)."""

    nexts: dict[str, list[tuple[str, str, int]]]  # question -> (answer, next, position)
    depth: dict[str, int]
    rank: dict[str, int]


def _steps(compiled: CompiledKnowledge) -> Steps:
    def build() -> Steps:
        kb = compiled.kb
        nexts: dict[str, list[tuple[str, str, int]]] = {}
        for link in links(kb):
            if link.answer is not None:
                nexts.setdefault(link.before, []).append((link.answer, link.then, link.position))
        return Steps(nexts, depths(kb), {q: i for i, q in enumerate(kb.questions)})

    return compiled.cached("procedure_steps", build)


def next_step(
    compiled: CompiledKnowledge, known: Mapping[str, FactValue], eligible: Collection[str]
) -> tuple[str, str, str] | None:
    """(the step to ask, the question and the answer that lead to it), or None."""
    steps = _steps(compiled)
    if not steps.nexts:
        return None
    found: list[tuple[int, int, int, str, str, str]] = []
    for question, options in steps.nexts.items():
        value = known.get(question)
        if value is None:
            continue
        said = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
        for answer, then, position in options:
            if said == answer and then in eligible:
                depth = steps.depth.get(question, 0)
                found.append((-depth, position, steps.rank[then], then, question, answer))
    if not found:
        return None
    _, _, _, then, question, answer = min(found)
    return then, question, answer
