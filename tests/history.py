"""Hand-built case histories for metric and gap tests: every timestamp and event chosen."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cases.model import Event
from cases.store import open_store

DAY = datetime(2026, 3, 2, 9, 0)  # a Monday


class Builder:
    """Events of one case, stamped at minutes after its opening."""

    def __init__(self, intake: dict[str, Any], opened: datetime = DAY) -> None:
        self.intake = intake
        self.opened = opened
        self.events: list[Event] = [self._event(0, 1, "opened", data={"intake": intake})]

    def _event(self, minutes: float, line: int, kind: str, **fields: Any) -> Event:
        at = (self.opened + timedelta(minutes=minutes)).isoformat(timespec="seconds")
        return Event(at=at + "+00:00", line=line, kind=kind, **fields)  # type: ignore[arg-type]

    def add(self, minutes: float, line: int, kind: str, **fields: Any) -> Builder:
        self.events.append(self._event(minutes, line, kind, **fields))
        return self

    def start(self, minutes: float, line: int) -> Builder:
        return self.add(
            minutes, line, "session_started", data={"packs": {"network-wired": "1.0.0"}}
        )

    def answer(self, minutes: float, line: int, question: str, value: Any) -> Builder:
        if value == "unknown":
            return self.add(minutes, line, "unknown", question=question, cost=1.0)
        return self.add(minutes, line, "answer", question=question, value=value, cost=1.0)

    def escalate(
        self,
        minutes: float,
        line: int,
        to_line: int,
        kind: str,
        *,
        fault: str | None = None,
        fallback: bool = False,
        final: bool = False,
    ) -> Builder:
        esc = {"to_line": to_line, "kind": kind, "reason": kind, "rule": None, "fallback": fallback}
        return self.add(
            minutes,
            line,
            "unresolved" if final else "escalated",
            fault=fault,
            reason=kind,
            data={"handoff": {"to_line": to_line, "escalation": esc}},
        )

    def case(self) -> tuple[dict[str, Any], list[Event]]:
        return self.intake, self.events


def write_store(path: Path, cases: list[Builder]) -> list[str]:
    store = open_store(path)
    try:
        return store.import_cases([b.case() for b in cases])
    finally:
        store.close()
