"""Self-service metrics: how many portal cases the customers resolved without an agent
(deflection), how many went to an agent, and how often agents asked again what was
already answered (re-asks, which the handoff should keep at 0).

A self-service session is one its `session_started` event records as worked by
`CUSTOMER` (the portal's name for the customer); a portal case is a case whose first
session is one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cases.model import Case

CUSTOMER = "customer (self-service)"


def portal_case(case: Case) -> bool:
    first = next((e for e in case.events if e.kind == "session_started"), None)
    return first is not None and first.data.get("agent") == CUSTOMER


def re_asks(case: Case) -> int:
    """Answers given in a later session to a question already answered in an earlier one
    (and not taken back)."""
    session = 0
    answered: dict[str, int] = {}  # question -> the session that answered it
    count = 0
    for event in case.events:
        if event.kind == "session_started":
            session += 1
        elif event.kind in ("answer", "unknown") and event.question is not None:
            earlier = answered.get(event.question)
            if earlier is not None and earlier < session:
                count += 1
            answered[event.question] = session
        elif event.kind == "back" and event.question is not None:
            answered.pop(event.question, None)
    return count


@dataclass
class SelfService:
    """Counts gathered case by case."""

    portal: int = 0
    deflected: int = 0  # resolved with no agent
    to_agent: int = 0  # handed to an agent
    in_progress: int = 0
    re_asks: int = 0  # over every case, portal or not
    re_asks_portal: int = 0
    re_asked_cases: list[str] = field(default_factory=list)

    def add(self, case: Case) -> None:
        again = re_asks(case)
        self.re_asks += again
        if again:
            self.re_asked_cases.append(case.id)
        if not portal_case(case):
            return
        self.portal += 1
        self.re_asks_portal += again
        handed = any(
            e.kind == "escalated"
            and e.data.get("handoff", {}).get("escalation", {}).get("kind") == "self_service"
            for e in case.events
        )
        if handed:
            self.to_agent += 1
        elif case.status == "resolved":
            self.deflected += 1
        else:
            self.in_progress += 1

    def as_dict(self) -> dict[str, Any]:
        ended = self.deflected + self.to_agent
        return {
            "portal_cases": self.portal,
            "deflected": self.deflected,
            "to_agent": self.to_agent,
            "in_progress": self.in_progress,
            "deflection_rate": round(self.deflected / ended, 4) if ended else None,
            "re_asks": self.re_asks,
            "re_asks_portal": self.re_asks_portal,
            "re_asked_cases": self.re_asked_cases[:20],
        }
