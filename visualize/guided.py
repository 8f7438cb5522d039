"""The guided view: the questions the session asks, with each leaf's fault and fix or
escalation. Built from `engine.guided.GuidedTree` (data) and the decision graph's texts.

The tree is drawn as a DAG: two branches that go on the same way (the same questions in
the same order, to the same faults and escalations) are one sub-graph drawn once, so a
pack whose questions repeat under many answers stays a readable picture. Number answers
are labelled with the range they stand for ("3 to 5"), not the sample value the session
was given.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace

from engine.graph import Graph
from engine.guided import GuidedTree, TreeNode
from engine.logic import FactValue, show_value
from rules.text import Text
from visualize.knowledge import answer_label, fix_tooltip
from visualize.overlay import Path
from visualize.picture import Edge, Node, Picture
from visualize.style import LAST_LINE, word, wrap


def _leaf(graph: Graph, node: TreeNode, lang: str) -> Node:
    if node.kind == "fault" and node.fault is not None:
        data = graph.nodes[f"F:{node.fault}"]
        title = data["label"].get(lang)
        steps = [wrap(f"{i}. {s.get(lang)}", 40) for i, s in enumerate(data["fix"], 1)]
        certainty = f"{word(lang, 'certainty')} {node.certainty:.2f}" if node.certainty else ""
        label = "\n".join([wrap(title, 40), f"{word(lang, 'fix')}:", *steps, certainty]).strip()
        return Node(
            node.id,
            "fault",
            label,
            line=data["line"],
            tooltip=fix_tooltip(title, data["fix"], lang),
        )
    if node.kind == "escalation" and node.to_line is not None:
        # past the last line there is no one to escalate to: the case stays unresolved there
        line = min(node.to_line, LAST_LINE)
        said = word(lang, "escalate" if node.to_line <= LAST_LINE else "unresolved", n=line)
        parts = [said, wrap(node.reason, 40)]
        if node.fault is not None:
            parts.append("(" + wrap(graph.nodes[f"F:{node.fault}"]["label"].get(lang), 40) + ")")
        return Node(node.id, "escalation", "\n".join(parts), line=line, tooltip=node.reason)
    text = ""
    if node.question is not None:
        text = "\n" + wrap(graph.nodes[f"q:{node.question}"]["label"].get(lang))
    return Node(node.id, "truncated", f"… {word(lang, 'truncated')}{text}")


def _question(graph: Graph, node: TreeNode, lang: str) -> Node:
    data = graph.nodes[f"q:{node.question}"]
    help_text = data["help"].get(lang) if data["help"] is not None else ""
    return Node(
        node.id,
        "question",
        wrap(data["label"].get(lang)),
        line=data["line"],
        tooltip=f"{node.question}\n{help_text}".strip(),
    )


def _number(value: float) -> str:
    return show_value(int(value) if float(value).is_integer() else value)


def _low(value: float, bounds: Sequence[float], lang: str) -> str:
    """Where the region `value` stands for starts ('' when unbounded below)."""
    if value in bounds:
        return word(lang, "from", n=_number(value))
    below = [b for b in bounds if b < value]
    return word(lang, "over", n=_number(below[-1])) if below else ""


def _high(value: float, bounds: Sequence[float], lang: str) -> str:
    """Where the region `value` stands for ends ('' when unbounded above)."""
    if value in bounds:
        return word(lang, "to", n=_number(value))
    above = [b for b in bounds if b > value]
    return word(lang, "under", n=_number(above[0])) if above else ""


def range_label(first: float, last: float, bounds: Sequence[float], lang: str) -> str:
    """The answers from the region of `first` to that of `last` (representative values
    between the numbers the packs compare with), as a range a person reads."""
    if first == last and first in bounds:
        return _number(first)
    low, high = _low(first, bounds, lang), _high(last, bounds, lang)
    if low and high:
        return word(lang, "range", low=low, high=high)
    return low or high or word(lang, "any")


def number_branches(
    children: Sequence[tuple[float, str]], bounds: Sequence[float], lang: str
) -> list[tuple[str, str]]:
    """(target, label) per run of neighbouring answers that lead to the same place: one
    arrow 'from 18 to 26' instead of three for 18, 22 and 26."""
    runs: list[tuple[str, float, float]] = []
    for value, target in sorted(children):
        if runs and runs[-1][0] == target:
            runs[-1] = (target, runs[-1][1], value)
        else:
            runs.append((target, value, value))
    return [(target, range_label(a, b, bounds, lang)) for target, a, b in runs]


def _branch_label(graph: Graph, question: str, value: FactValue, lang: str) -> str:
    """The option's own text (in `lang`) for a choice, yes/no words, else the value."""
    for answer in graph.successors(f"q:{question}"):
        data = graph.nodes[answer]
        if data["kind"] == "answer" and show_value(data["value"]) == show_value(value):
            return answer_label(value, data["label"], lang)
    return answer_label(value, None, lang)


