"""Computed facts: expressions in rules turned into the plain rules the engine runs.

Two forms reach the engine as ordinary conditions and derivations, so that every part
of it (experta, what is still possible, the question policy, verification, WHY/HOW)
treats them the way it treats any rule:

- `derive: F` with `expr: E`: the rule also waits until every name in E is known
  (a `known: true` comparison per name), so F stays pending until its inputs are;
- a condition `{expr: "E >= 5"}`: a derived yes/no fact `expr_<hash>` (titled with the
  expression) computed by one added rule that waits for E's names, and the condition
  becomes `{fact: expr_<hash>, equals: true}`. Equal expressions share one fact.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from rules.expr import parse
from rules.schema import Condition, Consequence, FactDecl, Rule
from rules.text import Text

EXPR_FACT_PREFIX = "expr_"


def expr_fact_id(text: str) -> str:
    """The id of the yes/no fact a condition's expression computes (stable across runs)."""
    digest = hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:10]
    return EXPR_FACT_PREFIX + digest


def has_expressions(rule: Rule) -> bool:
    return any(t.expr is not None for t in rule.then) or (
        rule.when is not None and _has_expr(rule.when)
    )


def _has_expr(cond: Condition) -> bool:
    if cond.expr is not None:
        return True
    return any(_has_expr(c) for c in cond.children)


@dataclass
class Expansion:
    """What the expressions of a set of rules add: fact declarations and computing rules."""

    facts: dict[str, FactDecl] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)


def expand_rule(rule: Rule, kind_of: Callable[[str], str], added: Expansion) -> Rule:
    """`rule` with its expressions replaced; the computing rules and facts go to `added`.

    `kind_of(name)` says whether a name is a 'question' or a 'fact' (unknown names are
    reported by validation; they are taken as facts here, which nothing derives).
    """
    when = rule.when
    if when is not None:
        when = _replace(when, kind_of, added)
    names = [n for t in rule.then if t.expr is not None for n in parse(t.expr).names()]
    if names:
        waits = [_known(n, kind_of) for n in dict.fromkeys(names)]
        when = _conjoin(when, waits)
    return rule.model_copy(update={"when": when})


def _known(name: str, kind_of: Callable[[str], str]) -> Condition:
    if kind_of(name) == "question":
        return Condition.model_construct(question=name, known=True)
    return Condition.model_construct(fact=name, known=True)


def _conjoin(when: Condition | None, waits: list[Condition]) -> Condition:
    if when is not None and when.all is not None:  # keep the existing items' positions
        return when.model_copy(update={"all": [*when.all, *waits]})
    return Condition.model_construct(all=[*([when] if when is not None else []), *waits])


def _replace(cond: Condition, kind_of: Callable[[str], str], added: Expansion) -> Condition:
    if cond.expr is not None:
        fact = expr_fact_id(cond.expr)
        if fact not in added.facts:
            added.facts[fact] = FactDecl(id=fact, text=Text(en=cond.expr.strip()), type="yesno")
            names = parse(cond.expr).names()
            computing = Rule.model_construct(
                id=fact,
                description=None,
                priority=0,
                when=_conjoin(None, [_known(n, kind_of) for n in names]) if names else None,
                then=[Consequence.model_construct(derive=fact, expr=cond.expr)],
                stop=False,
                fallback=False,
            )
            added.rules[fact] = computing
        return Condition.model_construct(fact=fact, equals=True)
    if cond.all is not None:
        return cond.model_copy(update={"all": [_replace(c, kind_of, added) for c in cond.all]})
    if cond.any is not None:
        return cond.model_copy(update={"any": [_replace(c, kind_of, added) for c in cond.any]})
    if cond.not_ is not None:
        return cond.model_copy(update={"not_": _replace(cond.not_, kind_of, added)})
    return cond


def number_of(
    values: Mapping[str, object], scores: Mapping[str, Mapping[str, float]]
) -> Callable[[str], float | None]:
    """A name's number among known values: a number as is, a choice by its option's score."""

    def lookup(name: str) -> float | None:
        value = values.get(name)
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            return scores.get(name, {}).get(value)
        return None

    return lookup
