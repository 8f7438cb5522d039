"""Request Tracker 5 over its REST 2 API (`/REST/2.0/`), with token authentication.

Reads: new tickets (`GET /tickets?query=Status='new'`, with the queue's name, the
requestors and custom fields inlined). Writes: a comment (`POST /ticket/N/comment`, the
write's key in its subject so a retry can tell it is already there), a queue move, a
status change and custom fields (`PUT /ticket/N`).
"""

from __future__ import annotations

from typing import Any

import httpx

from helpdesk.connector import Refused, TicketNews, Write, marker
from helpdesk.http import HelpdeskHTTP
from helpdesk.mapping import Mapping

PAGE = 100


class RTConnector:
    """One RT instance, as the mapping describes it."""

    name = "rt"

    def __init__(
        self, mapping: Mapping, *, token: str | None = None, client: httpx.Client | None = None
    ) -> None:
        self.mapping = mapping
        auth = {} if client else {"Authorization": f"token {token or mapping.token()}"}
        self.http = HelpdeskHTTP.open(
            "Request Tracker", mapping.url, "REST/2.0/", auth, mapping.token_env, client
        )

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.http.call(method, path, **kwargs)

    # ---- reading ----------------------------------------------------------------

    def poll(self) -> list[TicketNews]:
        """Every ticket in status 'new', oldest first (linewise opens cases for the mapped
        ones and records the others as unmapped)."""
        news: list[TicketNews] = []
        page = 1
        while True:
            found = self._call(
                "GET",
                "tickets",
                params={
                    "query": "Status = 'new'",
                    "orderby": "id",
                    "order": "ASC",
                    "page": page,
                    "per_page": PAGE,
                    "fields": "Subject,Queue,Status,LastUpdated,Requestor,Owner,"
                    "CustomFields,LastUpdatedBy",
                    "fields[Queue]": "Name",
                },
            )
            news += [self._news(item) for item in found.get("items", [])]
            if page >= int(found.get("pages") or 1):
                return news
            page += 1

    def _news(self, item: dict[str, Any]) -> TicketNews:
        fields: dict[str, str] = {}
        requestors = [r.get("id", "") for r in item.get("Requestor") or [] if isinstance(r, dict)]
        if requestors:
            fields["requestor"] = requestors[0]
        owner = item.get("Owner")
        if isinstance(owner, dict) and owner.get("id") not in (None, "Nobody"):
            fields["owner"] = str(owner["id"])
        for cf in item.get("CustomFields") or []:
            if isinstance(cf, dict) and cf.get("values"):
                fields[f"CF.{cf.get('name')}"] = str(cf["values"][0])
        queue = item.get("Queue")
        by = item.get("LastUpdatedBy")
        ticket = str(item.get("id"))
        version = str(item.get("LastUpdated") or "")
        return TicketNews(
            helpdesk="rt",
            ticket=ticket,
            delivery=f"poll:{ticket}:{version}",
            version=version,
            queue=str(queue.get("Name")) if isinstance(queue, dict) else None,
            subject=str(item.get("Subject") or ""),
            status=str(item.get("Status") or ""),
            by=str(by.get("id")) if isinstance(by, dict) else None,
            created=True,
            fields=fields,
        )

    # ---- writing ----------------------------------------------------------------

    def apply(self, write: Write) -> None:
        path = f"ticket/{write.ticket}"
        body = write.payload
        if write.action == "comment":
            self._call(
                "POST",
                f"{path}/comment",
                json={
                    "Subject": f"{body.get('subject', 'linewise')} {marker(write.key)}",
                    "Content": body["text"],
                    "ContentType": "text/plain",
                },
            )
            return
        changes: dict[str, Any] = {}
        if write.action == "move":
            changes["Queue"] = body["queue"]
        if "status" in body:
            changes["Status"] = body["status"]
        if body.get("fields"):
            changes["CustomFields"] = body["fields"]
        answer = self._call("PUT", path, json=changes)
        _check_changes(answer, changes, write)

    def applied(self, write: Write) -> bool:
        """Queue, status and field changes are idempotent (asked again, RT is unchanged);
        a comment is looked for by its key among linewise's own comments."""
        if write.action != "comment":
            return False
        history = self._call(
            "GET",
            f"ticket/{write.ticket}/history",
            params={"fields": "Type,Creator", "per_page": PAGE, "order": "DESC"},
        )
        wanted = marker(write.key)
        for item in history.get("items", []):
            creator = item.get("Creator")
            if item.get("Type") != "Comment" or not isinstance(creator, dict):
                continue
            if creator.get("id") != self.mapping.agent:
                continue
            parts = self._call(
                "GET", f"transaction/{item['id']}/attachments", params={"fields": "Subject"}
            )
            if any(wanted in str(p.get("Subject", "")) for p in parts.get("items", [])):
                return True
        return False


def _check_changes(answer: Any, changes: dict[str, Any], write: Write) -> None:
    """RT answers a PUT with one message per change; a change it could not make (an
    unknown queue, a custom field not applied to the queue) is a message, not an error
    status: refuse the write so it shows in 'helpdesk status' instead of passing."""
    if not isinstance(answer, list):
        return
    for text in answer:
        line = str(text)
        lowered = line.lower()
        if "could not" in lowered or "couldn't" in lowered or "invalid" in lowered:
            raise Refused(f"RT did not apply {write.action} to ticket {write.ticket}: {line}")
