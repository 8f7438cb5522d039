"""GLPI over its REST API (`apirest.php`), with a user token (and an app token if the
API client requires one).

News comes by webhook (helpdesk.webhooks). Writes: a private followup (`POST
ITILFollowup`, the write's key in its first line, so a retry finds it among the ticket's
followups), the group of the next line assigned (`POST Group_Ticket`, the mapping's
`lines` give group ids), a status (`PUT Ticket/N`, the mapping's `statuses` give GLPI's
status numbers: 4 pending, 2 processing, 5 solved), and on resolution a solution
(`POST ITILSolution`) that names the fault, the pack versions and the case (GLPI has no
custom fields without a plugin). A session is opened with `initSession` on first use and
again when GLPI says it expired.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import httpx

from helpdesk.connector import BadCredentials, HelpdeskError, Refused, TicketNews, Write, marker
from helpdesk.http import HelpdeskHTTP
from helpdesk.mapping import Mapping

APP_TOKEN_ENV = "LINEWISE_GLPI_APP_TOKEN"  # optional: the API client's app token


class GLPIConnector:
    name = "glpi"

    def __init__(
        self,
        mapping: Mapping,
        *,
        token: str | None = None,
        app_token: str | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self.mapping = mapping
        self.token = token or mapping.token()
        app_token = app_token or os.environ.get(APP_TOKEN_ENV)
        headers = {"App-Token": app_token} if app_token else {}
        self.http = HelpdeskHTTP.open(
            "GLPI", mapping.url, "apirest.php/", headers, mapping.token_env, client
        )
        self.session: str | None = None

    def close(self) -> None:
        if self.session:  # leaving anyway: GLPI ends idle sessions itself on failure
            with contextlib.suppress(HelpdeskError):
                self._call("GET", "killSession")
        self.http.close()

    def _open(self) -> None:
        opened = self.http.call(
            "GET", "initSession", headers={"Authorization": f"user_token {self.token}"}
        )
        self.session = str(opened.get("session_token")) if isinstance(opened, dict) else None
        if not self.session:
            raise BadCredentials("GLPI", self.mapping.token_env)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        if self.session is None:
            self._open()
        try:
            return self.http.call(method, path, headers={"Session-Token": self.session}, **kwargs)
        except BadCredentials:  # the session expired: one new session, then a real refusal
            self._open()
            return self.http.call(method, path, headers={"Session-Token": self.session}, **kwargs)

    def poll(self) -> list[TicketNews]:
        return []  # GLPI pushes webhooks

    def apply(self, write: Write) -> None:
        body = write.payload
        ticket = int(write.ticket)
        if write.action == "comment":
            content = f"{marker(write.key)} {body.get('subject', '')}\n\n{body['text']}"
            self._call(
                "POST",
                "ITILFollowup",
                json={
                    "input": {
                        "itemtype": "Ticket",
                        "items_id": ticket,
                        "content": content,
                        "is_private": 1,
                    }
                },
            )
            return
        if write.action == "move":
            group = str(body["queue"])
            if not group.isdigit():
                raise Refused(f"GLPI needs a group id for a line, not '{group}' (mapping 'lines')")
            self._call(
                "POST",
                "Group_Ticket",
                json={"input": {"tickets_id": ticket, "groups_id": int(group), "type": 2}},
            )
            return
        if write.action == "resolve":
            fields = body.get("fields") or {}
            lines = [f"{name}: {value}" for name, value in fields.items()]
            self._call(
                "POST",
                "ITILSolution",
                json={
                    "input": {
                        "itemtype": "Ticket",
                        "items_id": ticket,
                        "content": "\n".join([marker(write.key), *lines]),
                    }
                },
            )
        status = str(body.get("status", ""))
        if status.isdigit() and write.action != "resolve":
            self._call("PUT", f"Ticket/{ticket}", json={"input": {"status": int(status)}})

    def applied(self, write: Write) -> bool:
        if write.action not in ("comment", "resolve"):
            return False  # a group or a status set twice is set once
        kind = "ITILFollowup" if write.action == "comment" else "ITILSolution"
        found = self._call("GET", f"Ticket/{write.ticket}/{kind}")
        wanted = marker(write.key)
        return any(isinstance(f, dict) and wanted in str(f.get("content") or "") for f in found)
