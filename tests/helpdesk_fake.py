"""A helpdesk in memory that fails on purpose, for the outbox and inbox tests.

`fail` is the share of writes that fail before anything happens (helpdesk down, 5xx);
`lost_answer` the share that are carried out but whose answer is lost (a timeout after
sending): the write is on the ticket, yet the deliverer is told it failed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from helpdesk.connector import BadCredentials, TicketNews, Unavailable, Write


@dataclass
class FakeHelpdesk:
    name: str = "rt"
    fail: float = 0.0
    lost_answer: float = 0.0
    seed: int = 1
    refuse_token: bool = False
    tickets: dict[str, list[Write]] = field(default_factory=lambda: defaultdict(list))
    news: list[TicketNews] = field(default_factory=list)
    calls: int = 0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def poll(self) -> list[TicketNews]:
        return list(self.news)

    def apply(self, write: Write) -> None:
        self.calls += 1
        if self.refuse_token:
            raise BadCredentials("Fake helpdesk", "LINEWISE_FAKE_TOKEN")
        roll = self._random.random()
        if roll < self.fail:
            raise Unavailable("the fake helpdesk answered 503")
        self.tickets[write.ticket].append(write)
        if roll < self.fail + self.lost_answer:
            raise Unavailable("the fake helpdesk timed out", maybe_done=True)

    def applied(self, write: Write) -> bool:
        if self._random.random() < self.fail:
            raise Unavailable("the fake helpdesk answered 503")
        return any(w.key == write.key for w in self.tickets[write.ticket])

    def close(self) -> None:
        pass
