"""Overlays on a picture: one session's path (a trace), and traffic over many sessions.

A trace is a Diagnosis as data (what `linewise diagnose --json` prints, or what the case
store keeps); nothing is re-run here, the overlay only reads which facts were known and
which rules fired.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from engine.guided import GuidedTree, TreeNode
from engine.logic import show_value
from engine.result import Diagnosis
from visualize.picture import Picture
from visualize.style import word


@dataclass(frozen=True)
class Path:
    """What one session touched, as picture node ids; `failed`: faults whose fix it tried
    and that did not work; `after`: in the guided view, where the session went from the
    last drawn step (the tree stops at a proposed fix; a failed fix goes on from there)."""

    nodes: frozenset[str]
    edges: frozenset[tuple[str, str]]
    failed: frozenset[str] = frozenset()
    after: tuple[str, TreeNode] | None = None


def trace_path(picture: Picture, diagnosis: Diagnosis) -> Path:
    """The knowledge-view nodes and edges one diagnosis went through."""
    facts = {f["key"]: f["value"] for f in diagnosis.facts}
    touched: set[str] = set()
    for key, value in facts.items():
        if key.startswith("intake."):
            touched.add("i:" + key.removeprefix("intake."))
            continue
        touched.update({f"q:{key}", f"a:{key}={show_value(value)}", f"f:{key}"})
    applied = {f"r:{f.rule}" for f in diagnosis.trace if f.status == "applied"}
    touched |= applied
    outcome = diagnosis.outcome
    if outcome.kind == "fault" and outcome.fault:
        touched.add(f"F:{outcome.fault}")
    elif outcome.escalation is not None:
        touched.add(f"E:{outcome.escalation.to_line}")
        if outcome.fault:
            touched.add(f"F:{outcome.fault}")
    edges = set()
    for edge in picture.edges:
        if edge.src not in touched or edge.dst not in touched:
            continue
        if edge.kind == "answer" or edge.dst in applied or edge.src in applied:
            edges.add((edge.src, edge.dst))
    nodes = {n for n in touched if n in picture.nodes}
    failed = {f"F:{fault}" for fault in diagnosis.ruled_out} & set(picture.nodes)
    return Path(frozenset(nodes | failed), frozenset(edges), frozenset(failed))


def highlight(picture: Picture, path: Path, *, dim_rest: bool = True) -> Picture:
    """Mark a path; everything else is dimmed so the path stands out."""
    out = Picture(
        title=picture.title,
        clusters=dict(picture.clusters),
        notes=[*picture.notes, word(picture.lang, "highlight")],
        lang=picture.lang,
        traffic_max=picture.traffic_max,
    )
    for node in picture.sorted_nodes():
        on = node.id in path.nodes
        failed = node.id in path.failed
        note = word(picture.lang, "failed") if failed else node.note
        out.add(replace(node, highlight=on, dim=dim_rest and not on, failed=failed, note=note))
    for edge in picture.edges:
        on = (edge.src, edge.dst) in path.edges
        out.connect(replace(edge, highlight=on, dim=dim_rest and not on))
    return out


def traffic(picture: Picture, paths: Iterable[Path]) -> Picture:
    """Edge widths and labels by how many sessions took them; unused ones dashed;
    escalation and fault nodes noted with how many sessions ended there."""
    edge_counts: Counter[tuple[str, str]] = Counter()
    node_counts: Counter[str] = Counter()
    sessions = 0
    for path in paths:
        sessions += 1
        edge_counts.update(path.edges)
        node_counts.update(path.nodes)
    out = Picture(
        title=f"{picture.title} — {word(picture.lang, 'cases', n=sessions)}",
        clusters=dict(picture.clusters),
        notes=[*picture.notes, word(picture.lang, "traffic")],
        lang=picture.lang,
        traffic_max=max(edge_counts.values(), default=0),
    )
    for node in picture.sorted_nodes():
        count = node_counts.get(node.id, 0)
        note = f"{count}×" if node.kind in ("fault", "escalation") and count else ""
        out.add(replace(node, note=note, dim=count == 0 and node.kind != "answer"))
    for edge in picture.edges:
        count = edge_counts.get((edge.src, edge.dst), 0)
        out.connect(replace(edge, count=count, unused=count == 0))
    return out


def _region(value: float, bounds: Sequence[float]) -> tuple[float, float]:
    """The region between the compared numbers that `value` falls in (a bound: itself)."""
    if value in bounds:
        return (value, value)
    below = [b for b in bounds if b < value]
    above = [b for b in bounds if b > value]
    return (below[-1] if below else -math.inf, above[0] if above else math.inf)


def _child(node: TreeNode, answer: object, bounds: Sequence[float] | None) -> TreeNode | None:
    """The branch an answer takes: its own value, or for a number the representative of
    the region it falls in."""
    shown = show_value(answer)
    found = next((c for v, c in node.children if show_value(v) == shown), None)
    if found is not None or bounds is None or not isinstance(answer, int | float):
        return found
    region = _region(float(answer), bounds)
    for value, child in node.children:
        if isinstance(value, int | float) and _region(float(value), bounds) == region:
            return child
    return None


def tree_path(
    tree: GuidedTree,
    diagnosis: Diagnosis,
    ids: dict[str, str],
    bounds: Mapping[str, Sequence[float]] | None = None,
) -> Path:
    """The guided-picture branch one session's answers follow (as far as they go); `ids`
    maps tree nodes to picture nodes (`visualize.guided.shared_ids`). When the branch ends
    on a fix the case tried and that did not work, the path marks it failed and goes on
    to what the session concluded next (`after`)."""
    facts = {f["key"]: f["value"] for f in diagnosis.facts}
    complaint = facts.get("intake.complaint")
    nodes: set[str] = set()
    edges: set[tuple[str, str]] = set()
    failed: set[str] = set()
    after = None
    for root in tree.roots:
        if root.symptom != complaint:
            continue
        start = f"s:{root.symptom}"
        nodes.update({start, ids[root.id]})
        edges.add((start, ids[root.id]))
        node = root
        while node.question is not None and node.question in facts:
            limits = (bounds or {}).get(node.question)
            nxt = _child(node, facts[node.question], limits)
            if nxt is None:
                break
            nodes.add(ids[nxt.id])
            edges.add((ids[node.id], ids[nxt.id]))
            node = nxt
        if node.kind == "fault" and node.fault in diagnosis.ruled_out:
            failed.add(ids[node.id])
            after = (ids[node.id], _outcome_step(node, ids[node.id], diagnosis))
    return Path(frozenset(nodes), frozenset(edges), frozenset(failed), after)


def _outcome_step(leaf: TreeNode, drawn: str, diagnosis: Diagnosis) -> TreeNode:
    """What the session concluded after the failed fix, as a step of the guided view."""
    outcome = diagnosis.outcome
    step = TreeNode(id=f"after:{drawn}", symptom=leaf.symptom, answers=leaf.answers)
    if outcome.kind == "fault" and outcome.fault is not None:
        step.kind, step.fault = "fault", outcome.fault
        top = diagnosis.fault(outcome.fault)
        step.certainty = top.certainty if top is not None else None
    elif outcome.escalation is not None:
        step.kind, step.fault = "escalation", outcome.fault
        step.to_line, step.reason = outcome.escalation.to_line, outcome.escalation.reason
    else:
        step.question = outcome.open_questions[0] if outcome.open_questions else None
    return step
