"""Looking ahead: what asking a few questions together is worth, when no single question
is worth asking on its own.

Questions that matter only jointly (a rule on `score(a) + score(b) >= 5`, or on a
derived fact computed from several answers) each score zero alone: no single answer
rules a hypothesis out or makes a fault firm, so a myopic policy escalates while the
rule could still fire. The look-ahead weighs, per still-possible rule, the questions it
still depends on *together*: every combination of their representative answers is one
joint answer (engine.information), and the group is worth its joint gain and chance to
settle a fault over the sum of its costs. Groups grow from two questions (cheapest
first, then the packs' order) until some joint answer changes something, up to
`MAX_GROUP` questions and `MAX_ANSWERS` combinations, so a look-ahead costs at most
`MAX_ANSWERS` closures per rule, and it runs only when the myopic policy would stop.
The question asked is the group's first one that may be asked now.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping

from engine.choice import EPSILON, Scored
from engine.hypotheses import Now, PolicyIndex
from engine.information import Worth, worth
from engine.possible import answer_values

MAX_GROUP = 4  # questions weighed together
MAX_ANSWERS = 64  # joint answers (combinations of representative values) per group


def look_ahead(
    index: PolicyIndex,
    now: Now,
    eligible: Iterable[str],
    relevant: Mapping[str, tuple[str, ...]],
    myopic: Mapping[str, Scored],
    ruled_out: set[str],
    focus: set[str],
    threshold: float,
) -> list[Scored]:
    """Per question that may be asked now and leads a group, the group's joint worth as a
    `Scored` (its `together` names the rest of the group), in no particular order."""
    compiled = index.compiled
    can_ask = set(eligible)
    by_rule: dict[str, list[str]] = {}
    for question, rules in relevant.items():
        for rule in rules:
            by_rule.setdefault(rule, []).append(question)
    memo: dict[tuple[str, ...], Worth] = {}
    found: dict[str, Scored] = {}
    for rule in sorted(by_rule):
        questions = sorted(by_rule[rule], key=lambda q: (index.cost[q], index.rank[q]))
        first = next((q for q in questions if q in can_ask), None)
        if first is None or len(questions) < 2:
            continue
        group = [first, *(q for q in questions if q != first)]
        values = {q: answer_values(compiled, q) for q in group[:MAX_GROUP]}
        for size in range(2, min(len(group), MAX_GROUP) + 1):
            members = tuple(group[:size])
            if math.prod(len(values[q]) for q in members) > MAX_ANSWERS:
                break
            key = tuple(sorted(members))
            joint = memo.get(key)
            if joint is None:
                answers = [
                    dict(zip(members, combo, strict=True))
                    for combo in itertools.product(*(values[q] for q in members))
                ]
                joint = memo[key] = worth(index, now, members, answers, ruled_out, focus, threshold)
            if joint.gain + joint.resolve <= EPSILON:
                continue
            alone = myopic[first]
            scored = Scored(
                question=first,
                gain=joint.gain,
                cost=sum(index.cost[q] for q in members),
                order=alone.order,
                rules=alone.rules,
                decides=tuple(sorted(joint.decided)),
                rules_out=alone.rules_out,
                rank=alone.rank,
                resolve=joint.resolve,
                possible=now.ids,
                together=members[1:],
            )
            kept = found.get(first)
            if kept is None or scored.score > kept.score + EPSILON:
                found[first] = scored
            break
    return list(found.values())
