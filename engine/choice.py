"""A chosen question and its WHY, as data: the hypotheses it decides between, its score,
and why it beats the runner-up. Produced by engine.select; read by the session, the
CLI and the graph renderer (the guided view)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Literal

EPSILON = 1e-9
SEP = "|"  # a fault hypothesis is one way to conclude it: 'fault|pack/rule'


def group(hypothesis: str) -> str:
    """The fault (or escalation, or 'other') a hypothesis belongs to."""
    return hypothesis.split(SEP, 1)[0]


HypothesisKind = Literal["fault", "escalation", "other"]


@dataclass(frozen=True)
class Hypothesis:
    """One outcome the remaining questions decide between, with its probability now."""

    id: str  # fault id, 'escalate:<pack/rule>' or 'other'
    kind: HypothesisKind
    probability: float
    rules: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "probability": round(self.probability, 4),
            "rules": list(self.rules),
        }


@dataclass(frozen=True)
class Scored:
    """One candidate question with its score and what each answer would leave possible."""

    question: str
    gain: float  # expected information gain, bits
    cost: float  # minutes
    order: int | None
    rules: tuple[str, ...]  # possible rules the question feeds
    decides: tuple[str, ...]  # hypotheses some answer rules out
    rules_out: tuple[tuple[str, frozenset[str]], ...]  # (answer value, hypotheses it rules out)
    rank: int  # declared position (packs' order)
    resolve: float = 0.0  # chance that the answer makes a fault firm
    possible: tuple[str, ...] = field(default=(), repr=False, compare=False)  # hypotheses now
    together: tuple[str, ...] = ()  # look-ahead: the questions weighed with this one

    @functools.cached_property
    def splits(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(answer value, the faults/escalations it keeps possible), worked out when shown."""
        return tuple(
            (value, tuple(sorted({group(h) for h in self.possible if h not in removed})))
            for value, removed in self.rules_out
        )

    @property
    def score(self) -> float:
        return (self.gain + self.resolve) / self.cost

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "gain": round(self.gain, 4),
            "cost": self.cost,
            "resolve": round(self.resolve, 4),
            "score": round(self.score, 4),
            "order": self.order,
            "rules": list(self.rules),
            "decides": list(self.decides),
            "splits": {value: list(kept) for value, kept in self.splits},
            "together": list(self.together),
        }


@dataclass(frozen=True)
class Choice:
    """The question to ask next, with its WHY: what it decides and why it beats the rest."""

    question: str
    reason: Literal["order", "gain", "lookahead"]
    best: Scored
    runner_up: Scored | None
    candidates: tuple[Scored, ...]  # ranked, best first
    hypotheses: tuple[Hypothesis, ...]
    entropy: float  # bits, over the hypotheses
    escalation_rate: float  # bits per minute escalation buys; 0 when there is no higher line
    worthwhile: bool  # False: escalating is the better buy (or no answer changes anything)
    step_of: tuple[str, str] | None = None  # (question, answer) whose `next:` link leads here

    @property
    def score(self) -> float:
        return self.best.score

    @property
    def rules(self) -> tuple[str, ...]:
        return self.best.rules

    @property
    def faults(self) -> tuple[str, ...]:
        kinds = {h.id: h.kind for h in self.hypotheses}
        return tuple(h for h in self.best.decides if kinds.get(h) == "fault")

    def beats(self) -> str:
        """One sentence: why this question and not the runner-up."""
        best, other = self.best, self.runner_up
        if self.reason == "order" and self.step_of is not None:
            question, answer = self.step_of
            return f"the procedure says so: after answer {answer} to {question}, ask this"
        if self.reason == "order" and best.order is not None:
            return f"the packs fix the procedure order: {best.question} has order {best.order}"
        if self.reason == "order":
            return "it comes first in the packs' declared order"
        if self.reason == "lookahead":
            return (
                f"alone no answer changes anything, but together with "
                f"{', '.join(best.together)} it can settle a rule: score {best.score:.3f}/min "
                f"({best.gain:.3f} bits, {best.resolve:.0%} chance to settle a fault, "
                f"{best.cost:g} min for the group)"
            )
        if other is None:
            return "it is the only question that still matters"
        if best.score > other.score + EPSILON:
            return (
                f"it separates the hypotheses best for its cost: score {best.score:.3f}/min "
                f"({best.gain:.3f} bits, {best.resolve:.0%} chance to settle a fault, "
                f"{best.cost:g} min) against {other.score:.3f} for {other.question}"
            )
        if best.cost < other.cost:
            return f"same gain per minute as {other.question}, and it is quicker to ask"
        return f"same gain per minute and cost as {other.question}; it comes first in the packs"

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "reason": self.reason,
            "because": self.beats(),
            "score": round(self.best.score, 4),
            "gain": round(self.best.gain, 4),
            "cost": self.best.cost,
            "faults": list(self.faults),
            "decides": list(self.best.decides),
            "rules": list(self.best.rules),
            "together": list(self.best.together),
            "splits": {value: list(kept) for value, kept in self.best.splits},
            "runner_up": self.runner_up.as_dict() if self.runner_up else None,
            "hypotheses": [h.as_dict() for h in self.hypotheses],
            "entropy": round(self.entropy, 4),
            "escalation_rate": round(self.escalation_rate, 4),
            "worthwhile": self.worthwhile,
            "step_of": list(self.step_of) if self.step_of is not None else None,
        }
