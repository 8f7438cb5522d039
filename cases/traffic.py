"""Stored cases as diagnoses, for drawing: one case's path, or the traffic of many.

Each case is replayed from its events (cases.desk.replay) and diagnosed on the drawn
line's knowledge, so the overlay shows what that knowledge makes of the case's facts.
"""

from __future__ import annotations

from collections.abc import Iterable

from cases.recorded import replay
from cases.store import CaseStore
from engine.compile import CompiledKnowledge
from engine.diagnose import diagnose
from engine.result import Diagnosis


def case_diagnosis(
    store: CaseStore, case_id: str, compiled: CompiledKnowledge, line: int
) -> Diagnosis:
    """The diagnosis of one stored case's facts (an unknown id raises the store's error)."""
    case = store.load(case_id)
    record, _ = replay(case)
    return diagnose(compiled, record.facts, line=line, ruled_out=record.ruled_out)


def stored_diagnoses(
    store: CaseStore, compiled: CompiledKnowledge, line: int, case_ids: Iterable[str] | None = None
) -> list[Diagnosis]:
    """Every stored case (or these), diagnosed; in case id order."""
    ids = sorted(case_ids) if case_ids is not None else sorted(c.id for c in store.list_cases())
    return [case_diagnosis(store, case_id, compiled, line) for case_id in ids]
