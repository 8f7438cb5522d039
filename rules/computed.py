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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rules.errors import Diagnostic, did_you_mean
from rules.expr import parse
from rules.schema import Condition, Consequence, FactDecl, Rule
from rules.source import PathKey, SourceMap
from rules.text import Text

if TYPE_CHECKING:
    from rules.knowledge import KnowledgeBase

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


def expression_constants(rules: Iterable[Rule], name: str) -> set[float]:
    """The constants of the `derive` expressions that read `name` (points worth trying)."""
    points: set[float] = set()
    for rule in rules:
        for then in rule.then:
            if then.expr is not None and name in parse(then.expr).names():
                points |= parse(then.expr).constants()
    return points


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


def check_expression(
    kb: KnowledgeBase,
    visible: set[str],
    smap: SourceMap,
    path: PathKey,
    text: str,
    out: list[Diagnostic],
) -> None:
    """Validation: every name in an expression is a visible number, or a choice whose
    options all count."""
    for ref in parse(text).refs():
        where = f" (column {ref.column} of the expression)"
        decl = kb.questions.get(ref.name) or kb.facts.get(ref.name)
        if decl is None or kb.owner.get(ref.name) not in visible:
            names = [i for i in [*kb.questions, *kb.facts] if kb.owner.get(i) in visible]
            owner = kb.owner.get(ref.name)
            out.append(
                smap.diagnostic(
                    path,
                    f"unknown question or fact '{ref.name}'{where}",
                    hint=f"it is defined in pack '{owner}': add '{owner}' to requires"
                    if owner is not None and decl is not None
                    else did_you_mean(ref.name, names)
                    or "declare it under 'questions:' or 'facts:'",
                    code="E013",
                )
            )
        elif decl.type == "choice":
            missing = [o.value for o in decl.options or () if o.number is None]
            if missing:
                out.append(
                    smap.diagnostic(
                        path,
                        f"'{ref.name}' is a choice whose option '{missing[0]}' has no number"
                        f"{where}",
                        hint="give every option a 'score:' (or a number as its value)",
                        code="E014",
                    )
                )
        elif decl.type != "number":
            out.append(
                smap.diagnostic(
                    path,
                    f"'{ref.name}' is {decl.type}, but expressions compute with numbers{where}",
                    hint="use a number question or fact, or a choice with option scores",
                    code="E014",
                )
            )
