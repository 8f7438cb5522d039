"""A troubleshooting flowchart converted into a pack and one golden case per path.

Shapes are read by their connections, not their looks: a shape with labelled arrows out
is a question (its arrows' labels are the answers: yes/no, menu numbers or words); a
shape with no arrow out is an end: a fault (first line the title, further lines its fix
steps) or, when it says "Escalate to Line N: reason", an escalation; a shape with one
unlabelled arrow out is a step (its text becomes help on the question it leads to).
Every path from the start becomes a branch of the rule for its end, and a golden case.
Questions keep the chart's order (`order` is the shape's depth from the start).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rules.drawio import Flow
from rules.errors import InputError
from rules.importing import (
    Imported,
    ImportProblems,
    PackMeta,
    case_entry,
    escalation,
    fault_entry,
    id_prefix,
    pack_head,
    slug,
    yes_no,
)

MAX_PATHS = 5000


@dataclass
class Shapes:
    """The flowchart's shapes sorted by role, with the arrows out of each."""

    out: dict[str, list[tuple[str, str, str]]]  # node -> [(edge id, target, label)]
    start: str
    questions: list[str]
    ends: list[str]


def flow_pack(flow: Flow, meta: PackMeta, shown: str, max_cases: int | None = None) -> Imported:
    """The pack and golden cases for a flowchart read by `rules.drawio`: one case per
    path, or at most `max_cases` of them (every end first, then spread evenly)."""
    problems = ImportProblems(shown)
    shapes = _shapes(flow, problems)
    if shapes is None or problems.errors:
        raise InputError(problems.errors)
    prefix = id_prefix(meta.id)
    depth = _depths(shapes)
    questions, answers = _questions(flow, shapes, depth, prefix, problems)
    ends = _ends(flow, shapes, meta, prefix, problems)
    problems.raise_if_any()
    paths = _paths(shapes, answers, problems)
    problems.raise_if_any()
    opening = flow.nodes[shapes.start] if shapes.start not in answers else None
    pack = pack_head(meta, f"Imported from the flowchart {shown}.", opening)
    pack["questions"] = questions
    pack["faults"] = _unique([e for e in ends.values() if "fix" in e])
    pack["rules"] = _rules(paths, ends, shapes)
    cases: list[dict[str, Any]] = []
    chosen = _sample(paths, max_cases)
    if len(chosen) < len(paths):
        problems.note(
            "flowchart",
            f"{len(paths):,} paths: golden cases for {len(chosen):,} of them "
            "(every end, then spread evenly)",
            "give a larger --max-cases to write more",
        )
    for number, (conds, end) in enumerate(paths, start=1):
        if number - 1 not in chosen:
            continue
        outcome = ends[end]
        expect = (
            {"escalate": outcome["escalate"], "kind": "rule"}
            if "escalate" in outcome
            else {"fault": outcome["id"]}
        )
        title = f"Path {number} to “{outcome['title']}”"
        cases.append(case_entry(f"path-{number}", title, meta, dict(conds), expect))
    return Imported(pack, cases, problems.notes)


