"""Derived facts that depend on themselves (through rules) can never settle: E017."""

from __future__ import annotations

import graphlib
from typing import TYPE_CHECKING

from rules.errors import Diagnostic
from rules.source import PathKey, SourceMap

if TYPE_CHECKING:
    from rules.knowledge import KnowledgeBase


def derivation_cycles(kb: KnowledgeBase, out: list[Diagnostic]) -> None:
    """A derived fact that (through rules) depends on itself can never settle."""
    from rules.validate import walk  # the one walk over conditions (it imports this module)

    where: dict[tuple[str, str], tuple[SourceMap, PathKey]] = {}
    for ref in kb.rules:
        targets = [t.derive for t in ref.rule.then if t.derive is not None]
        if not targets or ref.rule.when is None:
            continue
        smap = kb.packs[ref.pack_id].source
        for _path, leaf in walk(ref.rule.when, ("rules", ref.index, "when")):
            kind, ident = leaf.subject
            if kind == "intake":
                continue
            for target in targets:
                where.setdefault((ident, target), (smap, ("rules", ref.index, "then")))
    needs: dict[str, set[str]] = {}
    for source, target in where:
        needs.setdefault(target, set()).add(source)
    try:  # the usual case, no cycle, without networkx (which takes long to import)
        graphlib.TopologicalSorter(needs).prepare()
        return
    except graphlib.CycleError:
        pass
    import networkx as nx

    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_edges_from(where)
    reported: set[frozenset[str]] = set()
    for component in nx.strongly_connected_components(graph):
        nodes = sorted(component)
        if len(nodes) == 1 and not graph.has_edge(nodes[0], nodes[0]):
            continue
        key = frozenset(nodes)
        if key in reported:
            continue
        reported.add(key)
        # in document order (a subgraph view may iterate a set: the order would vary)
        sub: nx.DiGraph[str] = nx.DiGraph()
        sub.add_edges_from(edge for edge in where if edge[0] in key and edge[1] in key)
        cycle = nx.find_cycle(sub, source=next(iter(sub)))
        first = cycle[0]
        smap, path = where[(first[0], first[1])]
        chain = " -> ".join([edge[0] for edge in cycle] + [cycle[0][0]])
        out.append(
            smap.diagnostic(
                path,
                f"derived facts form a cycle: {chain}",
                hint="a fact cannot depend on itself; break the chain",
                code="E017",
            )
        )
