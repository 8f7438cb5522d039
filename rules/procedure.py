"""Procedures written as links between questions: `next:` on an answer option ("after
this answer, ask that") and `after:` on a question ("only once these are settled").

Checked with the other cross-pack problems (`pack validate`, `pack check`): a link names
a question that exists (E010), a step never leads to itself (E019), and the links never
form a cycle (E019), since a cycle is a procedure no session can follow. Each problem is
reported at the link's own file:line. The question policy (engine.procedure) follows
the links; `steps` gives every link once, for it and for the checks.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rules.errors import Diagnostic, did_you_mean
from rules.source import PathKey

if TYPE_CHECKING:
    from rules.knowledge import KnowledgeBase


@dataclass(frozen=True)
class Link:
    """One procedure link: `before` is settled (with `answer`, for `next:`), then `then`."""

    before: str
    then: str
    answer: str | None  # the answer of `before` that leads on: yes, no or an option value
    # (None: an `after` link)
    pack: str
    path: PathKey  # where the link is written in its pack
    position: int = 0  # in a list of next steps: the first that still matters is asked


def links(kb: KnowledgeBase) -> list[Link]:
    """Every `next:` and `after:` link, in the packs' order."""
    found: list[Link] = []
    path: PathKey
    for item in kb.packs.values():
        for qi, question in enumerate(item.pack.questions):
            for answer, then in question.next.items():
                path = ("questions", qi, "next", answer)
                found.extend(_listed(question.id, then, answer, item.pack.id, path))
            for oi, option in enumerate(question.options or ()):
                if option.next is not None:
                    path = ("questions", qi, "options", oi, "next")
                    found.extend(
                        _listed(question.id, option.next, option.value, item.pack.id, path)
                    )
            for ai, before in enumerate(question.after):
                path = ("questions", qi, "after", ai)
                found.append(Link(before, question.id, None, item.pack.id, path))
    return found


def _listed(
    before: str, then: str | list[str], answer: str, pack: str, path: PathKey
) -> list[Link]:
    """One link per step named (a list: the first that still matters is asked)."""
    if isinstance(then, str):
        return [Link(before, then, answer, pack, path)]
    return [Link(before, t, answer, pack, (*path, i), i) for i, t in enumerate(then)]


def check_links(kb: KnowledgeBase, out: list[Diagnostic]) -> None:
    """Unknown steps (E010 for `next:`; `after:` is checked with the references), steps
    that lead to themselves and cycles (E019)."""
    valid: list[Link] = []
    for link in links(kb):
        smap = kb.packs[link.pack].source
        if link.answer is not None and link.then not in kb.questions:
            out.append(
                smap.diagnostic(
                    link.path,
                    f"unknown question '{link.then}'",
                    hint=did_you_mean(link.then, kb.questions.keys()),
                    code="E010",
                )
            )
        elif link.before == link.then:
            out.append(
                smap.diagnostic(
                    link.path,
                    f"question '{link.before}' cannot come after itself",
                    hint="name the question that comes next, or remove the link",
                    code="E019",
                )
            )
        elif link.before in kb.questions and link.then in kb.questions:
            valid.append(link)
    _cycles(kb, valid, out)


def _cycles(kb: KnowledgeBase, valid: list[Link], out: list[Diagnostic]) -> None:
    needs: dict[str, set[str]] = {}
    for link in valid:
        needs.setdefault(link.then, set()).add(link.before)
    try:
        graphlib.TopologicalSorter(needs).prepare()
        return
    except graphlib.CycleError as err:
        steps: list[str] = list(err.args[1])  # [a, b, ..., a], in the order of asking
    first = next(link for link in valid if link.before == steps[0] and link.then == steps[1])
    out.append(
        kb.packs[first.pack].source.diagnostic(
            first.path,
            "procedure steps form a cycle: " + " -> ".join(steps),
            hint="a step cannot come after itself through other steps; remove one of the "
            "'next:' or 'after:' links",
            code="E019",
        )
    )


def depths(kb: KnowledgeBase) -> dict[str, int]:
    """Question -> how many links lead to it at most (0 for a procedure's first step and
    for questions outside any procedure); empty when the links form a cycle."""
    needs: dict[str, set[str]] = {}
    for link in links(kb):
        if link.before in kb.questions and link.then in kb.questions:
            needs.setdefault(link.then, set()).add(link.before)
    try:
        order = list(graphlib.TopologicalSorter(needs).static_order())
    except graphlib.CycleError:
        return {}
    depth: dict[str, int] = {}
    for question in order:
        depth[question] = max((depth[b] + 1 for b in needs.get(question, ())), default=0)
    return depth
