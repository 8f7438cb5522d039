"""Picture -> DOT text: pure and deterministic (sorted), no Graphviz binary needed.

The graphviz package builds the source and quotes identifiers; texts from packs are
escaped here so that a backslash or '<...>' in a pack is shown, never interpreted.
"""

from __future__ import annotations

from typing import Any

import graphviz

from visualize.picture import Edge, Node, Picture
from visualize.style import (
    DIMMED,
    FAILED,
    HIGHLIGHT,
    KIND_STYLE,
    LINE_COLOUR,
    NEUTRAL,
    UNUSED,
    word,
)

FONT = "Helvetica"


def dot_text(text: str) -> str:
    """A pack text as a DOT string: backslashes kept, lines joined with DOT's '\\n'."""
    joined = "\\n".join(graphviz.escape(part) for part in text.split("\n"))
    safe: str = graphviz.nohtml(joined)  # a str that graphviz never reads as HTML
    return safe


def dot_id(node_id: str) -> str:
    """Picture ids use 'kind:name'; a colon in DOT would name a port, so it becomes a dot."""
    return node_id.replace(":", ".")


def _node_attrs(node: Node) -> dict[str, str]:
    attrs = dict(KIND_STYLE.get(node.kind, {}))
    attrs["label"] = dot_text(node.label)
    colour = LINE_COLOUR.get(node.line, NEUTRAL) if node.line is not None else NEUTRAL
    attrs["color"] = colour
    if node.line is not None:
        attrs["penwidth"] = "2"
    if node.tooltip:
        attrs["tooltip"] = dot_text(node.tooltip)
    if node.highlight:
        attrs.update(color=HIGHLIGHT, penwidth="4")
    elif node.dim:
        attrs.update(color=DIMMED, fontcolor="#64748b", fillcolor="#f8fafc")
    if node.failed:
        attrs.update(color=FAILED, fontcolor=FAILED, penwidth="4")
        attrs["style"] = attrs.get("style", "filled") + ",dashed"
    if node.note:
        attrs["xlabel"] = dot_text(node.note)
    return attrs


def _edge_attrs(edge: Edge, picture: Picture) -> dict[str, str]:
    attrs: dict[str, str] = {}
    label = edge.label
    if edge.count is not None:
        label = f"{label} ({edge.count})" if label else str(edge.count)
        width = 1 + 5 * edge.count / picture.traffic_max if picture.traffic_max else 1
        attrs["penwidth"] = f"{width:.2f}"
    if label:
        attrs["label"] = dot_text(label)
    if edge.kind == "answer":
        attrs["arrowhead"] = "none"
    if edge.kind == "after_fix":
        attrs.update(style="dashed", color=FAILED, fontcolor=FAILED)
    if edge.unused:
        attrs.update(style="dashed", color=UNUSED, fontcolor=UNUSED)
    if edge.highlight:
        attrs.update(color=HIGHLIGHT, penwidth="4", fontcolor=HIGHLIGHT)
    elif edge.dim:
        attrs.update(color=DIMMED, fontcolor="#94a3b8")
    return attrs


def _legend(graph: Any, picture: Picture) -> None:
    lang = picture.lang
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(label=word(lang, "legend"), style="rounded", color=NEUTRAL, fontsize="11")
        previous = None
        for kind in picture.kinds():
            name = f"legend_{kind}"
            attrs = dict(KIND_STYLE.get(kind, {}))
            legend.node(name, label=dot_text(word(lang, kind)), color=NEUTRAL, **attrs)
            if previous is not None:
                legend.edge(previous, name, style="invis")
            previous = name
        for line in picture.lines():
            name = f"legend_line{line}"
            legend.node(
                name,
                label=dot_text(word(lang, "line", n=line)),
                shape="box",
                style="rounded",
                color=LINE_COLOUR.get(line, NEUTRAL),
                penwidth="2",
            )
            if previous is not None:
                legend.edge(previous, name, style="invis")
            previous = name
        for note in picture.notes:
            name = f"legend_note{picture.notes.index(note)}"
            legend.node(name, label=dot_text(note), shape="plaintext")
            if previous is not None:
                legend.edge(previous, name, style="invis")
            previous = name


def to_dot(picture: Picture) -> str:
    """The DOT source of a picture."""
    graph = graphviz.Digraph(
        name="linewise",
        graph_attr={
            "rankdir": "LR",
            "label": dot_text(picture.title),
            "labelloc": "t",
            "fontname": FONT,
            "fontsize": "16",
            "nodesep": "0.25",
            "ranksep": "0.6",
            "newrank": "true",
        },
        node_attr={"fontname": FONT, "fontsize": "11", "margin": "0.12,0.06"},
        edge_attr={"fontname": FONT, "fontsize": "9", "color": NEUTRAL},
    )
    by_cluster: dict[str | None, list[Node]] = {}
    for node in picture.sorted_nodes():
        by_cluster.setdefault(node.cluster, []).append(node)
    for cluster in sorted(c for c in by_cluster if c is not None):
        with graph.subgraph(name=f"cluster_{cluster}") as sub:
            sub.attr(
                label=dot_text(picture.clusters.get(cluster, cluster)),
                style="rounded,dashed",
                color="#94a3b8",
                fontsize="12",
            )
            for node in by_cluster[cluster]:
                sub.node(dot_id(node.id), **_node_attrs(node))
    for node in by_cluster.get(None, []):
        graph.node(dot_id(node.id), **_node_attrs(node))
    for edge in picture.sorted_edges():
        graph.edge(dot_id(edge.src), dot_id(edge.dst), **_edge_attrs(edge, picture))
    _legend(graph, picture)
    return str(graph.source)
