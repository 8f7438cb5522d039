"""Known facts with their provenance: answers, intake fields and derived facts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from engine.logic import UNKNOWN, FactValue, show_value
from rules.errors import InvalidInput, UnknownIdError, did_you_mean
from rules.intake import INTAKE_FIELDS
from rules.knowledge import INTAKE_PREFIX, KnowledgeBase
from rules.values import UNKNOWN_WORDS, BadValue, parse_value

Source = Literal["answer", "intake", "derived", "fix"]  # fix: a fix outcome (fix_of)


class AnswerError(InvalidInput):
    """An answer that does not fit its question."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class KnownFact:
    """One fact and where it came from."""

    key: str
    value: FactValue
    source: Source
    by: str = ""
    at: str = ""

    def as_dict(self) -> dict[str, Any]:
        value: Any = "unknown" if self.value is UNKNOWN else self.value
        return {
            "key": self.key,
            "value": value,
            "source": self.source,
            "by": self.by,
            "at": self.at,
        }


@dataclass(frozen=True)
class FixTried:
    """A fix tried in given answers (answer files, golden cases, the API): its outcome,
    and the line it was tried on (None: the line the diagnosis runs on)."""

    outcome: str  # worked | failed
    line: int | None = None

    def here(self, line: int) -> bool:
        """Tried on `line`: a failure there is the guided session's "no" on that line."""
        return self.line is None or self.line == line


@dataclass
class FactSet:
    """The facts of one case, keyed by fact key; the insertion order is the answer order.

    `fixes` holds the fixes given answers say were tried (fault -> outcome, in order); a
    guided session keeps its own in the case record instead.
    """

    facts: dict[str, KnownFact] = field(default_factory=dict)
    fixes: dict[str, FixTried] = field(default_factory=dict)

    def __contains__(self, key: object) -> bool:
        return key in self.facts

    def __iter__(self) -> Iterator[KnownFact]:
        return iter(self.facts.values())

    def __len__(self) -> int:
        return len(self.facts)

    def get(self, key: str) -> KnownFact | None:
        return self.facts.get(key)

    def values(self) -> dict[str, FactValue]:
        return {k: f.value for k, f in self.facts.items()}

    def put(self, fact: KnownFact) -> None:
        self.facts[fact.key] = fact

    def remove(self, key: str) -> None:
        self.facts.pop(key, None)

    def copy(self) -> FactSet:
        return FactSet(dict(self.facts), dict(self.fixes))

    def failed_here(self, line: int) -> list[str]:
        """Faults whose given fix failed on `line`, in the order given."""
        return [f for f, t in self.fixes.items() if t.outcome == "failed" and t.here(line)]

    def answer(
        self, kb: KnowledgeBase, question_id: str, raw: Any, *, by: str = "agent", at: str = ""
    ) -> KnownFact:
        """Validate and record an answer; 'unknown' records that the customer cannot tell."""
        kb.question(question_id)
        value = parse_answer(kb, question_id, raw)
        fact = KnownFact(question_id, value, "answer", by, at or now())
        self.put(fact)
        return fact

    def intake(self, kb: KnowledgeBase, field_id: str, raw: Any, *, at: str = "") -> KnownFact:
        """Validate and record one intake field."""
        if field_id not in INTAKE_FIELDS:
            raise UnknownIdError(
                f"unknown intake field '{field_id}'",
                hint=did_you_mean(field_id, INTAKE_FIELDS.keys())
                or "fields: " + ", ".join(INTAKE_FIELDS),
            )
        if field_id == "complaint":
            _known_complaint(kb, raw)
        value = parse_answer(kb, INTAKE_PREFIX + field_id, raw)
        fact = KnownFact(INTAKE_PREFIX + field_id, value, "intake", "intake", at or now())
        self.put(fact)
        return fact

    def with_derived(self, derived: Mapping[str, tuple[FactValue, str]]) -> FactSet:
        out = self.copy()
        for key, (value, rule) in derived.items():
            if key not in out:
                out.put(KnownFact(key, value, "derived", rule))
        return out

    def canonical(self) -> list[tuple[str, FactValue]]:
        """Facts in key order (answer order must never change a result)."""
        return sorted(((k, f.value) for k, f in self.facts.items()), key=lambda kv: kv[0])

    def restamped(self, at: str) -> FactSet:
        return FactSet({k: replace(f, at=at) for k, f in self.facts.items()}, dict(self.fixes))


def _known_complaint(kb: KnowledgeBase, raw: Any) -> None:
    """A complaint is a symptom id: one the packs do not declare is an unknown id."""
    if not isinstance(raw, str) or raw.strip().lower() in UNKNOWN_WORDS:
        return  # a wrong type or 'unknown' is a bad value, said by parse_answer
    name = raw.strip()
    if name not in kb.symptoms:
        raise UnknownIdError(
            f"unknown complaint '{name}'",
            hint=did_you_mean(name, kb.symptoms) or "complaints: " + ", ".join(sorted(kb.symptoms)),
        )


def parse_answer(kb: KnowledgeBase, key: str, raw: Any) -> FactValue:
    """The canonical value of an answer for `key`, or an AnswerError saying what would fit."""
    spec = kb.spec(key)
    if spec is None:
        raise UnknownIdError(
            f"unknown question '{key}'", hint=did_you_mean(key, list(kb.questions))
        )
    if isinstance(raw, str) and raw.strip().lower() in UNKNOWN_WORDS:
        return UNKNOWN
    try:
        return parse_value(raw, spec)
    except BadValue as err:
        raise AnswerError(err.message, hint=err.hint) from err


def shown(fact: KnownFact) -> str:
    return show_value(fact.value)
