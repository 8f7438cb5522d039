"""The guided view: the tree of questions the session asks, with each leaf's fault and fix
or escalation. Built from `engine.guided.GuidedTree` (data) and the decision graph's texts.
"""

from __future__ import annotations

from engine.graph import Graph
from engine.guided import GuidedTree, TreeNode
from engine.logic import FactValue, show_value
from rules.text import Text
from visualize.knowledge import answer_label, fix_tooltip
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


def _branch_label(graph: Graph, question: str, value: FactValue, lang: str) -> str:
    """The option's own text (in `lang`) for a choice, yes/no words, else the value."""
    for answer in graph.successors(f"q:{question}"):
        data = graph.nodes[answer]
        if data["kind"] == "answer" and show_value(data["value"]) == show_value(value):
            return answer_label(value, data["label"], lang)
    return answer_label(value, None, lang)


def guided_picture(
    graph: Graph,
    tree: GuidedTree,
    *,
    title: str,
    symptoms: dict[str, Text],
    lang: str = "en",
) -> Picture:
    """The guided view of an enumerated tree; truncation is shown and stated in the legend."""
    picture = Picture(title=title, lang=lang)
    for root in tree.roots:
        start = f"s:{root.symptom}"
        label = symptoms[root.symptom].get(lang) if root.symptom in symptoms else root.symptom
        picture.add(Node(start, "symptom", wrap(label), line=tree.line))
        picture.connect(Edge(start, root.id, "start"))
        for node in root.walk():
            if node.kind == "question":
                picture.add(_question(graph, node, lang))
            else:
                picture.add(_leaf(graph, node, lang))
            for value, child in node.children:
                label = wrap(_branch_label(graph, node.question or "", value, lang), 24)
                picture.connect(Edge(node.id, child.id, "answer_branch", label))
    picture.notes.append(word(lang, "outline"))
    if tree.truncated:
        picture.notes.append(
            f"{tree.truncated} × {word(lang, 'truncated')} "
            f"(max {tree.max_nodes} nodes, depth {tree.max_depth})"
        )
    return picture
