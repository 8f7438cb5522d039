"""A case store in memory: the `CaseStore` interface without a disk, for bulk work.

The simulator works cases through the real desk and session against this store,
then writes the finished cases to SQLite in one transaction (`import_cases`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cases.case_filter import CaseFilter
from cases.model import Case, CaseMovedOn, CaseSummary, Event, opening_event
from cases.store import case_id, normalise_id
from rules.errors import UnknownIdError


@dataclass
class _Stored:
    opened_at: str
    intake: dict[str, Any]
    events: list[Event] = field(default_factory=list)


class MemoryStore:
    """Cases kept in a dict; same behaviour as the SQLite store for one process."""

    def __init__(self) -> None:
        self.location = ":memory:"
        self._cases: dict[str, _Stored] = {}

    def create(
        self,
        intake: dict[str, Any],
        at: str,
        *,
        agent: str | None = None,
        channel: str | None = None,
    ) -> str:
        ident = case_id(len(self._cases) + 1)
        opened = opening_event(intake, at, agent=agent, channel=channel)
        self._cases[ident] = _Stored(at, dict(intake), [opened])
        return ident

    def _get(self, ident: str) -> _Stored:
        stored = self._cases.get(normalise_id(ident))
        if stored is None:
            raise UnknownIdError(f"unknown case '{ident}'")
        return stored

    def append(self, case_id: str, event: Event, *, after: int | None = None) -> Event:
        stored = self._get(case_id)
        if after is not None and len(stored.events) != after:
            raise CaseMovedOn(f"case {case_id} has moved on", hint="reload the case")
        event = event.model_copy(update={"seq": len(stored.events) + 1})
        stored.events.append(event)
        return event

    def load(self, case_id: str) -> Case:
        stored = self._get(case_id)
        return Case(
            id=normalise_id(case_id),
            opened_at=stored.opened_at,
            intake=stored.intake,
            events=list(stored.events),
        )

    def list_cases(
        self, limit: int | None = None, where: CaseFilter | None = None
    ) -> list[CaseSummary]:
        found = [self.load(i) for i in sorted(self._cases, reverse=True)]
        return [c.summary() for c in found if where is None or where.matches(c)][:limit]

    def backdate(self, case_id: str, at: str) -> None:
        """Move a case's opening earlier (the simulator: the ticket came in before Line 1
        picked it up, which the desk does at once)."""
        stored = self._get(case_id)
        stored.opened_at = at
        stored.events[0] = stored.events[0].model_copy(update={"at": at})

    def exported(self) -> list[tuple[dict[str, Any], list[Event]]]:
        """Every case as (intake, events), in creation order, for `import_cases`."""
        return [(s.intake, list(s.events)) for _, s in sorted(self._cases.items())]

    def close(self) -> None:
        self._cases.clear()
