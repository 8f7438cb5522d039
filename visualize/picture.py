"""A picture: the drawable form of a view (nodes, edges, clusters, legend), format-neutral.

Views (`knowledge`, `guided`) build a Picture from engine data; overlays (`overlay`) mark
it; writers (`dot`, `mermaid`) turn it into text. Keeping one neutral model means DOT and
Mermaid always show the same thing, and every writer sorts the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

NodeKind = str  # question, answer, intake, fact, rule, fault, escalation, truncated, symptom


@dataclass(frozen=True)
class Node:
    """One box of the picture."""

    id: str
    kind: NodeKind
    label: str
    line: int | None = None
    tooltip: str = ""
    cluster: str | None = None
    highlight: bool = False
    dim: bool = False
    note: str = ""  # small text beside the node (traffic counts)
    failed: bool = False  # a fix that was tried and did not work (case overlays)


@dataclass(frozen=True)
class Edge:
    """One arrow of the picture; `count` is set by the traffic overlay."""

    src: str
    dst: str
    kind: str
    label: str = ""
    highlight: bool = False
    dim: bool = False
    count: int | None = None
    unused: bool = False

    def key(self) -> tuple[str, str, str, str]:
        return (self.src, self.dst, self.kind, self.label)


@dataclass
class Picture:
    """A whole view: title, nodes, edges, clusters (id -> label) and legend notes."""

    title: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    clusters: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # e.g. "truncated at 400 nodes"
    lang: str = "en"
    traffic_max: int = 0

    def add(self, node: Node) -> None:
        self.nodes.setdefault(node.id, node)

    def connect(self, edge: Edge) -> None:
        if edge.key() not in {e.key() for e in self.edges}:
            self.edges.append(edge)

    def update_node(self, node_id: str, **changes: object) -> None:
        self.nodes[node_id] = replace(self.nodes[node_id], **changes)  # type: ignore[arg-type]

    def sorted_nodes(self) -> list[Node]:
        return [self.nodes[k] for k in sorted(self.nodes)]

    def sorted_edges(self) -> list[Edge]:
        return sorted(self.edges, key=Edge.key)

    def kinds(self) -> list[str]:
        return sorted({n.kind for n in self.nodes.values()})

    def lines(self) -> list[int]:
        return sorted({n.line for n in self.nodes.values() if n.line is not None})
