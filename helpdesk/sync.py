"""One round with a helpdesk: take its news, open cases, queue and deliver write-backs.

`linewise helpdesk sync` runs one round; `linewise serve --helpdesk FILE` runs the same
round in the background (and takes webhook news as it arrives).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cases.desk import Desk
from helpdesk import ledger
from helpdesk.connector import Connector, TicketNews
from helpdesk.inbox import finish_pending, sql_store, take
from helpdesk.mapping import Mapping, MappingError
from helpdesk.outbox import Delivery, deliver
from helpdesk.writeback import push


def connect(mapping: Mapping) -> Any:
    """The connector that writes back to (and polls) the mapping's helpdesk."""
    from helpdesk.glpi import GLPIConnector
    from helpdesk.rt import RTConnector
    from helpdesk.zammad import ZammadConnector

    if not mapping.url:
        raise MappingError(
            f"the {mapping.helpdesk} mapping has no 'url', so linewise cannot write back",
            hint="add 'url: https://helpdesk.example.com' and 'token_env: VARIABLE'",
        )
    kinds = {"rt": RTConnector, "zammad": ZammadConnector, "glpi": GLPIConnector}
    return kinds[mapping.helpdesk](mapping)


@dataclass
class Round:
    """What one round did."""

    taken: Counter[str] = field(default_factory=Counter)
    opened: list[str] = field(default_factory=list)
    queued: int = 0
    delivery: Delivery = field(default_factory=Delivery)


def take_all(news: list[TicketNews], mapping: Mapping, desk: Desk, out: Round) -> None:
    for item in news:
        outcome, case_id = take(item, mapping, desk)
        out.taken[outcome] += 1
        if outcome == "opened":
            out.opened.append(case_id)


def sync(mapping: Mapping, desk: Desk, connector: Connector) -> Round:
    """Poll, open cases for new tickets, queue the write-backs of every linked case's new
    events, and deliver what is due."""
    out = Round()
    take_all(connector.poll(), mapping, desk, out)
    out.opened += finish_pending(mapping, desk)
    store = sql_store(desk)
    out.queued = push(store, mapping, desk.kb, desk.clock())
    out.delivery = deliver(store, connector)
    return out


@dataclass(frozen=True)
class Status:
    """What `linewise helpdesk status` shows."""

    outbox: dict[str, int]
    troubles: list[ledger.Queued]
    unmapped: list[tuple[str, str, str]]  # (ticket, received at, why)
    unlinked: list[str]  # tickets whose case could not be opened yet


def status(mapping: Mapping, desk: Desk) -> Status:
    with sql_store(desk).reading() as conn:
        counts = ledger.counts(conn, mapping.helpdesk)
        troubles = ledger.troubles(conn, mapping.helpdesk)
        unmapped = [
            (str(row.ticket), str(row.received_at), str(row.detail))
            for row in ledger.inbox_outcomes(conn, mapping.helpdesk, "unmapped")
        ]
        unlinked = [lk.ticket for lk in ledger.links(conn, mapping.helpdesk) if not lk.case_id]
    return Status(counts, troubles, unmapped, unlinked)
