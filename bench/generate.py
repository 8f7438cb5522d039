"""A seeded generator of synthetic knowledge in linewise's own pack format, with cases.

The knowledge looks like Line 1 diagnostics at scale: one pack per domain (a
symptom, 30 questions, 4 derived facts, 10 faults, about 50 rules), as many
domains as it takes to reach R rules. Rules mix every comparison of the pack
language (yes/no, choice, one-of, number ranges, negation, any/all), chain
through derived facts, and use priorities, `stop`, `fallback` and escalation.

A case answers every question of one domain (about 30 answers, a few of them
"unknown") plus the intake, like a complete guided session would. The same seed
gives the same packs and cases, byte for byte.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

RULES_PER_PACK = 50
QUESTIONS = 30  # per domain: 18 yes/no, 6 choice, 6 number
FACTS = 4
FAULTS = 10
CHOICES = ("alpha", "beta", "gamma", "delta")
SIZES = (100, 1_000, 5_000, 20_000)


@dataclass(frozen=True)
class Generated:
    """Where one generated knowledge base and its cases were written."""

    rules: int
    packs_dir: Path
    cases_dir: Path
    cases: list[Path]


def _qtype(i: int) -> str:
    return "yesno" if i < 18 else "choice" if i < 24 else "number"


def _question(dom: str, i: int) -> dict[str, Any]:
    q: dict[str, Any] = {"id": f"{dom}_q{i:02d}", "text": f"Question {i} of {dom}?"}
    q["type"] = _qtype(i)
    if q["type"] == "choice":
        q["options"] = [{"value": c, "text": c.title()} for c in CHOICES]
    elif q["type"] == "number":
        q.update(unit="s", min=0, max=100)
    q["cost"] = 1 + i % 5
    return q


def _comparison(rng: random.Random, dom: str, i: int) -> dict[str, Any]:
    """One comparison on question i of the domain, of a kind fitting its type."""
    qid = f"{dom}_q{i:02d}"
    kind = _qtype(i)
    if kind == "yesno":
        return {"question": qid, "equals": rng.random() < 0.5}
    if kind == "choice":
        if rng.random() < 0.5:
            return {"question": qid, "equals": rng.choice(CHOICES)}
        return {"question": qid, "one_of": sorted(rng.sample(CHOICES, 2))}
    low = rng.randrange(0, 80)
    pick = rng.random()
    if pick < 0.33:
        return {"question": qid, "less_than": low + 20}
    if pick < 0.66:
        return {"question": qid, "greater_than": low}
    return {"question": qid, "between": [low, low + 40]}


def _condition(rng: random.Random, dom: str, facts: int) -> dict[str, Any]:
    """A small condition tree: 1-3 comparisons under all/any, sometimes a not or a fact."""
    size = rng.choice((1, 2, 2, 3))
    picked = rng.sample(range(QUESTIONS), size)
    parts: list[dict[str, Any]] = [_comparison(rng, dom, i) for i in picked]
    if facts and rng.random() < 0.3:
        parts[0] = {"fact": f"{dom}_f{rng.randrange(facts)}", "equals": True}
    if size > 1 and rng.random() < 0.2:
        parts[-1] = {"not": parts[-1]}
    if size == 1:
        return parts[0]
    return {"any" if rng.random() < 0.15 else "all": parts}


def _rules(rng: random.Random, dom: str, count: int) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for f in range(FACTS):
        # fact f is derived from questions (and from fact f-1: a chain, never a cycle)
        when = _condition(rng, dom, 0)
        if f and rng.random() < 0.5:
            when = {"all": [{"fact": f"{dom}_f{f - 1}", "equals": True}, when]}
        rules.append(
            {"id": f"derive_f{f}", "when": when, "then": [{"derive": f"{dom}_f{f}", "value": True}]}
        )
    rules.append(
        {
            "id": "fallback",
            "fallback": True,
            "when": {"question": f"{dom}_q00", "equals": True},
            "then": [{"escalate": 2, "reason": "nothing matched in " + dom}],
        }
    )
    n = len(rules)
    while len(rules) < count:
        rule: dict[str, Any] = {
            "id": f"r{n:03d}",
            "priority": rng.randrange(0, 11) * 10,
            "when": _condition(rng, dom, FACTS),
        }
        if rng.random() < 0.05:
            rule["then"] = [{"escalate": 2, "reason": f"rule {n} needs Line 2"}]
        else:
            cf = rng.choice((0.4, 0.5, 0.6, 0.7, 0.8, 0.9, -0.3))
            rule["then"] = [{"conclude": f"{dom}_x{rng.randrange(FAULTS)}", "certainty": cf}]
        if rng.random() < 0.05:
            rule["stop"] = True
        rules.append(rule)
        n += 1
    return rules[:count]


def pack(rng: random.Random, number: int, rules: int) -> dict[str, Any]:
    """Domain `number` as a pack mapping with `rules` rules."""
    dom = f"d{number:04d}"
    return {
        "id": f"bench-{dom}",
        "version": "1.0.0",
        "line": 1,
        "title": f"Synthetic domain {number}",
        "status": "published",
        "symptoms": [{"id": f"{dom}_symptom", "title": f"Symptom of {dom}"}],
        "questions": [_question(dom, i) for i in range(QUESTIONS)],
        "facts": [
            {"id": f"{dom}_f{f}", "text": f"Fact {f}", "type": "yesno"} for f in range(FACTS)
        ],
        "faults": [
            {
                "id": f"{dom}_x{x}",
                "title": f"Fault {x} of {dom}",
                "fix": [f"Apply fix {x}."],
                "line": 1 if x < 8 else 2,
                "prior": round(0.05 + 0.05 * (x % 5), 2),
            }
            for x in range(FAULTS)
        ],
        "rules": _rules(rng, dom, rules),
    }


def _answer(rng: random.Random, i: int) -> Any:
    if rng.random() < 0.05:
        return "unknown"
    kind = _qtype(i)
    if kind == "yesno":
        return rng.random() < 0.5
    if kind == "choice":
        return rng.choice(CHOICES)
    return rng.randrange(0, 101)


def case(rng: random.Random, number: int, domains: int) -> dict[str, Any]:
    """A complete case on one random domain: the intake and every question answered."""
    dom = f"d{rng.randrange(domains):04d}"
    return {
        "id": f"case-{number:04d}",
        "line": 1,
        "intake": {
            "service_form": rng.choice(("warranty", "paid", "premium")),
            "channel": rng.choice(("phone", "email", "chat")),
            "complaint": f"{dom}_symptom",
        },
        "answers": {f"{dom}_q{i:02d}": _answer(rng, i) for i in range(QUESTIONS)},
    }


def generate(rules: int, out: Path, cases: int = 30, seed: int = 6) -> Generated:
    """Write R rules as packs under out/R<rules>/packs and the cases under .../cases."""
    rng = random.Random(f"{seed}-{rules}")
    root = out / f"R{rules}"
    packs_dir, cases_dir = root / "packs", root / "cases"
    for folder in (packs_dir, cases_dir):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.yaml"):
            old.unlink()
    domains = max(1, rules // RULES_PER_PACK)
    for d in range(domains):
        count = RULES_PER_PACK if d < domains - 1 else rules - RULES_PER_PACK * (domains - 1)
        _dump(packs_dir / f"bench-d{d:04d}.yaml", pack(rng, d, count))
    written = []
    for c in range(cases):
        path = cases_dir / f"case-{c:04d}.yaml"
        _dump(path, case(rng, c, domains))
        written.append(path)
    return Generated(rules, packs_dir, cases_dir, written)


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
