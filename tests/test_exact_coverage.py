"""Exact coverage (W109) against brute force: on small random packs, the decision diagram
of `engine.symbolic` and the regions of `engine.regions` each count exactly the gap
combinations that enumerating every combination finds, and every minimal answer set
reported is a gap whatever the other answers are."""

from __future__ import annotations

import itertools
import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import engine.coverage
from engine.compile import compile_knowledge
from engine.coverage import (
    COMPLAINT,
    _domain_rules,
    _domain_space,
    domain_coverage,
    reaches_outcome,
)
from engine.logic import FactValue, show_value
from engine.symbolic import Unsupported
from engine.verify import load_for_check

KINDS = ("yesno", "yesno", "choice", "number")
OPTIONS = ("red", "green", "blue")


def _leaf(rng: random.Random, questions: list[dict[str, Any]], facts: int) -> dict[str, Any]:
    if facts and rng.random() < 0.25:
        return {"fact": f"f{rng.randrange(facts)}", "equals": True}
    q = rng.choice(questions)
    if q["type"] == "yesno":
        return {"question": q["id"], "equals": rng.random() < 0.5}
    if q["type"] == "choice":
        if rng.random() < 0.5:
            return {"question": q["id"], "equals": rng.choice(OPTIONS)}
        return {"question": q["id"], "one_of": sorted(rng.sample(OPTIONS, 2))}
    low = rng.randrange(0, 8)
    pick = rng.random()
    if pick < 0.33:
        return {"question": q["id"], "less_than": low}
    if pick < 0.66:
        return {"question": q["id"], "greater_than": low}
    return {"question": q["id"], "between": [low, low + 3]}


def _condition(rng: random.Random, questions: list[dict[str, Any]], facts: int) -> Any:
    parts = [_leaf(rng, questions, facts) for _ in range(rng.choice((1, 1, 2, 3)))]
    if rng.random() < 0.2:
        parts[-1] = {"not": parts[-1]}
    if len(parts) == 1:
        return parts[0]
    return {rng.choice(("all", "all", "any")): parts}


def random_pack(rng: random.Random) -> dict[str, Any]:
    """A small pack using every feature that decides an outcome: priorities, stop,
    fallback, negative certainty, escalation and chained derived facts."""
    questions: list[dict[str, Any]] = []
    for i in range(rng.randrange(2, 6)):
        kind = rng.choice(KINDS)
        q: dict[str, Any] = {"id": f"q{i}", "text": f"Question {i}?", "type": kind}
        if kind == "choice":
            q["options"] = [{"value": o, "text": o} for o in OPTIONS]
        elif kind == "number":
            q.update(min=0, max=10)
        questions.append(q)
    facts = rng.randrange(0, 3)
    rules: list[dict[str, Any]] = []
    for f in range(facts):
        when = _condition(rng, questions, f)  # fact f uses only facts before it: no cycle
        rules.append(
            {"id": f"derive_f{f}", "when": when, "then": [{"derive": f"f{f}", "value": True}]}
        )
    for n in range(rng.randrange(1, 8)):
        rule: dict[str, Any] = {
            "id": f"r{n}",
            "priority": rng.choice((0, 10, 20)),
            "when": _condition(rng, questions, facts),
        }
        if rng.random() < 0.15:
            rule["then"] = [{"escalate": 2, "reason": "needs Line 2"}]
        else:
            cf = rng.choice((0.5, 0.8, -0.3, -0.6))
            rule["then"] = [{"conclude": f"x{rng.randrange(3)}", "certainty": cf}]
        if rng.random() < 0.2:
            rule["stop"] = True
        elif rng.random() < 0.15:
            rule["fallback"] = True
        rules.append(rule)
    return {
        "id": "demo-random",
        "version": "1.0.0",
        "line": 1,
        "title": "Random",
        "symptoms": [{"id": "trouble", "title": "Trouble"}],
        "questions": questions,
        "facts": [{"id": f"f{f}", "text": f"Fact {f}", "type": "yesno"} for f in range(facts)],
        "faults": [
            {"id": f"x{x}", "title": f"Fault {x}", "fix": ["Fix it."], "line": 1, "prior": 0.1}
            for x in range(3)
        ],
        "rules": rules,
    }


def _matches(
    answers: dict[str, FactValue], shown: dict[str, Any], alike: dict[str, Any] | None = None
) -> bool:
    """The answers agree with the set (with `alike`: up to values no rule tells apart)."""
    for key, value in shown.items():
        if key not in answers:
            return False
        if alike is None or key not in alike:
            if show_value(answers[key]) != value:
                return False
        elif alike[key](answers[key]) != alike[key](value):
            return False
    return True


def _split_only(*_: object) -> None:
    raise Unsupported("the region split, for the test")


@pytest.mark.parametrize("method", ["diagram", "split"])
@settings(max_examples=80, deadline=None)
@given(rng=st.randoms(use_true_random=False))
def test_regions_count_exactly_what_brute_force_finds(method: str, rng: random.Random) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_text(yaml.safe_dump(random_pack(rng), sort_keys=False), encoding="utf-8")
        kb = load_for_check([path])
    compiled = compile_knowledge(kb, name="BruteForce")
    space, keys = _domain_space(compiled, "demo-random", "trouble")
    rules = _domain_rules(compiled, "demo-random")
    gaps: list[dict[str, FactValue]] = []
    for combo in itertools.product(*(space[k].values for k in keys)):
        known: dict[str, FactValue] = {COMPLAINT: "trouble", **dict(zip(keys, combo, strict=True))}
        if not reaches_outcome(compiled, rules, known):
            gaps.append(known)
    with pytest.MonkeyPatch.context() as patch:
        if method == "split":
            patch.setattr(engine.coverage, "outcome_diagram", _split_only)
        exact = domain_coverage(compiled, "demo-random", "trouble")
    assert exact.method == method
    assert exact.gaps == len(gaps)
    assert exact.total == exact.checked
    assert exact.gap_sets == len(exact.examples)
    # every gap combination lies in some reported set (a set shows one value for all the
    # values no comparison tells apart), and every set holds only gaps
    alike = {k: _signature(compiled, rules, k, space[k].values) for k in keys}
    assert all(any(_matches(g, s, alike) for s in exact.examples) for g in gaps)
    for shown in exact.examples:
        inside = [
            g
            for g in (
                {COMPLAINT: "trouble", **dict(zip(keys, c, strict=True))}
                for c in itertools.product(*(space[k].values for k in keys))
            )
            if _matches(g, shown)
        ]
        assert inside and all(not reaches_outcome(compiled, rules, g) for g in inside)


def _signature(compiled: Any, rules: Any, key: str, values: Any) -> Any:
    """What every comparison on the key says of a value (given raw or as shown)."""
    leaves = [leaf for r in rules for leaf in r.leaves() if leaf.key == key]
    raw = {show_value(v): v for v in values}

    def sign(value: Any) -> tuple[bool, ...]:
        value = raw.get(value, value) if isinstance(value, str) else value
        return tuple(leaf.test(value) for leaf in leaves)

    return sign