def _sample(paths: list[tuple[list[tuple[str, Any]], str]], limit: int | None) -> set[int]:
    """Indexes of the paths that get a golden case: all, or the first path to each end
    and then evenly spread ones, up to `limit` (deterministic)."""
    if limit is None or len(paths) <= limit:
        return set(range(len(paths)))
    chosen: set[int] = set()
    reached: set[str] = set()
    for index, (_conds, end) in enumerate(paths):
        if len(chosen) < limit and end not in reached:
            chosen.add(index)
            reached.add(end)
    rest = [i for i in range(len(paths)) if i not in chosen]
    spare = limit - len(chosen)
    chosen.update(rest[k * len(rest) // spare] for k in range(spare))
    return chosen


def _shapes(flow: Flow, problems: ImportProblems) -> Shapes | None:
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    into: dict[str, int] = defaultdict(int)
    for edge, source, target, label in flow.edges:
        loose = [
            end for end, node in (("start", source), ("end", target)) if node not in flow.nodes
        ]
        if loose:
            problems.error(
                f"edge {edge!r}" + (f" (“{label}”)" if label else ""),
                f"is not connected at its {' and '.join(loose)}",
                "drag the arrow's end onto a shape",
            )
            continue
        out[source].append((edge, target, label))
        into[target] += 1
    linked = set(out) | set(into)
    for node, label in flow.nodes.items():
        if node not in linked and label:
            problems.note(f"node {node!r} (“{_short(label)}”)", "is connected to nothing: left out")
    starts = sorted((n for n in flow.nodes if n in linked and not into[n]), key=_key(flow))
    if len(starts) != 1:
        named = ", ".join(f"{n!r} (“{_short(flow.nodes[n])}”)" for n in starts) or "none"
        problems.error(
            "flowchart",
            f"needs exactly one start (a shape with no arrow into it); found: {named}",
            "connect the other shapes, or draw one start shape",
        )
        return None
    loop = _loop(starts[0], out)
    if loop:
        shown = " → ".join(f"{n!r}" for n in loop)
        problems.error(
            f"node {loop[0]!r}",
            f"the flowchart loops: {shown}",
            "a pack asks each question once; point the arrow back to an end shape instead",
        )
        return None
    questions, ends = [], []
    for node in sorted(linked, key=_key(flow)):
        arrows = out.get(node, [])
        labelled = [a for a in arrows if a[2]]
        if not arrows:
            ends.append(node)
        elif labelled and len(labelled) != len(arrows):
            edge = next(a[0] for a in arrows if not a[2])
            problems.error(
                f"edge {edge!r}",
                f"has no answer label, but other arrows out of node {node!r} have",
                "label it with the answer that leads along it",
            )
        elif labelled:
            questions.append(node)
        elif len(arrows) > 1:
            problems.error(
                f"node {node!r} (“{_short(flow.nodes[node])}”)",
                f"has {len(arrows)} arrows out and none says which answer it stands for",
                "label each arrow with an answer (yes / no, or the option)",
            )
    return Shapes(dict(out), starts[0], questions, ends)


def _key(flow: Flow) -> Any:
    order = {n: i for i, n in enumerate(flow.nodes)}
    return lambda node: order.get(node, len(order))


def _short(label: str) -> str:
    first = label.split("\n", 1)[0]
    return first if len(first) <= 60 else first[:57] + "..."


def _loop(start: str, out: dict[str, list[tuple[str, str, str]]]) -> list[str]:
    """The nodes of a loop reachable from `start`, first to last, or []."""
    state: dict[str, int] = {}
    trail: list[str] = []
    stack: list[tuple[str, int]] = [(start, 0)]
    while stack:
        node, index = stack.pop()
        if index == 0:
            state[node] = 1
            trail.append(node)
        arrows = out.get(node, [])
        if index < len(arrows):
            stack.append((node, index + 1))
            target = arrows[index][1]
            if state.get(target) == 1:
                return [*trail[trail.index(target) :], target]
            if target not in state:
                stack.append((target, 0))
        else:
            state[node] = 2
            trail.pop()
    return []


def _depths(shapes: Shapes) -> dict[str, int]:
    """Each shape's longest distance from the start (the chart is acyclic by now)."""
    indegree: dict[str, int] = defaultdict(int)
    for arrows in shapes.out.values():
        for _edge, target, _label in arrows:
            indegree[target] += 1
    depth = {shapes.start: 0}
    ready = [shapes.start]
    while ready:
        node = ready.pop()
        for _edge, target, _label in shapes.out.get(node, []):
            depth[target] = max(depth.get(target, 0), depth[node] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return depth


def _questions(
    flow: Flow, shapes: Shapes, depth: dict[str, int], prefix: str, problems: ImportProblems
) -> tuple[list[dict[str, Any]], dict[str, tuple[str, dict[str, Any]]]]:
    """The pack's questions, and per question node (id, arrow label -> option value)."""
    taken: set[str] = set()
    out: list[dict[str, Any]] = []
    answers: dict[str, tuple[str, dict[str, Any]]] = {}
    helps = _step_texts(flow, shapes)
    for node in sorted(shapes.questions, key=lambda n: (depth.get(n, 0), _key(flow)(n))):
        text = flow.nodes[node]
        where = f"node {node!r}"
        if not text:
            problems.error(where, "asks nothing (the shape has no text)", "write the question")
            continue
        labels = [a[2] for a in shapes.out[node]]
        values = _values(labels, where, problems)
        ident = slug(text.split("\n", 1)[0], taken, prefix)
        question: dict[str, Any] = {"id": ident, "text": " ".join(text.split())}
        if all(isinstance(v, bool) for v in values.values()):
            question["type"] = "yesno"
        else:
            question["type"] = "choice"
            question["options"] = [{"value": v, "text": t} for t, v in values.items()]
        if helps.get(node):
            question["help"] = " ".join(helps[node])
        question["order"] = depth.get(node, 0) + 1
        out.append(question)
        answers[node] = (ident, values)
    return out, answers


def _values(labels: list[str], where: str, problems: ImportProblems) -> dict[str, Any]:
    """Arrow label -> option value: yes/no (a boolean), a menu number, or an id of words."""
    values: dict[str, Any] = {}
    taken = {"unknown"}
    plain = all(yes_no(label) for label in labels)
    for label in labels:
        value: Any
        if plain:
            value = yes_no(label) == "yes"
        elif label.strip().isdigit() and len(label.strip()) < 10:
            value = str(int(label.strip()))
        else:
            value = slug(label, taken)
        if value in values.values():
            problems.error(
                where,
                f"two arrows out of it mean the same answer (“{label}”)",
                "merge them, or label them differently",
            )
        values[label] = value
    return values


def _step_texts(flow: Flow, shapes: Shapes) -> dict[str, list[str]]:
    """Question node -> the texts of the steps that lead straight into it."""
    helps: dict[str, list[str]] = defaultdict(list)
    questions = set(shapes.questions)
    for node, arrows in shapes.out.items():
        if node in questions or len(arrows) != 1 or not flow.nodes.get(node):
            continue
        target, seen = arrows[0][1], {node}
        while target not in questions and len(shapes.out.get(target, [])) == 1:
            if target in seen:
                break
            seen.add(target)
            target = shapes.out[target][0][1]
        if target in questions and node != shapes.start:
            helps[target].append(f"First: {' '.join(flow.nodes[node].split())}.")
    return helps


def _ends(
    flow: Flow, shapes: Shapes, meta: PackMeta, prefix: str, problems: ImportProblems
) -> dict[str, dict[str, Any]]:
    taken: set[str] = set()
    by_title: dict[str, dict[str, Any]] = {}
    ends: dict[str, dict[str, Any]] = {}
    for node in shapes.ends:
        text = flow.nodes[node]
        if not text:
            problems.error(
                f"node {node!r}",
                "an end shape with no text",
                "write the fault found, or 'Escalate to Line 2: reason'",
            )
            continue
        up = escalation(text.replace("\n", " "))
        if up is not None:
            if up[0] <= meta.line:
                problems.error(
                    f"node {node!r}",
                    f"escalates to Line {up[0]} from a Line {meta.line} pack",
                    "escalate to a higher line",
                )
            ends[node] = {"escalate": up[0], "reason": up[1], "title": _short(text)}
            continue
        title, *fix = text.split("\n")
        key = title.lower()
        if key not in by_title:
            by_title[key] = fault_entry(slug(title, taken, prefix), title, fix, meta.line)
        ends[node] = by_title[key]
    return ends


def _paths(
    shapes: Shapes, answers: dict[str, tuple[str, dict[str, Any]]], problems: ImportProblems
) -> list[tuple[list[tuple[str, Any]], str]]:
    """Every path from the start: the (question, answer) pairs along it, and its end."""
    paths: list[tuple[list[tuple[str, Any]], str]] = []
    stack: list[tuple[str, list[tuple[str, Any]]]] = [(shapes.start, [])]
    while stack:
        node, conds = stack.pop()
        arrows = shapes.out.get(node, [])
        if not arrows:
            if not conds:
                problems.error(
                    f"node {node!r}",
                    "is reached without a single question",
                    "start the chart with a question",
                )
                return paths
            paths.append((conds, node))
            if len(paths) > MAX_PATHS:
                problems.error(
                    "flowchart",
                    f"has over {MAX_PATHS:,} paths from start to end",
                    "split it into several flowcharts (one per complaint)",
                )
                return paths
            continue
        for _edge, target, label in reversed(arrows):
            step = [(answers[node][0], answers[node][1][label])] if node in answers else []
            stack.append((target, conds + step))
    return paths


def _rules(
    paths: list[tuple[list[tuple[str, Any]], str]],
    ends: dict[str, dict[str, Any]],
    shapes: Shapes,
) -> list[dict[str, Any]]:
    branches: dict[str, list[list[tuple[str, Any]]]] = defaultdict(list)
    for conds, end in paths:
        branches[end].append(conds)
    taken: set[str] = set()
    rules: list[dict[str, Any]] = []
    for end in shapes.ends:
        if end not in branches:
            continue
        alls = [{"all": [{"question": q, "equals": v} for q, v in c]} for c in branches[end]]
        outcome = ends[end]
        then = (
            {"escalate": outcome["escalate"], "reason": outcome["reason"]}
            if "escalate" in outcome
            else {"conclude": outcome["id"]}
        )
        rules.append(
            {
                "id": slug(f"reach {outcome['title']}", taken),
                "description": f"The flowchart ends at node {end!r}",
                "when": alls[0] if len(alls) == 1 else {"any": alls},
                "then": [then],
            }
        )
    return rules


def _unique(faults: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each fault once (several end shapes may name the same fault)."""
    return list({f["id"]: f for f in faults}.values())
