"""Verifying packs before they reach Line 1: structural findings over the decision graph.

The checks walk the decision graph (`engine.graph`) and decide conditions exactly with
`engine.constraint`; coverage gaps (W109) are found by `engine.coverage`. Codes and
silencing are in `engine.finding`; docs/checks.md explains every code with an example.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from engine.compile import CompiledKnowledge, CompiledRule, compile_knowledge
from engine.constraint import Space, TooComplex, build_space
from engine.coverage import DEFAULT_MAX_COMBINATIONS, DomainCoverage, coverage_findings
from engine.finding import Finding, finding, split_silenced
from engine.graph import Graph, build_graph, nodes_of
from engine.logic import show_value
from rules.knowledge import KnowledgeBase


@dataclass
class Report:
    """Everything `pack check` found, sorted; silenced findings are kept apart."""

    packs: dict[str, str]
    findings: list[Finding]
    silenced: list[Finding] = field(default_factory=list)
    coverage: list[DomainCoverage] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def failed(self, strict: bool) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def as_dict(self, strict: bool = False) -> dict[str, Any]:
        return {
            "ok": not self.failed(strict),
            "strict": strict,
            "packs": self.packs,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.as_dict() for f in self.findings],
            "silenced": [f.as_dict() for f in self.silenced],
            "coverage": [c.as_dict() for c in self.coverage],
        }


@dataclass
class Checker:
    """The shared state of one verification run."""

    compiled: CompiledKnowledge
    graph: Graph
    space: Space
    viable: set[int] = field(default_factory=set)
    out: list[Finding] = field(default_factory=list)

    @property
    def kb(self) -> KnowledgeBase:
        return self.compiled.kb

    def at_rule(
        self, rule: CompiledRule, code: str, message: str, *, sub: tuple[str | int, ...] = (), **kw: Any
    ) -> None:
        pack = rule.ref.pack_id
        smap = self.kb.packs[pack].source
        self.out.append(finding(smap, pack, ("rules", rule.ref.index, *sub), code, message, **kw))

    def at_item(self, section: str, ident: str, pack: str, code: str, message: str, **kw: Any) -> None:
        loaded = self.kb.packs[pack]
        items = getattr(loaded.pack, section)
        index = next(i for i, item in enumerate(items) if item.id == ident)
        self.out.append(finding(loaded.source, pack, (section, index), code, message, **kw))

    def line_of(self, pack: str) -> int:
        return self.kb.packs[pack].pack.line


# ---- rules that can never fire (E102, W110) -------------------------------------------


def check_rules(chk: Checker) -> None:
    """Contradictions (E102), then a fixpoint over derivable fact values (W110)."""
    kb, space = chk.kb, chk.space
    contradictory: set[int] = set()
    for rule in chk.compiled.rules:
        try:
            key = space.blocking_key(rule.nnf, {})
        except TooComplex:
            continue
        if key is not None:
            contradictory.add(rule.index)
            chk.at_rule(
                rule,
                "E102",
                f"rule '{rule.ref.rule.id}' can never fire: its conditions on '{key}' "
                "contradict each other",
                sub=("when",),
                hint="a key cannot have two different values at once; check 'all' vs 'any'",
            )
    derived_only = [k for k in space.keys if k in kb.facts and k not in kb.questions]
    allowed: dict[str, frozenset[int]] = {k: frozenset() for k in derived_only}
    blocked: dict[int, str] = {}
    changed = True
    while changed:
        changed = False
        for rule in chk.compiled.rules:
            if rule.index in chk.viable or rule.index in contradictory:
                continue
            try:
                key = space.blocking_key(rule.nnf, allowed)
            except TooComplex:
                key = None
            if key is not None:
                blocked[rule.index] = key
                continue
            chk.viable.add(rule.index)
            changed = True
            for then in rule.ref.rule.then:
                if then.derive in allowed and then.value is not None:
                    got = space[then.derive].indices([then.value])
                    allowed[then.derive] = allowed[then.derive] | got
    for index in sorted(set(blocked) - chk.viable):
        rule = chk.compiled.rules[index]
        key = blocked[index]
        chk.at_rule(
            rule,
            "W110",
            f"rule '{rule.ref.rule.id}' can never fire: no rule that can fire derives "
            f"the value of fact '{key}' it needs",
            sub=("when",),
            hint=f"add a rule deriving '{key}', or change this condition",
        )


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


# ---- pairs of rules (W103, E104) ----------------------------------------------------------


def _signature(rule: CompiledRule) -> tuple[tuple[str, str, str], ...]:
    parts: set[tuple[str, str, str]] = set()
    for then in rule.ref.rule.then:
        if then.conclude is not None:
            parts.add(("conclude", then.conclude, f"{then.cf:g}"))
        elif then.derive is not None:
            parts.add(("derive", then.derive, show_value(then.value)))
        else:
            parts.add(("escalate", str(then.escalate), ""))
    return tuple(sorted(parts))


def _conflict(left: CompiledRule, right: CompiledRule) -> str | None:
    """What two rules disagree on, if they were to fire on the same facts."""
    a, b = _signature(left), _signature(right)
    derived_a = {k: v for kind, k, v in a if kind == "derive"}
    for kind, key, value in b:
        if kind == "derive" and key in derived_a and derived_a[key] != value:
            return f"derive {key} = {derived_a[key]} vs {value}"
    faults_a = {(k, float(v) > 0) for kind, k, v in a if kind == "conclude"}
    faults_b = {(k, float(v) > 0) for kind, k, v in b if kind == "conclude"}
    ups_a = {k for kind, k, _ in a if kind == "escalate"}
    ups_b = {k for kind, k, _ in b if kind == "escalate"}
    if faults_a and faults_b and faults_a != faults_b:
        show = lambda fs: ", ".join(sorted(f for f, _ in fs))  # noqa: E731
        return f"conclude {show(faults_a)} vs {show(faults_b)}"
    if ups_a and ups_b and ups_a != ups_b:
        return f"escalate to Line {min(ups_a)} vs Line {min(ups_b)}"
    if (faults_a and ups_b and not ups_a) or (faults_b and ups_a and not ups_b):
        return "one concludes a fault, the other escalates"
    return None


def check_pairs(chk: Checker) -> None:
    rules = chk.compiled.rules
    space = chk.space
    for later in rules:
        for earlier in rules[: later.index]:
            a, b = earlier.ref, later.ref
            if chk.line_of(a.pack_id) != chk.line_of(b.pack_id):
                continue
            if a.rule.fallback != b.rule.fallback:
                continue
            same = _signature(earlier) == _signature(later) and a.rule.stop == b.rule.stop
            conflict = None if same or a.rule.priority != b.rule.priority else _conflict(earlier, later)
            if not same and conflict is None:
                continue
            try:
                later_in_earlier = space.implies(later.nnf, earlier.nnf)
                earlier_in_later = space.implies(earlier.nnf, later.nnf)
            except TooComplex:
                continue
            if same and later_in_earlier:
                chk.at_rule(
                    later,
                    "W103",
                    f"rule '{b.rule.id}' is subsumed by rule '{a.qualified}': it has the same "
                    "consequences and fires only when that one fires too",
                    hint="remove it (certainties would be counted twice), or make it differ",
                )
            elif same and earlier_in_later:
                chk.at_rule(
                    earlier,
                    "W103",
                    f"rule '{a.rule.id}' is subsumed by rule '{b.qualified}': it has the same "
                    "consequences and fires only when that one fires too",
                    hint="remove it (certainties would be counted twice), or make it differ",
                )
            elif conflict is not None and later_in_earlier and earlier_in_later:
                chk.at_rule(
                    later,
                    "E104",
                    f"rules '{a.qualified}' and '{b.rule.id}' have the same conditions but "
                    f"conflicting consequences ({conflict}) and the same priority "
                    f"{b.rule.priority}",
                    hint="give one a higher priority, merge them, or tell them apart by a condition",
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
        if data["kind"] == "derivation" and dst.startswith("q:") and graph.nodes[src]["index"] in chk.viable
    }
    settled: dict[str, bool] = {}

    def settles(qid: str, trail: tuple[str, ...]) -> bool:
        if qid in settled:
            return settled[qid]
        if qid in trail:
            reasons.setdefault(trail[0], "its 'after' questions form a cycle: " + " -> ".join((*trail, qid)))
            return False
        if qid in derived:
            settled[qid] = True
            return True
        ok = qid in asked
        for before in kb.questions[qid].after:
            if ok and not settles(before, (*trail, qid)):
                reasons.setdefault(qid, f"it is asked only after '{before}', which can never be settled")
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
                what = f"fact '{key}', which only Line {min(makers) if makers else '?'} rules derive"
            if higher:
                chk.at_rule(
                    rule,
                    "W108",
                    f"rule '{rule.ref.rule.id}' (Line {line}) relies on {what}",
                    sub=leaf.path,
                    hint="a lower line cannot establish it: move the rule up, or ask it at this line",
                )


# ---- the whole run -------------------------------------------------------------------------


def verify(
    kb: KnowledgeBase,
    *,
    ignore: Iterable[str] = (),
    max_combinations: int = DEFAULT_MAX_COMBINATIONS,
    seed: int = 0,
) -> Report:
    """Every finding over a knowledge base (the packs checked together)."""
    compiled = compile_knowledge(kb, name="VerifyKnowledge")
    chk = Checker(compiled, build_graph(compiled), build_space(kb, compiled.rules))
    check_rules(chk)
    check_faults(chk)
    check_pairs(chk)
    check_questions(chk)
    check_cycles(chk)
    check_lines(chk)
    gaps, domains = coverage_findings(compiled, max_combinations=max_combinations, seed=seed)
    sources: dict[str, Path] = {item.source.file: item.path for item in kb.loaded}
    kept, silenced = split_silenced([*chk.out, *gaps], sources, ignore)
    return Report(packs=kb.versions(), findings=kept, silenced=silenced, coverage=domains)


def check_paths(
    paths: Iterable[Path],
    *,
    ignore: Iterable[str] = (),
    max_combinations: int = DEFAULT_MAX_COMBINATIONS,
    seed: int = 0,
) -> Report:
    """Load packs (a broken pack raises PackError) and verify them together.

    Derivation cycles are tolerated by the loading step here and reported as E107 by the
    verifier, so that one run shows them next to every other finding.
    """
    from rules.loader import load_pack_files

    kb = KnowledgeBase.from_loaded(load_pack_files(paths), tolerate=("E017",))
    return verify(kb, ignore=ignore, max_combinations=max_combinations, seed=seed)


def render_report(report: Report, strict: bool = False) -> str:
    """Compiler-style lines, then a one-line summary."""
    lines = [f.render() for f in report.findings]
    domains = report.coverage
    sampled = sum(1 for d in domains if d.mode == "sampled")
    summary = (
        f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''}, "
        f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}"
    )
    if report.silenced:
        summary += f" ({len(report.silenced)} silenced)"
    summary += (
        f" in {len(report.packs)} pack{'s' if len(report.packs) != 1 else ''}; coverage: "
        f"{len(domains)} domain{'s' if len(domains) != 1 else ''}, "
        f"{len(domains) - sampled} exhaustive, {sampled} sampled"
    )
    verdict = "FAILED" if report.failed(strict) else "ok"
    lines.append(f"{verdict}: {summary}")
    return "\n".join(lines)
