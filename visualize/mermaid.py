"""Picture -> Mermaid flowchart text (for wikis and Markdown), deterministic like the DOT."""

from __future__ import annotations

import re

from visualize.picture import Edge, Node, Picture
from visualize.style import HIGHLIGHT, KIND_STYLE, LINE_COLOUR, UNUSED

_SHAPES = {
    "question": ('("', '")'),
    "answer": ('(["', '"])'),
    "fact": ('[/"', '"/]'),
    "fault": ('["', '"]'),
    "escalation": ('{{"', '"}}'),
    "symptom": ('(["', '"])'),
    "truncated": ('["', '"]'),
}


def _ident(node_id: str, ids: dict[str, str]) -> str:
    """Mermaid ids are plain words: n0, n1, ... in sorted order of the picture's ids."""
    return ids[node_id]


def mermaid_text(text: str) -> str:
    """Quote-safe Mermaid label text; line breaks become <br/>."""
    safe = text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return safe.replace("\n", "<br/>")


def _node_line(node: Node, ident: str) -> str:
    left, right = _SHAPES.get(node.kind, ('["', '"]'))
    return f"    {ident}{left}{mermaid_text(node.label)}{right}"


def _edge_line(edge: Edge, ids: dict[str, str]) -> str:
    arrow = "---" if edge.kind == "answer" else ("-.->" if edge.unused else "-->")
    if edge.highlight:
        arrow = "==>"
    label = edge.label
    if edge.count is not None:
        label = f"{label} ({edge.count})" if label else str(edge.count)
    text = f"|{mermaid_text(label)}|" if label else ""
    return f"    {ids[edge.src]} {arrow}{text} {ids[edge.dst]}"


def to_mermaid(picture: Picture) -> str:
    """The Mermaid source of a picture (clusters become subgraphs, kinds become classes)."""
    nodes = picture.sorted_nodes()
    ids = {node.id: f"n{i}" for i, node in enumerate(nodes)}
    out = ["---", f"title: {mermaid_text(picture.title)}", "---", "flowchart LR"]
    by_cluster: dict[str | None, list[Node]] = {}
    for node in nodes:
        by_cluster.setdefault(node.cluster, []).append(node)
    for number, cluster in enumerate(sorted(c for c in by_cluster if c is not None)):
        label = mermaid_text(picture.clusters.get(cluster, cluster))
        out.append(f'  subgraph c{number}["{label}"]')
        out.extend(_node_line(n, ids[n.id]) for n in by_cluster[cluster])
        out.append("  end")
    out.extend(_node_line(n, ids[n.id]) for n in by_cluster.get(None, []))
    out.extend(_edge_line(e, ids) for e in picture.sorted_edges())
    for kind in picture.kinds():
        fill = KIND_STYLE.get(kind, {}).get("fillcolor", "#ffffff")
        out.append(f"  classDef {re.sub(r'[^a-z]', '', kind)} fill:{fill}")
    for line in picture.lines():
        out.append(f"  classDef line{line} stroke:{LINE_COLOUR[line]},stroke-width:2px")
    out.append(f"  classDef highlight stroke:{HIGHLIGHT},stroke-width:4px")
    out.append(f"  classDef dim stroke:{UNUSED},color:#64748b")
    for node in nodes:
        classes = [re.sub(r"[^a-z]", "", node.kind)]
        if node.line is not None:
            classes.append(f"line{node.line}")
        if node.highlight:
            classes.append("highlight")
        elif node.dim:
            classes.append("dim")
        out.append(f"  class {ids[node.id]} {','.join(classes)}")
    return "\n".join(out) + "\n"
