"""What can be reached: faults never concluded (W101), questions never used (W105) or never
asked (W106), cycles among derived facts (E107), facts only a higher line establishes (W108)."""

from __future__ import annotations

from typing import Any

import networkx as nx

from engine.finding import Checker
from engine.graph import Graph, nodes_of

# ---- faults (W101) ------------------------------------------------------------------------


def check_faults(chk: Checker) -> None:
    for node in nodes_of(chk.graph, "fault"):
        fault_id = node[2:]
        concluding = sorted(
            (chk.graph.nodes[src]["index"], data["certainty"])
            for src, _, data in chk.graph.in_edges(node, data=True)
            if data["kind"] == "conclusion"
        )
        positive = [i for i, cf in concluding if cf > 0]
        live = [i for i in positive if i in chk.viable]
        if live:
            continue
        if not concluding:
            why = "no rule concludes it"
        elif not positive:
            why = "rules conclude it only with negative certainty"
        else:
            names = ", ".join(chk.compiled.rules[i].ref.rule.id for i in positive)
            why = f"only rules that can never fire conclude it ({names})"
        pack = chk.kb.fault_pack(fault_id)
        chk.at_item(
            "faults",
            fault_id,
            pack,
            "W101",
            f"fault '{fault_id}' is never concluded: {why}",
            hint="add a rule that concludes it, or remove the fault",
        )


# ---- questions (W105, W106) ---------------------------------------------------------------


def _rules_using(graph: Graph, qnode: str) -> set[int]:
    sources = [qnode, *(a for a in graph.successors(qnode) if graph.nodes[a]["kind"] == "answer")]
    return {
        graph.nodes[dst]["index"]
        for src in sources
        for _, dst, data in graph.out_edges(src, data=True)
        if data["kind"] == "condition"
    }


def check_questions(chk: Checker) -> None:
    graph, kb, rules = chk.graph, chk.kb, chk.compiled.rules
    asked: set[str] = set()
    reasons: dict[str, str] = {}
    used: set[str] = set()
    for node in nodes_of(graph, "question"):
        qid = node[2:]
        using = _rules_using(graph, node)
        if not using:
            continue
        used.add(qid)
        live = [i for i in using if i in chk.viable]
        if any(not rules[i].ref.rule.fallback for i in live):
            asked.add(qid)
        elif live:
            reasons[qid] = "only fallback rules use it, and a session never asks for a fallback"
        else:
            reasons[qid] = "only rules that can never fire use it"
    derived = {
        dst[2:]
        for src, dst, data in graph.edges(data=True)
        if data["kind"] == "derivation"
        and dst.startswith("q:")
        and graph.nodes[src]["index"] in chk.viable
    }
    settled: dict[str, bool] = {}

    def settles(qid: str, trail: tuple[str, ...]) -> bool:
        if qid in settled:
            return settled[qid]
        if qid in trail:
            reasons.setdefault(
                trail[0], "its 'after' questions form a cycle: " + " -> ".join((*trail, qid))
            )
            return False
        if qid in derived:
            settled[qid] = True
            return True
        ok = qid in asked
        for before in kb.questions[qid].after:
            if ok and not settles(before, (*trail, qid)):
                reasons.setdefault(
                    qid, f"it is asked only after '{before}', which can never be settled"
                )
                ok = False
        settled[qid] = ok
        return ok

    for qid in kb.questions:
        pack = kb.owner[qid]
        if qid not in used:
            chk.at_item(
                "questions",
                qid,
                pack,
                "W105",
                f"question '{qid}' is not used by any rule",
                hint="use it in a rule's condition, or remove it",
            )
        elif not settles(qid, ()):
            chk.at_item(
                "questions",
                qid,
                pack,
                "W106",
                f"question '{qid}' can never be asked: {reasons.get(qid, 'it cannot be reached')}",
            )


# ---- derived facts (E107) and lines (W108) -------------------------------------------------


def check_cycles(chk: Checker) -> None:
    """Cycles among derived facts, on the graph: key -> rule -> derived key."""
    graph = chk.graph
    keys: Any = nx.DiGraph()
    via: dict[tuple[str, str], int] = {}
    for src, rule, data in graph.edges(data=True):
        if data["kind"] != "condition":
            continue
        key = src if graph.nodes[src]["kind"] != "answer" else "q:" + graph.nodes[src]["question"]
        for _, dst, out in graph.out_edges(rule, data=True):
            if out["kind"] == "derivation":
                keys.add_edge(key, dst)
                index = graph.nodes[rule]["index"]
                via[(key, dst)] = min(index, via.get((key, dst), index))
    for component in sorted(sorted(c) for c in nx.strongly_connected_components(keys)):
        if len(component) == 1 and not keys.has_edge(component[0], component[0]):
            continue
        cycle = nx.find_cycle(keys.subgraph(component), source=component[0])
        chain = " -> ".join([edge[0][2:] for edge in cycle] + [cycle[0][0][2:]])
        rule = chk.compiled.rules[min(via[(e[0], e[1])] for e in cycle)]
        chk.at_rule(
            rule,
            "E107",
            f"derived facts form a cycle: {chain}",
            sub=("then",),
            hint="a fact cannot depend on itself; break the chain",
        )


def check_lines(chk: Checker) -> None:
    """Rules relying on questions or facts that only a higher line's packs establish."""
    graph, kb = chk.graph, chk.kb
    for rule in chk.compiled.rules:
        line = chk.line_of(rule.ref.pack_id)
        seen: set[str] = set()
        for leaf in rule.leaves():
            key = leaf.key
            if key in seen or key.startswith("intake."):
                continue
            seen.add(key)
            if key in kb.questions:
                owner = kb.owner[key]
                higher = chk.line_of(owner) > line
                what = f"question '{key}' of Line {chk.line_of(owner)} pack '{owner}'"
            else:
                makers = {
                    chk.line_of(graph.nodes[src]["pack"])
                    for src, _, data in graph.in_edges("f:" + key, data=True)
                    if data["kind"] == "derivation"
                }
                higher = bool(makers) and min(makers) > line
                what = (
                    f"fact '{key}', which only Line {min(makers) if makers else '?'} rules derive"
                )
            if higher:
                chk.at_rule(
                    rule,
                    "W108",
                    f"rule '{rule.ref.rule.id}' (Line {line}) relies on {what}",
                    sub=leaf.path,
                    hint=(
                        "a lower line cannot establish it: move the rule up, or ask it at this line"
                    ),
                )
