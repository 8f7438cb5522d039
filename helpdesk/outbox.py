"""Delivering the outbox: every write exactly once, in order per ticket, whatever fails.

A write is claimed before it is sent (so two deliverers never send it at once), then
settled: delivered; or, when the helpdesk is unavailable, retried later with exponential
backoff (capped, never given up: nothing is lost); or failed when the helpdesk refuses it
for good (shown by `linewise helpdesk status`, sent again by `helpdesk retry`). A write
that may have been carried out before its failure (a timeout after sending) is first
looked for on the ticket, so it is never doubled. While one write of a ticket waits, the
later writes of that ticket wait too: a ticket never sees a resolution before the comment
that explains it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cases.store import SQLStore
from helpdesk import ledger
from helpdesk.connector import (
    BadCredentials,
    Connector,
    Refused,
    Unavailable,
)

FIRST_DELAY = 2.0  # seconds before the first retry; doubled after each failure
MAX_DELAY = 3600.0
LEASE = 60.0  # a claimed write is left alone this long by other deliverers
BATCH = 500


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def backoff(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failure."""
    return float(min(FIRST_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY))


@dataclass
class Delivery:
    """What one delivery run did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0  # not due yet, or behind an earlier write of the same ticket
    errors: list[str] = field(default_factory=list)


def deliver(
    store: SQLStore,
    connector: Connector,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Delivery:
    """Send every due write of `connector`'s helpdesk once; raise BadCredentials (after
    putting the write back untouched) when the helpdesk refuses linewise's token."""
    run = Delivery()
    with store.reading() as conn:
        queue = ledger.pending(conn, connector.name, BATCH)
    blocked: set[str] = set()
    for item in queue:
        now = clock()
        if item.write.ticket in blocked or item.next_at > _iso(now):
            blocked.add(item.write.ticket)
            run.waiting += 1
            continue
        with store.writing() as conn:
            if not ledger.claim(conn, item, _iso(now + timedelta(seconds=LEASE))):
                blocked.add(item.write.ticket)  # another deliverer has it
                run.waiting += 1
                continue
        try:
            if not (item.attempts and connector.applied(item.write)):
                connector.apply(item.write)
        except BadCredentials:
            with store.writing() as conn:  # put back as it was: not an attempt
                ledger.settle(conn, item.id, next_at=item.next_at, attempts=item.attempts)
            raise
        except Unavailable as err:
            later = _iso(clock() + timedelta(seconds=backoff(item.attempts + 1)))
            with store.writing() as conn:
                ledger.settle(conn, item.id, next_at=later, last_error=err.message)
            blocked.add(item.write.ticket)
            run.retrying += 1
            run.errors.append(f"{item.write.key}: {err.message}")
            continue
        except Refused as err:
            with store.writing() as conn:
                ledger.settle(
                    conn,
                    item.id,
                    state="failed",
                    last_error=err.message,
                )
            blocked.add(item.write.ticket)
            run.failed += 1
            run.errors.append(f"{item.write.key}: {err.message}")
            continue
        with store.writing() as conn:
            ledger.settle(
                conn,
                item.id,
                state="delivered",
                delivered_at=_iso(clock()),
                last_error=None,
            )
        run.delivered += 1
    return run
