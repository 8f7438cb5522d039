"""News about tickets, taken once each: a new ticket opens a case, nothing else does.

Every delivery (a webhook, one poll's sighting of a ticket) is recorded by its key before
anything else happens, so a replay is a no-op. News caused by linewise's own API user is
recorded as 'own' and ignored (no loops through the helpdesk's triggers). News older than
what is stored for a ticket is 'stale' and changes nothing (out-of-order deliveries never
undo newer state). A ticket in a queue the mapping does not know is kept as 'unmapped'
and shown by `linewise helpdesk status`.

A case is opened in steps that survive a crash between them: the link is stored first
with no case, then the case is created, then linked; a link left without a case is
finished by the next delivery or sync (`finish_pending`).
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy.exc import IntegrityError

from cases.desk import Desk
from cases.store import SQLStore
from helpdesk import ledger
from helpdesk.connector import TicketNews
from helpdesk.mapping import Mapping
from rules.errors import LinewiseError

Outcome = Literal["opened", "updated", "own", "stale", "unmapped", "duplicate", "rejected"]
CHANNEL = "helpdesk"


def intake_of(news: TicketNews, mapping: Mapping) -> dict[str, Any] | None:
    """The case intake a ticket maps to, or None when its queue is not mapped."""
    entry = mapping.queues.get(news.queue or "")
    if entry is None:
        return None
    values: dict[str, Any] = {
        "complaint": entry.complaint,
        "service_form": entry.service_form or mapping.service_form,
        "channel": mapping.channel,
    }
    for name, source in mapping.intake.items():
        value = news.fields.get(source)
        if value:
            values[name] = value
    return values


def sql_store(desk: Desk) -> SQLStore:
    """The desk's store, which must be a SQL one (the helpdesk's rows live beside cases)."""
    if not isinstance(desk.store, SQLStore):
        raise LinewiseError(
            "helpdesk connections need a case store in a database",
            hint="use --store PATH (SQLite) or --store postgresql://...",
        )
    return desk.store


def take(news: TicketNews, mapping: Mapping, desk: Desk) -> tuple[Outcome, str]:
    """Take one piece of news: (what came of it, the case it concerns or a reason)."""
    store = sql_store(desk)
    at = desk.clock()
    try:
        with store.writing() as conn:
            if ledger.seen(conn, news.helpdesk, news.delivery):
                return "duplicate", ""
            link = ledger.link_of(conn, news.helpdesk, news.ticket)
            if news.own or (news.by and news.by == mapping.agent):
                ledger.receive(conn, news, "own", at)
                return "own", link.case_id if link else ""
            if link is not None:
                newer = ledger.newer_state(conn, news, link.state)
                outcome: Outcome = "updated" if newer else "stale"
                ledger.receive(conn, news, outcome, at, link.case_id)
                if link.case_id:
                    return outcome, link.case_id
            else:
                intake = intake_of(news, mapping)
                if intake is None:
                    detail = f"queue '{news.queue}' is not in the mapping"
                    ledger.receive(conn, news, "unmapped", at, detail)
                    return "unmapped", detail
                ledger.add_link(conn, news)
                ledger.receive(conn, news, "opened", at)
    except IntegrityError:  # the same delivery taken at the same moment by another worker
        return "duplicate", ""
    return "opened", finish(news.helpdesk, news.ticket, mapping, desk)


def finish(helpdesk: str, ticket: str, mapping: Mapping, desk: Desk) -> str:
    """Open the case of a link that has none yet, and link it; its id."""
    store = sql_store(desk)
    with store.reading() as conn:
        link = ledger.link_of(conn, helpdesk, ticket)
    if link is None:
        raise LinewiseError(f"ticket {ticket} of {helpdesk} is not linked")
    if link.case_id:
        return link.case_id
    news = TicketNews(
        helpdesk=helpdesk,
        ticket=ticket,
        delivery="",
        version=link.version,
        queue=link.state.get("queue"),
        fields=dict(link.state.get("fields", {})),
    )
    intake = intake_of(news, mapping) or {}
    values = desk.check_intake(intake)
    case_id = store.create(values, desk.clock(), agent=mapping.agent, channel=CHANNEL)
    with store.writing() as conn:
        ledger.set_case(conn, helpdesk, ticket, case_id)
    return case_id


def finish_pending(mapping: Mapping, desk: Desk) -> list[str]:
    """Cases opened for links a crash left without one."""
    with sql_store(desk).reading() as conn:
        waiting = [link for link in ledger.links(conn, mapping.helpdesk) if not link.case_id]
    return [finish(link.helpdesk, link.ticket, mapping, desk) for link in waiting]
