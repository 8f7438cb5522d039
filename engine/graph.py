"""The decision graph: one networkx graph of the knowledge, shared by the verifier and the
renderer (there is no second model of the knowledge). The guided session's question
policy reads the compiled rules through its own indexes (engine.hypotheses), so a desk
process never builds this graph.

Nodes (attribute `kind`, plus the attributes listed):
  question  `q:<id>`        pack, line, type, cost, order, after, text (en), label, help, options
  answer    `a:<id>=<val>`  question, value, label (one per yes/no value or choice option)
  intake    `i:<field>`     field
  fact      `f:<id>`        pack, line, type, text (en), label   (derived facts)
  rule      `r:<pack>/<id>` pack, line, rule, priority, stop, fallback, index, description
  fault     `F:<id>`        pack, line, prior, title (en), label, fix
  escalation `E:<line>`     line

`line` of a question, fact or rule is its pack's line; of a fault, the lowest line able to
fix it. `label`, `help`, `description` and each `fix` step are `rules.text.Text` (all
languages; None when the pack gives none, and an answer's label is None for yes/no).

Edges (attribute `kind`, plus the attributes listed):
  answer      question -> answer
  condition   question|answer|intake|fact -> rule   test (text), negated, path
  conclusion  rule -> fault        certainty
  derivation  rule -> fact|question  value
  escalation  rule -> escalation   reason (en), label (Text)
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from engine.compile import CompiledKnowledge
from engine.logic import describe, show_value
from rules.knowledge import INTAKE_PREFIX, KnowledgeBase
from rules.source import format_path

Graph = Any  # nx.MultiDiGraph; networkx ships no type information


def qnode(question_id: str) -> str:
    return f"q:{question_id}"


def rnode(qualified_rule: str) -> str:
    return f"r:{qualified_rule}"


def fnode(fault_id: str) -> str:
    return f"F:{fault_id}"


def key_node(kb: KnowledgeBase, key: str) -> str:
    """The node of a fact key (question, derived fact or intake field)."""
    if key.startswith(INTAKE_PREFIX):
        return "i:" + key.removeprefix(INTAKE_PREFIX)
    if key in kb.questions:
        return qnode(key)
    return "f:" + key


def build_graph(compiled: CompiledKnowledge) -> Graph:
    """Build the decision graph of a compiled knowledge base (deterministic node order)."""
    kb = compiled.kb
    graph: Graph = nx.MultiDiGraph()
    for qid, question in kb.questions.items():
        options: list[Any] = (
            [True, False] if question.type == "yesno" else [o.value for o in question.options or ()]
        )
        texts = {o.value: o.text for o in question.options or ()}
        graph.add_node(
            qnode(qid),
            kind="question",
            pack=kb.owner[qid],
            line=kb.packs[kb.owner[qid]].pack.line,
            type=question.type,
            cost=question.cost,
            order=question.order,
            after=list(question.after),
            text=question.text.en,
            label=question.text,
            help=question.help,
            options=options,
        )
        for value in options:
            anode = f"a:{qid}={show_value(value)}"
            graph.add_node(
                anode, kind="answer", question=qid, value=value, label=texts.get(str(value))
            )
            graph.add_edge(qnode(qid), anode, kind="answer")
    for fid, fact in kb.facts.items():
        graph.add_node(
            "f:" + fid,
            kind="fact",
            pack=kb.owner[fid],
            line=kb.packs[kb.owner[fid]].pack.line,
            type=fact.type,
            text=fact.text.en,
            label=fact.text,
        )
    for fault_id, fault in kb.faults.items():
        graph.add_node(
            fnode(fault_id),
            kind="fault",
            pack=kb.fault_pack(fault_id),
            line=fault.line,
            prior=fault.likelihood,
            title=fault.title.en,
            label=fault.title,
            fix=list(fault.fix),
        )
    for rule in compiled.rules:
        spec = rule.ref.rule
        node = rnode(rule.qualified)
        graph.add_node(
            node,
            kind="rule",
            pack=rule.ref.pack_id,
            line=kb.packs[rule.ref.pack_id].pack.line,
            rule=spec.id,
            priority=spec.priority,
            stop=spec.stop,
            fallback=spec.fallback,
            index=rule.index,
            description=spec.description,
        )
        for leaf in rule.leaves():
            source = key_node(kb, leaf.key)
            if source.startswith("i:") and source not in graph:
                graph.add_node(source, kind="intake", field=source[2:])
            cond = leaf.cond
            if (
                source.startswith("q:")
                and cond.kind == "equals"
                and not leaf.negated
                and f"a:{leaf.key}={show_value(cond.equals)}" in graph
            ):
                source = f"a:{leaf.key}={show_value(cond.equals)}"
            graph.add_edge(
                source,
                node,
                kind="condition",
                test=describe(leaf),
                negated=leaf.negated,
                path=format_path(leaf.path),
            )
        for then in spec.then:
            if then.conclude is not None:
                graph.add_edge(node, fnode(then.conclude), kind="conclusion", certainty=then.cf)
            elif then.derive is not None:
                graph.add_edge(
                    node,
                    key_node(kb, then.derive),
                    kind="derivation",
                    value=then.value if then.expr is None else then.expr,
                )
            elif then.escalate is not None:
                enode = f"E:{then.escalate}"
                graph.add_node(enode, kind="escalation", line=then.escalate)
                graph.add_edge(
                    node,
                    enode,
                    kind="escalation",
                    reason=then.reason.en if then.reason else "",
                    label=then.reason,
                )
    return graph


def nodes_of(graph: Graph, kind: str) -> list[str]:
    return sorted(n for n, data in graph.nodes(data=True) if data["kind"] == kind)
