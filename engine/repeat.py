"""Questions asked again in a bounded loop (a rule's `repeat: QUESTION, at_most: N`):
"restart it and look again, until the light is green, at most three times"."""

from __future__ import annotations

from collections.abc import Mapping

from engine.compile import CompiledKnowledge
from engine.result import Diagnosis


def due_repeat(
    compiled: CompiledKnowledge, diag: Diagnosis, times: Mapping[str, int]
) -> tuple[str, str] | None:
    """(question, rule) of the first rule that fired (a fallback only when it applied)
    asking a question again that has had fewer answers than the rule's bound."""
    rules = compiled.cached("rules_by_name", lambda: {r.qualified: r for r in compiled.rules})
    for firing in diag.trace:
        rule = rules.get(firing.rule)
        if firing.status == "fallback_skipped" or rule is None:
            continue
        for then in rule.ref.rule.then:
            bound = then.at_most or 0
            if then.repeat is not None and 0 < times.get(then.repeat, 0) < bound:
                return then.repeat, firing.rule
    return None
