"""What a case's events record, read back without a knowledge base: the session's record
(answers, what was ruled out), and the agents' notes (on failed fixes, on escalations)."""

from __future__ import annotations

from typing import Any

from cases.model import Case
from engine.facts import FactSet, KnownFact
from engine.handoff import Note
from engine.logic import UNKNOWN, FactValue
from engine.session import Asked, Record
from rules.knowledge import INTAKE_PREFIX


def json_value(value: FactValue) -> Any:
    return None if value is UNKNOWN else value


def replay(case: Case) -> tuple[Record, list[str]]:
    """Rebuild what a case knows from its events: the record, and the faults ruled out on
    the current line (for the escalation reason). No knowledge base is needed."""
    record = Record(FactSet())
    for key, value in case.intake.items():
        record.facts.put(KnownFact(INTAKE_PREFIX + key, value, "intake", "intake", case.opened_at))
    ruled_here: list[str] = []
    for event in case.events:
        if event.kind == "session_started":
            ruled_here = []
        elif event.kind in ("answer", "unknown") and event.question is not None:
            answer: FactValue = UNKNOWN if event.kind == "unknown" else _scalar(event.value)
            asked = Asked(event.question, answer, event.line, event.at, event.cost or 0.0)
            record.add_answer(asked, by=str(event.data.get("by", f"Line {event.line} agent")))
        elif event.kind == "back":
            record.undo(event.line)
        elif event.kind == "said" and "key" in event.data:
            record.said.add(str(event.data["key"]))
        elif event.kind == "fix_failed" and event.fault is not None:
            record.rule_out(event.fault, event.reason or "its fix did not work")
            ruled_here.append(event.fault)
    return record, ruled_here


def _scalar(value: Any) -> FactValue:
    if value is None:
        return UNKNOWN
    return value  # type: ignore[no-any-return]


def case_notes(case: Case) -> list[Note]:
    """The agents' notes in a case so far: on failed fixes and on escalations."""
    notes: list[Note] = []
    for event in case.events:
        text = str(event.data.get("note", "")).strip()
        if not text:
            continue
        if event.kind == "fix_failed":
            notes.append(
                Note(line=event.line, at=event.at, about="fix_failed", text=text, fault=event.fault)
            )
        elif event.kind in ("escalated", "unresolved"):
            notes.append(Note(line=event.line, at=event.at, about="escalation", text=text))
    return notes
