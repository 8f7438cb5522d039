"""Zammad over its REST API (`/api/v1/`), with an access token.

News comes by webhook (helpdesk.webhooks), so there is nothing to poll. Writes: an
internal note (`POST /api/v1/ticket_articles`, the write's key in its subject, so a
retry finds it among the ticket's articles), a group move, a state change and the
ticket's own attributes for the custom fields (`PUT /api/v1/tickets/N`). A pending
state needs a time in Zammad: linewise gives `pending_days` from now (the vendor's
answer ends the wait earlier).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from helpdesk.connector import TicketNews, Write, marker
from helpdesk.http import HelpdeskHTTP
from helpdesk.mapping import Mapping

PENDING_DAYS = 14


class ZammadConnector:
    name = "zammad"

    def __init__(
        self, mapping: Mapping, *, token: str | None = None, client: httpx.Client | None = None
    ) -> None:
        self.mapping = mapping
        auth = {} if client else {"Authorization": f"Token token={token or mapping.token()}"}
        self.http = HelpdeskHTTP.open(
            "Zammad", mapping.url, "api/v1/", auth, mapping.token_env, client
        )

    def close(self) -> None:
        self.http.close()

    def poll(self) -> list[TicketNews]:
        return []  # Zammad pushes webhooks

    def apply(self, write: Write) -> None:
        body = write.payload
        ticket = int(write.ticket) if write.ticket.isdigit() else write.ticket
        if write.action == "comment":
            self.http.call(
                "POST",
                "ticket_articles",
                json={
                    "ticket_id": ticket,
                    "subject": f"{body.get('subject', 'linewise')} {marker(write.key)}",
                    "body": body["text"],
                    "content_type": "text/plain",
                    "type": "note",
                    "internal": True,
                },
            )
            return
        changes: dict[str, Any] = {}
        if write.action == "move":
            changes["group"] = body["queue"]
        if "status" in body:
            changes["state"] = body["status"]
            if str(body["status"]).startswith("pending"):
                until = datetime.now(UTC) + timedelta(days=PENDING_DAYS)
                changes["pending_time"] = until.isoformat(timespec="seconds")
        changes.update(body.get("fields") or {})
        self.http.call("PUT", f"tickets/{write.ticket}", json=changes)

    def applied(self, write: Write) -> bool:
        if write.action != "comment":
            return False  # a group, state or attribute set twice is set once
        articles = self.http.call("GET", f"ticket_articles/by_ticket/{write.ticket}")
        wanted = marker(write.key)
        return any(
            isinstance(a, dict) and wanted in str(a.get("subject") or "") for a in articles or []
        )
