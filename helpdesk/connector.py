"""One protocol for every helpdesk: news about tickets in, writes about cases out.

A connector turns its helpdesk's tickets into `TicketNews` (what a ticket looks like at
one moment) and carries out `Write`s (a comment, a queue move, a resolution, a wait).
Its failures say what to do next: `Unavailable` is retried later (the helpdesk is down,
answered 5xx, timed out), `Refused` is not (the helpdesk says the write can never work),
`BadCredentials` stops delivery until the token is fixed. Nothing secret is ever in an
error's message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from rules.errors import LinewiseError

Action = Literal["comment", "move", "resolve", "wait", "resume"]


@dataclass(frozen=True)
class TicketNews:
    """What a helpdesk says about one ticket at one moment.

    `version` orders the news of one ticket (an ISO time, or a number the helpdesk
    increments): news older than what is stored never overwrites it. `by` is the
    helpdesk user whose change this is (linewise's own writes come back as news by
    the mapping's `agent`, and are ignored). `fields` holds the ticket fields the
    mapping may read: requestor, subject, queue, owner, CF.<name>...
    """

    helpdesk: str
    ticket: str
    delivery: str
    version: str
    queue: str | None
    subject: str = ""
    status: str | None = None
    by: str | None = None
    created: bool = False
    fields: dict[str, str] = field(default_factory=dict)
    own: bool = False  # carries linewise's own mark (a comment it wrote)

    def state(self) -> dict[str, Any]:
        return {
            "queue": self.queue,
            "subject": self.subject,
            "status": self.status,
            "by": self.by,
            "fields": dict(sorted(self.fields.items())),
        }


@dataclass(frozen=True)
class Write:
    """One write to a ticket, identified by `key` (the same case event always makes the
    same key, so queuing twice is a no-op, and the helpdesk can be asked whether a write
    with this key is already there)."""

    key: str
    ticket: str
    action: Action
    payload: dict[str, Any]


OWN_MARK = "[linewise "  # how linewise's own writes start their key on the ticket


def marker(key: str) -> str:
    """How a write's key appears on the ticket (a comment's subject or first line), so a
    retry can find it there and linewise's own changes can be told apart when they
    come back through the helpdesk's webhook."""
    return f"{OWN_MARK}{key}]"


class HelpdeskError(LinewiseError):
    """A helpdesk could not carry out a write or a read."""

    exit_code = 4


class Unavailable(HelpdeskError):
    """Down, 5xx, timed out: try again later. `maybe_done` when the helpdesk may have
    carried the write out before failing (a timeout after sending)."""

    def __init__(self, message: str, *, maybe_done: bool = False) -> None:
        super().__init__(message, hint="linewise retries it with backoff; see 'helpdesk status'")
        self.maybe_done = maybe_done


class Refused(HelpdeskError):
    """The helpdesk refuses this write for good (an unknown ticket or queue)."""


class BadCredentials(HelpdeskError):
    """The helpdesk does not accept linewise's token: nothing more is sent until it does."""

    def __init__(self, helpdesk: str, variable: str | None) -> None:
        where = f"${variable}" if variable else "the token"
        super().__init__(
            f"{helpdesk} refused linewise's credentials",
            hint=f"check {where} (its value is never printed) and the API user's rights",
        )


class Connector(Protocol):
    """A helpdesk as linewise uses it."""

    name: str

    def poll(self) -> list[TicketNews]:
        """Tickets waiting for linewise (new ones); helpdesks that push webhooks say []."""
        ...

    def apply(self, write: Write) -> None:
        """Carry the write out, or raise Unavailable / Refused / BadCredentials."""
        ...

    def applied(self, write: Write) -> bool:
        """Whether the helpdesk already shows this write (after an ambiguous failure)."""
        ...
