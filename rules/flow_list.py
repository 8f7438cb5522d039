"""A flowchart written as a YAML node list, read into the same nodes and edges as draw.io.

    flowchart:                      # the nodes; the start is the one nothing leads to
      - id: lights
        ask: Are the router's lights on?
        answers: {yes: wan, no: plug}      # answer -> the node it leads to
      - id: plug
        step: Plug the router in and switch it on
        next: works
      - id: off
        end: "Router was switched off\\nSwitch the router on and wait"

For teams without a drawing tool, or charts kept in review as text. Problems are
reported at the file and line of the node.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rules.drawio import Flow
from rules.errors import Diagnostic, InputError, explain_empty
from rules.source import DataFileError, read_data_file

KINDS = ("ask", "step", "end")


def read_flow_list(path: Path, shown: str) -> Flow:
    """The flowchart in a YAML node list (see the module's docstring)."""
    try:
        data, smap = read_data_file(path, shown_as=shown)
    except DataFileError as err:
        raise InputError(explain_empty(err.diagnostics, _HINT)) from err
    nodes = data.get("flowchart") if isinstance(data, dict) else None
    if not isinstance(nodes, list) or not nodes:
        raise InputError(
            [smap.diagnostic((), "expected a mapping with a 'flowchart:' list", hint=_HINT)]
        )
    flow = Flow()
    problems: list[Diagnostic] = []
    for index, node in enumerate(nodes):
        at = ("flowchart", index)
        if not isinstance(node, dict) or not isinstance(node.get("id"), str | int):
            problems.append(smap.diagnostic(at, "a node needs an 'id'", hint=_HINT))
            continue
        kinds = [k for k in KINDS if k in node]
        extra = sorted(set(node) - {"id", *KINDS, "answers", "next"})
        if len(kinds) != 1 or extra:
            what = f"unknown key '{extra[0]}'" if extra else "a node is one of ask, step or end"
            problems.append(smap.diagnostic(at, what, hint=_HINT))
            continue
        ident = str(node["id"])
        flow.nodes[ident] = str(node[kinds[0]] or "")
        for label, target in _arrows(node, kinds[0], smap, at, problems):
            flow.edges.append((f"{ident}->{target}", ident, str(target), label))
    known = set(flow.nodes)
    for index, node in enumerate(nodes):
        if isinstance(node, dict):
            for key, target in _targets(node):
                if str(target) not in known:
                    problems.append(
                        smap.diagnostic(
                            ("flowchart", index, *key),
                            f"no node '{target}'",
                            hint="name the id of a node in the list",
                        )
                    )
    if problems:
        raise InputError(problems)
    return flow


_HINT = "a flowchart node list is 'flowchart:' with nodes of id and ask/step/end"


def _arrows(
    node: dict[str, Any], kind: str, smap: Any, at: tuple[Any, ...], problems: list[Diagnostic]
) -> list[tuple[str, Any]]:
    answers, after = node.get("answers"), node.get("next")
    if kind == "ask" and isinstance(answers, dict) and answers and after is None:
        return [(_label(label), target) for label, target in answers.items()]
    if kind == "step" and after is not None and answers is None:
        return [("", after)]
    if kind == "end" and answers is None and after is None:
        return []
    wanted = {
        "ask": "an 'ask' node takes 'answers: {answer: node}'",
        "step": "a 'step' node takes 'next: node'",
        "end": "an 'end' node takes neither 'answers' nor 'next'",
    }
    problems.append(smap.diagnostic(at, wanted[kind], hint=_HINT))
    return []


def _targets(node: dict[str, Any]) -> list[tuple[tuple[Any, ...], Any]]:
    answers = node.get("answers")
    out = [(("answers", k), v) for k, v in answers.items()] if isinstance(answers, dict) else []
    return out + ([(("next",), node["next"])] if "next" in node else [])


def _label(label: Any) -> str:
    """YAML reads `yes:` and `no:` as booleans: they are the answers yes and no."""
    if isinstance(label, bool):
        return "yes" if label else "no"
    return str(label)
