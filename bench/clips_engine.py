"""The same compiled knowledge as CLIPS rules, run through clipspy (a development extra).

Each rule becomes one `defrule` whose left-hand side is the rule's condition in
negation normal form over `(known (key ..) (value ..))` facts (`and` / `or` CEs,
each comparison a predicate constraint), with the rule's priority as salience.
The right-hand side appends the rule index to a global multifield and asserts
derived facts that are not yet known, as linewise's own action does.

clipspy 1.0.6 leaks every fact object it hands to Python, so no fact ever
crosses: a case's facts go in as one `load-facts` string (clipspy returns a
count, not facts) and what fired comes back as the integers of `?*fired*`.
clipspy's Python error router is removed once the rules are loaded: CLIPS asks
it about every character it reads, which would otherwise dominate each case.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import clips

from engine.compile import CompiledKnowledge, CompiledRule
from engine.logic import UNKNOWN, FactValue, NAll, NLeaf, NNode

HEADER = """
(deftemplate known (slot key) (slot value))
(defglobal ?*fired* = (create$))
"""


def _atom(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return repr(float(value))
    text = str(value).lower().replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _test(leaf: NLeaf, var: str) -> str:
    cond = leaf.cond
    op = cond.kind
    num = f"(numberp {var})"
    if op in ("equals", "one_of"):
        wants = [cond.equals] if op == "equals" else list(cond.one_of or [])
        parts = []
        for want in wants:
            if isinstance(want, int | float) and not isinstance(want, bool):
                parts.append(f"(and {num} (= {var} {_atom(want)}))")
            else:
                parts.append(f"(eq {var} {_atom(want)})")
        expr = parts[0] if len(parts) == 1 else f"(or {' '.join(parts)})"
    elif op == "less_than":
        expr = f"(and {num} (< {var} {_atom(cond.less_than)}))"
    elif op == "greater_than":
        expr = f"(and {num} (> {var} {_atom(cond.greater_than)}))"
    elif op == "between":
        low, high = cond.between or (0.0, 0.0)
        expr = f"(and {num} (<= {_atom(low)} {var} {_atom(high)}))"
    else:
        expr = f"(and (stringp {var}) (str-index {_atom(cond.contains or '')} {var}))"
    return f"(not {expr})" if leaf.negated else expr


def _lhs(node: NNode, counter: list[int]) -> str:
    if isinstance(node, NLeaf):
        var = f"?v{counter[0]}"
        counter[0] += 1
        return f"(known (key {node.key}) (value {var}&:{_test(node, var)}))"
    parts = " ".join(_lhs(p, counter) for p in node.parts)
    return f"(and {parts})" if isinstance(node, NAll) else f"(or {parts})"


def _rule(rule: CompiledRule) -> str:
    lhs = _lhs(rule.nnf, [0]) if rule.nnf is not None else ""
    rhs = [f"(bind ?*fired* (create$ ?*fired* {rule.index}))"]
    for then in rule.ref.rule.then:
        if then.derive is not None:
            key = then.derive
            rhs.append(
                f"(if (not (any-factp ((?k known)) (eq ?k:key {key}))) then "
                f"(assert (known (key {key}) (value {_atom(then.value)}))))"
            )
    salience = max(-10000, min(10000, rule.priority))
    return f"(defrule r{rule.index} (declare (salience {salience})) {lhs} => {' '.join(rhs)})"


def _fact(key: str, value: FactValue) -> str:
    return f"(known (key {key}) (value {_atom(value)}))"


class ClipsEngine:
    """One CLIPS environment holding every rule; `run` resets it for each case."""

    def __init__(self, compiled: CompiledKnowledge) -> None:
        self.env = clips.Environment()
        text = HEADER + "\n".join(_rule(r) for r in compiled.rules) + "\n"
        with tempfile.NamedTemporaryFile("w", suffix=".clp", delete=False) as handle:
            handle.write(text)
        try:
            self.env.load(handle.name)
        finally:
            Path(handle.name).unlink()
        self.env.reset()
        # clipspy's Python error router is queried for every character CLIPS reads (a
        # Python call each): 1.4 ms per 34-fact case with it, 0.09 ms without. The rules
        # are loaded (and checked) by now, so it goes.
        for router in list(self.env.routers()):
            router.delete()

    def run(self, facts: list[tuple[str, FactValue]]) -> list[int]:
        """Reset, load the case's facts, run; the indices of the rules fired, sorted."""
        self.env.reset()
        self.add(facts)
        return self.fired()

    def add(self, facts: list[tuple[str, FactValue]]) -> None:
        """Assert more facts (no reset) and run to quiescence: one guided step."""
        text = " ".join(_fact(k, v) for k, v in facts if v is not UNKNOWN)
        if text:
            self.env.load_facts(text)
        self.env.run()

    def fired(self) -> list[int]:
        return sorted(int(i) for i in self.env.eval("?*fired*"))
