"""The server's helpdesk rounds: `linewise serve --helpdesk FILE` polls (Request Tracker)
and delivers write-backs (every helpdesk with a `url`) in the background, every
`interval` seconds, as `linewise helpdesk sync` does once. Every worker runs them; the
outbox's claims keep two workers from sending the same write. A round that fails (the
helpdesk down, bad credentials) is logged without its secrets and tried again next time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from cases.desk import Desk
from helpdesk.mapping import Mapping
from helpdesk.sync import Round, sync
from rules.errors import LinewiseError

LOG = logging.getLogger("linewise.web.helpdesk")


def one_round(mapping: Mapping, desk: Desk, connect: Callable[[Mapping], Any]) -> Round:
    connector = connect(mapping)
    try:
        return sync(mapping, desk, connector)
    finally:
        connector.close()


async def rounds(
    mappings: list[Mapping],
    desk: Desk,
    connect: Callable[[Mapping], Any],
    interval: float,
    stop: asyncio.Event,
) -> None:
    """Run a round for each mapping, then wait `interval` (or until `stop` is set)."""
    while not stop.is_set():
        for mapping in mappings:
            try:
                done = await asyncio.to_thread(one_round, mapping, desk, connect)
            except LinewiseError as err:
                LOG.warning("%s round failed: %s", mapping.helpdesk, err.render())
                continue
            if done.opened or done.delivery.delivered or done.delivery.errors:
                LOG.info(
                    "%s round: %d case(s) opened, %d write(s) delivered, %d to retry",
                    mapping.helpdesk,
                    len(done.opened),
                    done.delivery.delivered,
                    done.delivery.retrying,
                )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
