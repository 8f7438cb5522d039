"""What a case knows, carried from line to line: every fact with its provenance, the
faults ruled out (with the reason), every question asked, the messages already said."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.facts import FactSet, KnownFact
from engine.logic import FactValue, show_value
from rules.errors import InvalidInput
from rules.knowledge import KnowledgeBase


@dataclass(frozen=True)
class Asked:
    """One question asked and its answer (UNKNOWN when the customer could not tell)."""

    question: str
    value: FactValue
    line: int
    at: str
    cost: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "value": show_value(self.value),
            "line": self.line,
            "at": self.at,
            "cost": self.cost,
        }


@dataclass
class Record:
    """What a case knows, carried from line to line."""

    facts: FactSet = field(default_factory=FactSet)
    ruled_out: dict[str, str] = field(default_factory=dict)  # fault -> reason
    asked: list[Asked] = field(default_factory=list)
    said: set[str] = field(default_factory=set)  # messages shown ('pack/rule#index')
    times: dict[str, int] = field(default_factory=dict)  # question -> answers given (repeats)

    def add_answer(self, asked: Asked, by: str = "") -> None:
        self.facts.put(KnownFact(asked.question, asked.value, "answer", by, asked.at))
        self.asked = [a for a in self.asked if a.question != asked.question] + [asked]
        self.times[asked.question] = self.times.get(asked.question, 0) + 1

    def last(self, line: int) -> Asked:
        """The last answer given on `line` (what `undo` would forget)."""
        mine = [a for a in self.asked if a.line == line]
        if not mine:
            raise NothingToUndo(
                f"no answer to take back on Line {line}",
                hint="answers given on an earlier line are part of the handoff",
            )
        return mine[-1]

    def undo(self, line: int) -> Asked:
        """Forget the last answer given on `line`."""
        last = self.last(line)
        self.asked.remove(last)
        self.facts.remove(last.question)
        self.times[last.question] = max(self.times.get(last.question, 1) - 1, 0)
        return last

    def rule_out(self, fault_id: str, reason: str) -> None:
        self.ruled_out[fault_id] = reason

    def fix_outcome(
        self, kb: KnowledgeBase, fault_id: str, outcome: str, *, by: str = "", at: str = ""
    ) -> None:
        """Set the facts that hold the outcome of this fault's fix (`fix_of`), if any."""
        for decl in kb.facts.values():
            if decl.fix_of == fault_id:
                self.facts.put(KnownFact(decl.id, outcome, "fix", by, at))

    def minutes(self, line: int | None = None) -> float:
        return sum(a.cost for a in self.asked if line is None or a.line == line)


class NothingToUndo(InvalidInput):
    """`back` with no answer on this line."""
