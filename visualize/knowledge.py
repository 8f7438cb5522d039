"""The knowledge view: questions, answers, rules, derived facts, faults and escalations.

Built from the decision graph (`engine.graph`) as data; nothing is evaluated here.
"""

from __future__ import annotations

from typing import Any

from engine.graph import Graph
from engine.logic import show_value
from rules.text import Text
from visualize.picture import Edge, Node, Picture
from visualize.style import word, wrap


def _text(value: Text | None, lang: str, fallback: str = "") -> str:
    return value.get(lang) if value is not None else fallback


def fix_tooltip(title: str, fix: list[Text], lang: str) -> str:
    steps = [f"{i}. {step.get(lang)}" for i, step in enumerate(fix, 1)]
    return "\n".join([title, f"{word(lang, 'fix')}:", *steps])


def answer_label(value: Any, label: Text | None, lang: str) -> str:
    if label is not None:
        return label.get(lang)
    if isinstance(value, bool):
        return word(lang, "yes" if value else "no")
    return show_value(value)


def _keep(graph: Graph, fault: str | None) -> set[str]:
    """Every node, or the neighbourhood of one fault: what can lead to it, and its fix."""
    if fault is None:
        keep = set(graph.nodes)
    else:
        target = f"F:{fault}"
        todo, keep = [target], {target}
        while todo:
            for pred in graph.predecessors(todo.pop()):
                if pred not in keep:
                    keep.add(pred)
                    todo.append(pred)
    # answer nodes only where a rule tests them; their question always beside them
    for node in list(keep):
        data = graph.nodes[node]
        if data["kind"] == "answer":
            if not any(d["kind"] == "condition" for _, _, d in graph.out_edges(node, data=True)):
                keep.discard(node)
            else:
                keep.add("q:" + data["question"])
    return keep


def _node(graph: Graph, node_id: str, lang: str) -> Node:
    data = graph.nodes[node_id]
    kind = data["kind"]
    pack = data.get("pack")
    if kind == "question":
        help_text = _text(data["help"], lang)
        return Node(
            node_id,
            kind,
            wrap(data["label"].get(lang)),
            line=data["line"],
            tooltip=f"{node_id[2:]}\n{help_text}".strip(),
            cluster=pack,
        )
    if kind == "answer":
        question = graph.nodes["q:" + data["question"]]
        return Node(
            node_id,
            kind,
            wrap(answer_label(data["value"], data["label"], lang), 24),
            cluster=question["pack"],
        )
    if kind == "intake":
        return Node(node_id, kind, f"intake: {data['field']}")
    if kind == "fact":
        return Node(node_id, kind, wrap(data["label"].get(lang)), line=data["line"], cluster=pack)
    if kind == "rule":
        tags = []
        if data["priority"]:
            tags.append(f"p{data['priority']}")
        tags.extend(t for t in ("stop", "fallback") if data[t])
        label = data["rule"] + (f"\n[{', '.join(tags)}]" if tags else "")
        tests = [
            e["test"]
            for _, _, e in sorted(graph.in_edges(node_id, data=True), key=lambda x: x[2]["path"])
        ]
        tooltip = "\n".join([_text(data["description"], lang, data["rule"]), *tests])
        return Node(node_id, kind, label, line=data["line"], tooltip=tooltip, cluster=pack)
    if kind == "fault":
        title = data["label"].get(lang)
        return Node(
            node_id,
            kind,
            wrap(title) + "\n" + f"({word(lang, 'line', n=data['line'])})",
            line=data["line"],
            tooltip=fix_tooltip(title, data["fix"], lang),
            cluster=pack,
        )
    return Node(node_id, kind, word(lang, "escalate", n=data["line"]), line=data["line"])


def _edge(graph: Graph, src: str, dst: str, data: dict[str, Any], lang: str) -> Edge:
    kind = data["kind"]
    label = ""
    if kind == "condition":
        if graph.nodes[src]["kind"] == "answer":
            label = "not" if data["negated"] else ""
        else:
            label = data["test"]
    elif kind == "conclusion":
        label = f"{data['certainty']:g}"
    elif kind == "derivation":
        label = "= " + answer_label(data["value"], None, lang)
    elif kind == "escalation":
        label = wrap(_text(data["label"], lang), 28)
    return Edge(src, dst, kind, label)


def knowledge_picture(
    graph: Graph, *, title: str, lang: str = "en", fault: str | None = None
) -> Picture:
    """The knowledge view of a decision graph (or of one fault's neighbourhood)."""
    picture = Picture(title=title, lang=lang)
    keep = _keep(graph, fault)
    lines: dict[str, int] = {}
    for node_id in sorted(keep):
        node = _node(graph, node_id, lang)
        picture.add(node)
        if (
            node.cluster is not None
            and node.line is not None
            and graph.nodes[node_id]["kind"] != "fault"
        ):
            lines.setdefault(node.cluster, node.line)
    for node in picture.nodes.values():
        if node.cluster is not None:
            line = lines.get(node.cluster)
            prefix = f"{word(lang, 'line', n=line)} · " if line is not None else ""
            picture.clusters[node.cluster] = prefix + node.cluster
    for src, dst, data in graph.edges(data=True):
        if src in keep and dst in keep:
            picture.connect(_edge(graph, src, dst, data, lang))
    picture.notes.append(word(lang, "outline"))
    return picture
