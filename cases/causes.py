"""The true causes of a simulated history (cases.simulate): the known faults, each with
its golden case's answers, and causes the packs do not know; with an optional seeded drift
of the true frequencies away from the packs' priors (for bench/learning.py).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cases.golden import golden_files, load_golden
from rules.knowledge import KnowledgeBase
from rules.schema import Question

UNKNOWN_SHARE = 0.1  # causes the packs do not know
# typical faults (the ones Line 1 can fix) are the common ones; a pack's priors rank
# faults within the pack, these rank them across lines
LINE_WEIGHT = {1: 1.0, 2: 0.3, 3: 0.15, 4: 0.15}
HIDDEN_PER_COMPLAINT = 2


@dataclass(frozen=True)
class Cause:
    """A true cause: a known fault (answers from its golden case) or a hidden one."""

    id: str  # fault id, or 'hidden:<complaint>:<n>'
    complaint: str
    weight: float
    answers: tuple[tuple[str, Any], ...]
    known: bool


def random_value(question: Question, rng: random.Random) -> Any:
    if question.type == "yesno":
        return rng.choice([True, False])
    if question.type == "choice" and question.options:
        return rng.choice(question.options).value
    if question.type == "number":
        low = question.min if question.min is not None else 0.0
        high = question.max if question.max is not None else max(low + 100.0, 100.0)
        return round(rng.uniform(low, high), 1)
    return "nothing unusual"


def causes(
    kb: KnowledgeBase, golden_paths: list[Path], seed: int, drift: float = 0.0
) -> list[Cause]:
    """The known causes (one per golden case with an expected fault) and hidden ones.

    `drift` moves the true frequencies away from the packs' priors: each known fault's
    weight is multiplied by exp(drift x a standard normal draw, seeded per fault), then
    the complaint's known causes are scaled back to their total (0: the priors as they
    are). It draws from its own random stream, so the rest of the history is unchanged."""
    rng = random.Random(f"{seed}:causes")
    found: list[Cause] = []
    entry_points = kb.for_line(1).symptoms  # every case starts at Line 1
    for path in golden_files(golden_paths or None):
        golden = load_golden(path)
        fault, complaint = golden.expect.fault, golden.case.intake.get("complaint")
        if fault is None or complaint not in entry_points or fault not in kb.faults:
            continue
        answers = tuple(sorted(golden.case.answers.items()))
        weight = kb.faults[fault].likelihood * LINE_WEIGHT.get(kb.faults[fault].line, 0.15)
        found.append(Cause(fault, str(complaint), weight, answers, True))
    by_complaint: dict[str, list[Cause]] = {}
    for cause in found:
        by_complaint.setdefault(cause.complaint, []).append(cause)
    hidden: list[Cause] = []
    for complaint, known in sorted(by_complaint.items()):
        popularity = rng.uniform(0.5, 1.5)
        drifted = [c.weight * drift_factor(seed, drift, c.id) for c in known]
        total = sum(drifted)
        scaled = [
            Cause(c.id, c.complaint, w / total * popularity, c.answers, True)
            for c, w in zip(known, drifted, strict=True)
        ]
        hidden.extend(scaled)
        asked = sorted({q for c in known for q, _ in c.answers})
        for n in range(HIDDEN_PER_COMPLAINT):
            base = dict(rng.choice(known).answers)
            for qid in rng.sample(asked, k=min(len(asked), 2)):
                base[qid] = random_value(kb.questions[qid], rng)
            share = popularity * UNKNOWN_SHARE / (1 - UNKNOWN_SHARE) / HIDDEN_PER_COMPLAINT
            hidden.append(
                Cause(
                    f"hidden:{complaint}:{n + 1}",
                    complaint,
                    share,
                    tuple(sorted(base.items())),
                    False,
                )
            )
    return hidden


def drift_factor(seed: int, drift: float, fault_id: str) -> float:
    """A fault's seeded drift factor (1 without drift)."""
    if not drift:
        return 1.0
    return math.exp(drift * random.Random(f"{seed}:drift:{fault_id}").gauss(0.0, 1.0))


def true_shares(pool: list[Cause]) -> dict[str, dict[str, float]]:
    """Per complaint, each known fault's share of the known causes (the truth `learn`
    estimates: it sees only causes a working fix confirmed)."""
    out: dict[str, dict[str, float]] = {}
    for cause in pool:
        if cause.known:
            shares = out.setdefault(cause.complaint, {})
            shares[cause.id] = shares.get(cause.id, 0.0) + cause.weight
    for shares in out.values():
        total = sum(shares.values())
        for fault_id in shares:
            shares[fault_id] /= total
    return out
