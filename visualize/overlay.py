"""Overlays on a picture: one session's path (a trace), and traffic over many sessions.

A trace is a Diagnosis as data (what `linewise diagnose --json` prints, or what the case
store keeps); nothing is re-run here, the overlay only reads which facts were known and
which rules fired.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from engine.guided import GuidedTree
from engine.logic import show_value
from engine.result import Diagnosis
from visualize.picture import Picture
from visualize.style import word


@dataclass(frozen=True)
class Path:
    """What one session touched, as picture node ids."""

    nodes: frozenset[str]
    edges: frozenset[tuple[str, str]]


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
    return Path(frozenset(nodes), frozenset(edges))


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
        out.add(replace(node, highlight=on, dim=dim_rest and not on))
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


def tree_path(tree: GuidedTree, diagnosis: Diagnosis) -> Path:
    """The guided-tree branch one session's answers follow (as far as they go)."""
    facts = {f["key"]: show_value(f["value"]) for f in diagnosis.facts}
    complaint = facts.get("intake.complaint")
    nodes: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for root in tree.roots:
        if root.symptom != complaint:
            continue
        start = f"s:{root.symptom}"
        nodes.update({start, root.id})
        edges.add((start, root.id))
        node = root
        while node.question is not None and node.question in facts:
            nxt = next((c for v, c in node.children if show_value(v) == facts[node.question]), None)
            if nxt is None:
                break
            nodes.add(nxt.id)
            edges.add((node.id, nxt.id))
            node = nxt
    return Path(frozenset(nodes), frozenset(edges))
