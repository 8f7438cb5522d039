"""Picture -> Mermaid flowchart text (for wikis and Markdown), deterministic like the DOT.

Pack texts are data, so every label is written as a quoted string with Mermaid's entity
escapes (`#quot;`, `#124;`, ...) for each character Mermaid would otherwise read as
syntax, and the front-matter title as a quoted YAML string. tests/test_mermaid.py checks
the output with the real Mermaid parser.
"""

from __future__ import annotations

import json
import re

from rules.errors import InvalidInput
from visualize.picture import Edge, Node, Picture
from visualize.style import FAILED, HIGHLIGHT, KIND_STYLE, LINE_COLOUR, NEUTRAL, UNUSED

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


# Characters a quoted label may not hold as they are: the quote itself; '#' (it starts an
# entity); '&', '<' and '>' (labels are HTML); '|' (the edge-label delimiter); '`' (a
# string opening with it is Markdown); '%' ('%%{...}%%' anywhere is a directive that
# changes the configuration).
_ESCAPE = str.maketrans(
    {
        "#": "#35;",
        '"': "#quot;",
        "&": "#amp;",
        "<": "#lt;",
        ">": "#gt;",
        "|": "#124;",
        "`": "#96;",
        "%": "#37;",
    }
)
# Before parsing, Mermaid cuts the last ';' of a line where 'style' or 'classDef' comes
# before ':', then '#...;' (meant for style lines): such a label gets its ':' escaped too.
_STYLE_LIKE = re.compile(r"style|classDef")
# Mermaid 11's defaults (maxEdges, maxTextSize; a diagram cannot raise them): past the
# first its parser refuses the diagram, past the second it draws an error message instead.
MAX_EDGES = 500
MAX_TEXT = 50_000
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def mermaid_text(text: str) -> str:
    """Label text safe inside Mermaid's double quotes; line breaks become <br/>."""
    safe = "<br/>".join(part.translate(_ESCAPE) for part in _LINE_BREAK.split(text))
    return safe.replace(":", "#58;") if _STYLE_LIKE.search(safe) else safe


def _node_line(node: Node, ident: str) -> str:
    left, right = _SHAPES.get(node.kind, ('["', '"]'))
    label = f"{node.label}\n{node.note}" if node.failed and node.note else node.label
    return f"    {ident}{left}{mermaid_text(label)}{right}"


def _edge_line(edge: Edge, ids: dict[str, str]) -> str:
    arrow = "---" if edge.kind == "answer" else ("-.->" if edge.unused else "-->")
    if edge.highlight:
        arrow = "==>"
    label = edge.label
    if edge.count is not None:
        label = f"{label} ({edge.count})" if label else str(edge.count)
    text = f'|"{mermaid_text(label)}"|' if label else ""
    return f"    {ids[edge.src]} {arrow}{text} {ids[edge.dst]}"


class TooLargeForMermaid(InvalidInput):
    """A picture that Mermaid, with its default limits, would refuse or not draw."""


def to_mermaid(picture: Picture) -> str:
    """The Mermaid source of a picture (clusters become subgraphs, kinds become classes);
    a picture over Mermaid's default limits is refused, since no reader could see it."""
    text = mermaid_source(picture)
    size = len(text.encode("utf-16-le")) // 2  # Mermaid counts JavaScript characters
    over = None
    if len(picture.edges) > MAX_EDGES:
        over = f"{len(picture.edges)} arrows (Mermaid draws at most {MAX_EDGES})"
    elif size > MAX_TEXT:
        over = f"{size:,} characters of Mermaid (Mermaid draws at most {MAX_TEXT:,})"
    if over is not None:
        raise TooLargeForMermaid(
            f"the picture is too large for Mermaid: {over}",
            hint="draw one complaint (--complaint ID), one file per complaint "
            "(--per-complaint DIR), less (--pack, --fault, guided view --max-nodes), "
            "or use --format svg, png, pdf or dot",
        )
    return text


def mermaid_source(picture: Picture) -> str:
    """The Mermaid source of a picture, whatever its size."""
    nodes = picture.sorted_nodes()
    ids = {node.id: f"n{i}" for i, node in enumerate(nodes)}
    title = json.dumps(picture.title, ensure_ascii=False)  # a JSON string is YAML too
    out = ["---", f"title: {title}", "---", "flowchart LR"]
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
        colour = LINE_COLOUR.get(line, NEUTRAL)
        out.append(f"  classDef line{line} stroke:{colour},stroke-width:2px")
    out.append(f"  classDef highlight stroke:{HIGHLIGHT},stroke-width:4px")
    out.append(f"  classDef dim stroke:{UNUSED},color:#64748b")
    out.append(f"  classDef failed stroke:{FAILED},stroke-width:4px,stroke-dasharray:5 3")
    grouped: dict[str, list[str]] = {}  # one 'class' statement per set of classes
    for node in nodes:
        classes = [re.sub(r"[^a-z]", "", node.kind)]
        if node.line is not None:
            classes.append(f"line{node.line}")
        if node.failed:
            classes.append("failed")
        elif node.highlight:
            classes.append("highlight")
        elif node.dim:
            classes.append("dim")
        grouped.setdefault(",".join(classes), []).append(ids[node.id])
    out.extend(f"  class {','.join(members)} {classes}" for classes, members in grouped.items())
    return "\n".join(out) + "\n"