def _branches(
    graph: Graph,
    node: TreeNode,
    ids: dict[str, str],
    lang: str,
    bounds: Mapping[str, Sequence[float]],
) -> list[tuple[str, str]]:
    """(target, label) of a question's arrows; number answers as ranges, merged."""
    question = node.question or ""
    limits = bounds.get(question)
    numbers = [
        (float(v), ids[c.id])
        for v, c in node.children
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    if limits is not None and numbers and len(numbers) == len(node.children):
        return number_branches(numbers, limits, lang)
    return [(ids[c.id], _branch_label(graph, question, v, lang)) for v, c in node.children]


def shared_ids(tree: GuidedTree) -> dict[str, str]:
    """Tree node id -> picture node id, equal for nodes whose sub-trees are the same (what
    is asked, in order, and where each branch ends): each such sub-tree is drawn once."""
    ids: dict[str, str] = {}

    def visit(node: TreeNode) -> str:
        if node.id in ids:
            return ids[node.id]
        if node.kind == "question":
            below = tuple((show_value(v), visit(c)) for v, c in node.children)
            shape: tuple[object, ...] = ("question", node.question, below)
        else:
            certainty = round(node.certainty, 6) if node.certainty is not None else None
            shape = (node.kind, node.question, node.fault, certainty, node.to_line, node.reason)
        digest = hashlib.sha256(repr(shape).encode("utf-8")).hexdigest()[:12]
        ids[node.id] = f"{node.kind[0]}{digest}"
        return ids[node.id]

    for root in tree.roots:
        for node in reversed(root.walk()):  # children first: no deep recursion
            visit(node)
    return ids


def guided_picture(
    graph: Graph,
    tree: GuidedTree,
    *,
    title: str,
    symptoms: dict[str, Text],
    lang: str = "en",
    bounds: Mapping[str, Sequence[float]] | None = None,
) -> Picture:
    """The guided view of an enumerated tree as a DAG (`shared_ids`); truncation is shown
    and stated in the legend. `bounds`: per number question, the numbers the packs compare
    its answer with (`engine.possible.number_bounds`), for range labels."""
    picture = Picture(title=title, lang=lang)
    ids = shared_ids(tree)
    drawn: set[str] = set()
    for root in tree.roots:
        start = f"s:{root.symptom}"
        label = symptoms[root.symptom].get(lang) if root.symptom in symptoms else root.symptom
        picture.add(Node(start, "symptom", wrap(label), line=tree.line))
        picture.connect(Edge(start, ids[root.id], "start"))
        for node in root.walk():
            here = ids[node.id]
            if here in drawn:
                continue  # the same sub-tree as one already drawn (its children too)
            drawn.add(here)
            if node.kind == "question":
                picture.add(replace(_question(graph, node, lang), id=here))
            else:
                picture.add(replace(_leaf(graph, node, lang), id=here))
            for target, label in _branches(graph, node, ids, lang, bounds or {}):
                picture.connect(Edge(here, target, "answer_branch", wrap(label, 24)))
    picture.notes.append(word(lang, "outline"))
    shared = len(tree.nodes()) - len(drawn)
    if shared:
        picture.notes.append(word(lang, "shared", n=shared))
    if tree.truncated:
        picture.notes.append(
            f"{tree.truncated} × {word(lang, 'truncated')} "
            f"(max {tree.max_nodes} nodes, depth {tree.max_depth})"
        )
    return picture


def follow_on(picture: Picture, graph: Graph, path: Path) -> tuple[Picture, Path]:
    """The picture and path with the step after a failed fix drawn (the guided tree stops
    at the fix it proposes; the case went on to this escalation or other fault)."""
    if path.after is None:
        return picture, path
    source, step = path.after
    node = replace(_leaf(graph, step, picture.lang), id=step.id)
    picture.add(node)
    picture.connect(Edge(source, step.id, "after_fix", word(picture.lang, "fix_failed")))
    return picture, replace(
        path, nodes=path.nodes | {step.id}, edges=path.edges | {(source, step.id)}
    )
