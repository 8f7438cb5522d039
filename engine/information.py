"""What a set of possible answers is worth to the question policy: the expected
information gain over the hypotheses, and the chance that the answers make a fault firm
(which ends the questioning).

An *answer* here is one assignment of values to one or more questions: one question's
value (the myopic policy, engine.select) or a combination of several questions' values
(the look-ahead, engine.lookahead). Each hypothesis spreads its likelihood evenly over
the answers it is compatible with. Only the hypotheses some answer re-weighs are
visited: the others are compatible with every answer, and their share of each sum is
worked out from the totals.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.choice import group
from engine.hypotheses import Now, PolicyIndex, after_answer, mlog
from engine.logic import FactValue
from engine.possible import closure


@dataclass(frozen=True)
class Worth:
    """What the answers are worth, and what each of them rules out and makes firm."""

    gain: float  # bits
    resolve: float  # chance that the answers make a fault firm
    by_answer: tuple[tuple[frozenset[str], frozenset[str]], ...]  # (ruled out, firm) per answer
    decided: frozenset[str]  # faults/escalations some answer rules out and another keeps


def worth(
    index: PolicyIndex,
    now: Now,
    keys: Sequence[str],
    answers: Sequence[Mapping[str, FactValue]],
    ruled_out: set[str],
    focus: set[str],
    threshold: float,
) -> Worth:
    """The worth of learning `keys`, whose possible values are `answers` (each a mapping
    of every key to a value)."""
    compiled = index.compiled
    n_values = len(answers)
    by_value: list[tuple[frozenset[str], frozenset[str]]] = []
    touched: set[str] = set()
    size = len(now.facts)
    for answer in answers:
        facts = closure(compiled, {**now.facts, **answer}, since=tuple(keys))
        learnt = list(itertools.islice(facts, size, None))
        removed, firm, changed = after_answer(
            index, now, facts, learnt, ruled_out, focus, threshold
        )
        touched |= changed
        by_value.append((frozenset(removed), frozenset(firm)))
    compatible = {h: sum(1 for removed, _ in by_value if h not in removed) for h in touched}
    total = now.total
    weight = {h: now.alive[h][1] for h in touched}
    rest = (total - sum(weight.values())) / total / n_values  # each untouched one's share
    rest_log = now.spread_log(n_values) - sum(mlog(w / total / n_values) for w in weight.values())
    rest_firm = (
        (now.firm_weight - sum(w for h, w in weight.items() if group(h) in now.firm))
        / total
        / n_values
    )
    expected = 0.0
    resolve = 0.0
    for gone, firm_after in by_value:
        p_value, mlogs, settles = rest, rest_log, rest_firm
        for hyp, w in weight.items():
            if hyp not in gone:
                mass = w / total / compatible[hyp]
            elif not compatible[hyp]:
                mass = w / total / n_values
            else:
                continue
            p_value += mass
            mlogs += mlog(mass)
            if group(hyp) in firm_after:
                settles += mass
        if p_value > 0:
            expected += p_value * math.log2(p_value) - mlogs
            resolve += settles
    return Worth(
        gain=max(0.0, now.entropy - expected),
        resolve=min(1.0, resolve),
        by_answer=tuple(by_value),
        decided=frozenset(group(h) for h in touched if 0 < compatible[h] < n_values),
    )
