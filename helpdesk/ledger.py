"""The helpdesk's rows in the case store: ticket links, the inbox, the outbox.

Plain SQLAlchemy Core over the store's own transactions (cases.store.SQLStore.writing),
so it works the same on SQLite and PostgreSQL and a helpdesk's state lives beside the
cases it concerns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from cases.tables import helpdesk_inbox, helpdesk_links, helpdesk_outbox
from helpdesk.connector import TicketNews, Write


@dataclass(frozen=True)
class Link:
    helpdesk: str
    ticket: str
    case_id: str  # "" while the case is being opened
    version: str
    state: dict[str, Any]
    pushed_seq: int


@dataclass(frozen=True)
class Queued:
    """One outbox row."""

    id: int
    write: Write
    helpdesk: str
    case_id: str
    state: str
    attempts: int
    next_at: str
    last_error: str | None


def seen(conn: Connection, helpdesk: str, delivery: str) -> bool:
    found = conn.execute(
        select(helpdesk_inbox.c.outcome).where(
            and_(helpdesk_inbox.c.helpdesk == helpdesk, helpdesk_inbox.c.delivery == delivery)
        )
    ).first()
    return found is not None


def receive(conn: Connection, news: TicketNews, outcome: str, at: str, detail: str = "") -> None:
    conn.execute(
        insert(helpdesk_inbox).values(
            helpdesk=news.helpdesk,
            delivery=news.delivery,
            received_at=at,
            ticket=news.ticket,
            outcome=outcome,
            detail=detail,
        )
    )


def link_of(conn: Connection, helpdesk: str, ticket: str) -> Link | None:
    row = conn.execute(
        select(helpdesk_links).where(
            and_(helpdesk_links.c.helpdesk == helpdesk, helpdesk_links.c.ticket == ticket)
        )
    ).first()
    return _link(row) if row is not None else None


def _link(row: Any) -> Link:
    return Link(
        helpdesk=row.helpdesk,
        ticket=row.ticket,
        case_id=row.case_id,
        version=row.version,
        state=json.loads(row.state),
        pushed_seq=int(row.pushed_seq),
    )


def add_link(conn: Connection, news: TicketNews, case_id: str = "") -> None:
    conn.execute(
        insert(helpdesk_links).values(
            helpdesk=news.helpdesk,
            ticket=news.ticket,
            case_id=case_id,
            version=news.version,
            state=json.dumps(news.state(), sort_keys=True),
            pushed_seq=0,
        )
    )


def set_case(conn: Connection, helpdesk: str, ticket: str, case_id: str) -> None:
    conn.execute(
        update(helpdesk_links)
        .where(and_(helpdesk_links.c.helpdesk == helpdesk, helpdesk_links.c.ticket == ticket))
        .values(case_id=case_id)
    )


def newer_state(conn: Connection, news: TicketNews, known: dict[str, Any]) -> bool:
    """Store the ticket's state (what `news` tells over what was `known`) if `news` is
    newer than what is stored (one statement, so two deliveries racing each other cannot
    both win); whether it was."""
    told = news.state()
    state = {
        **known,
        **{k: v for k, v in told.items() if v not in (None, "", {})},
        "fields": {**known.get("fields", {}), **told["fields"]},
    }
    done = conn.execute(
        update(helpdesk_links)
        .where(
            and_(
                helpdesk_links.c.helpdesk == news.helpdesk,
                helpdesk_links.c.ticket == news.ticket,
                helpdesk_links.c.version < news.version,
            )
        )
        .values(version=news.version, state=json.dumps(state, sort_keys=True))
    )
    return bool(done.rowcount)


def links(conn: Connection, helpdesk: str) -> list[Link]:
    rows = conn.execute(
        select(helpdesk_links)
        .where(helpdesk_links.c.helpdesk == helpdesk)
        .order_by(helpdesk_links.c.case_id)
    )
    return [_link(row) for row in rows]


def pushed(conn: Connection, link: Link, seq: int) -> None:
    conn.execute(
        update(helpdesk_links)
        .where(
            and_(
                helpdesk_links.c.helpdesk == link.helpdesk,
                helpdesk_links.c.ticket == link.ticket,
                helpdesk_links.c.pushed_seq < seq,
            )
        )
        .values(pushed_seq=seq)
    )


# ---- the outbox ------------------------------------------------------------------------


def enqueue(conn: Connection, helpdesk: str, case_id: str, writes: list[Write], at: str) -> int:
    """Queue writes not queued before (by key); how many were new."""
    if not writes:
        return 0
    keys = [w.key for w in writes]
    known = set(
        conn.execute(select(helpdesk_outbox.c.key).where(helpdesk_outbox.c.key.in_(keys))).scalars()
    )
    fresh = [w for w in writes if w.key not in known]
    if fresh:
        conn.execute(
            insert(helpdesk_outbox),
            [
                {
                    "key": w.key,
                    "helpdesk": helpdesk,
                    "ticket": w.ticket,
                    "case_id": case_id,
                    "action": w.action,
                    "payload": json.dumps(w.payload, sort_keys=True, ensure_ascii=False),
                    "state": "pending",
                    "attempts": 0,
                    "next_at": at,
                    "created_at": at,
                }
                for w in fresh
            ],
        )
    return len(fresh)


def _queued(row: Any) -> Queued:
    return Queued(
        id=int(row.id),
        write=Write(
            key=row.key, ticket=row.ticket, action=row.action, payload=json.loads(row.payload)
        ),
        helpdesk=row.helpdesk,
        case_id=row.case_id,
        state=row.state,
        attempts=int(row.attempts),
        next_at=row.next_at,
        last_error=row.last_error,
    )


def pending(conn: Connection, helpdesk: str, limit: int) -> list[Queued]:
    rows = conn.execute(
        select(helpdesk_outbox)
        .where(and_(helpdesk_outbox.c.helpdesk == helpdesk, helpdesk_outbox.c.state == "pending"))
        .order_by(helpdesk_outbox.c.id)
        .limit(limit)
    )
    return [_queued(row) for row in rows]


def claim(conn: Connection, item: Queued, until: str) -> bool:
    """Take the row for one delivery attempt (compare-and-set on its time), so two
    deliverers never send the same write at once; the attempt is counted now, so a
    deliverer killed after sending leaves a row that is checked before it is resent."""
    done = conn.execute(
        update(helpdesk_outbox)
        .where(
            and_(
                helpdesk_outbox.c.id == item.id,
                helpdesk_outbox.c.state == "pending",
                helpdesk_outbox.c.next_at == item.next_at,
            )
        )
        .values(next_at=until, attempts=helpdesk_outbox.c.attempts + 1)
    )
    return bool(done.rowcount)


def settle(conn: Connection, item_id: int, **values: Any) -> None:
    conn.execute(update(helpdesk_outbox).where(helpdesk_outbox.c.id == item_id).values(**values))


def retry_failed(conn: Connection, helpdesk: str, at: str) -> int:
    done = conn.execute(
        update(helpdesk_outbox)
        .where(and_(helpdesk_outbox.c.helpdesk == helpdesk, helpdesk_outbox.c.state == "failed"))
        .values(state="pending", next_at=at)
    )
    return int(done.rowcount)


def counts(conn: Connection, helpdesk: str) -> dict[str, int]:
    rows = conn.execute(
        select(helpdesk_outbox.c.state, func.count())
        .where(helpdesk_outbox.c.helpdesk == helpdesk)
        .group_by(helpdesk_outbox.c.state)
    )
    return {str(state): int(n) for state, n in rows}


def troubles(conn: Connection, helpdesk: str, limit: int = 50) -> list[Queued]:
    """Failed writes and pending ones that have failed at least once."""
    rows = conn.execute(
        select(helpdesk_outbox)
        .where(
            and_(
                helpdesk_outbox.c.helpdesk == helpdesk,
                helpdesk_outbox.c.state != "delivered",
                helpdesk_outbox.c.attempts > 0,
            )
        )
        .order_by(helpdesk_outbox.c.id)
        .limit(limit)
    )
    return [_queued(row) for row in rows]


def inbox_outcomes(conn: Connection, helpdesk: str, outcome: str, limit: int = 50) -> list[Any]:
    return list(
        conn.execute(
            select(helpdesk_inbox)
            .where(and_(helpdesk_inbox.c.helpdesk == helpdesk, helpdesk_inbox.c.outcome == outcome))
            .order_by(helpdesk_inbox.c.received_at)
            .limit(limit)
        )
    )
