"""Writing back to GLPI through its REST API (apirest.php), against a GLPI stand-in
(httpx's MockTransport) that answers as GLPI's REST API documentation (apirest.md)
describes: initSession with a user token gives a session token; ITILFollowup,
ITILSolution and Group_Ticket are created with {"input": {...}}; Ticket/N is updated
with PUT; Ticket/N/ITILFollowup lists a ticket's followups."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from cases.desk import Desk
from cases.store import open_store
from cases.tables import helpdesk_outbox
from helpdesk.connector import BadCredentials, Write
from helpdesk.glpi import GLPIConnector
from helpdesk.inbox import take
from helpdesk.mapping import Mapping, load_mapping
from helpdesk.sync import sync
from helpdesk.webhooks import glpi_news
from tests.test_helpdesk import knowledge, work

DATA = Path(__file__).resolve().parent / "data" / "helpdesk"


class GLPIStandIn:
    def __init__(self) -> None:
        self.sessions: set[str] = set()
        self.followups: dict[int, list[dict[str, Any]]] = {}
        self.solutions: dict[int, list[dict[str, Any]]] = {}
        self.groups: dict[int, list[int]] = {}
        self.status: dict[int, int] = {}

    def expire(self) -> None:
        self.sessions.clear()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/apirest.php/")
        if path == "initSession":
            if request.headers.get("Authorization") != "user_token good":
                return httpx.Response(401, json=["ERROR_GLPI_LOGIN_USER_TOKEN", "bad token"])
            token = f"s{len(self.sessions) + 1}"
            self.sessions.add(token)
            return httpx.Response(200, json={"session_token": token})
        if request.headers.get("Session-Token") not in self.sessions:
            return httpx.Response(401, json=["ERROR_SESSION_TOKEN_INVALID", "session expired"])
        data = json.loads(request.content or b"{}").get("input", {})
        if request.method == "POST" and path in ("ITILFollowup", "ITILSolution"):
            into = self.followups if path == "ITILFollowup" else self.solutions
            into.setdefault(int(data["items_id"]), []).append(data)
            if path == "ITILSolution":
                self.status[int(data["items_id"])] = 5
            return httpx.Response(201, json={"id": 1, "message": ""})
        if request.method == "POST" and path == "Group_Ticket":
            self.groups.setdefault(int(data["tickets_id"]), []).append(int(data["groups_id"]))
            return httpx.Response(201, json={"id": 1, "message": ""})
        if request.method == "PUT" and path.startswith("Ticket/"):
            self.status[int(path.split("/")[1])] = int(data["status"])
            return httpx.Response(200, json=[{path.split("/")[1]: True, "message": ""}])
        if request.method == "GET" and path.startswith("Ticket/"):
            _, ticket, kind = path.split("/")
            into = self.followups if kind == "ITILFollowup" else self.solutions
            return httpx.Response(200, json=into.get(int(ticket), []))
        if path == "killSession":
            return httpx.Response(200, json=[])
        return httpx.Response(400, json=["ERROR_RESOURCE_NOT_FOUND_NOR_COMMONDBTM", path])


def mapping(**changes: Any) -> Mapping:
    """The test GLPI mapping, with where to write back (validated like a file)."""
    return Mapping.model_validate(
        {
            **load_mapping(DATA / "glpi.yaml").model_dump(),
            "url": "http://glpi",
            "lines": {1: "3", 2: "12"},
            "statuses": {"waiting": "4", "resumed": "2", "resolved": "5"},
            **changes,
        }
    )


def connector(stand_in: GLPIStandIn, token: str = "good") -> GLPIConnector:
    client = httpx.Client(
        base_url="http://glpi/apirest.php/", transport=httpx.MockTransport(stand_in)
    )
    return GLPIConnector(mapping(), token=token, client=client)


def test_a_case_from_a_glpi_webhook_writes_followups_and_assigns_the_next_group(
    store_url: str,
) -> None:
    store = open_store(store_url)
    desk = Desk(store, knowledge(), agent="ivan", channel="web")
    body = (DATA / "glpi-ticket.json").read_bytes()
    outcome, case_id = take(glpi_news(body, "glpi:1"), mapping(), desk)
    assert outcome == "opened"
    work(desk, case_id, {}, note="customer away until Monday")
    stand_in = GLPIStandIn()
    glpi = connector(stand_in)
    done = sync(mapping(), desk, glpi)
    assert done.delivery.delivered == 3 and not done.delivery.errors, done.delivery
    followups = stand_in.followups[57]
    assert all(f["is_private"] == 1 for f in followups)
    assert "customer away until Monday" in " ".join(followups[1]["content"].split())
    assert stand_in.groups[57] == [12]
    store.close()


def test_a_resolution_is_a_glpi_solution_naming_the_fault_and_case(store_url: str) -> None:
    store = open_store(store_url)
    desk = Desk(store, knowledge(), agent="ivan", channel="web")
    body = (DATA / "glpi-ticket.json").read_bytes()
    m = mapping(fields={"fault": "Fault", "case": "Case"})
    _, case_id = take(glpi_news(body, "glpi:2"), m, desk)
    work(desk, case_id, {"wired_cable_seated": "no"})
    stand_in = GLPIStandIn()
    glpi = connector(stand_in)
    stand_in.expire()  # a session that expires between writes is opened again
    sync(m, desk, glpi)
    [solution] = stand_in.solutions[57]
    assert f"Case: {case_id}" in solution["content"]
    assert stand_in.status[57] == 5
    with store.writing() as conn:
        conn.execute(update(helpdesk_outbox).values(state="pending", next_at="2000-01-01"))
    sync(m, desk, glpi)  # delivered again on purpose: found by its key, not doubled
    assert len(stand_in.solutions[57]) == 1
    store.close()


def test_a_wrong_glpi_user_token_is_bad_credentials() -> None:
    glpi = connector(GLPIStandIn(), token="wrong")
    with pytest.raises(BadCredentials):
        glpi.apply(Write("k", "57", "comment", {"subject": "s", "text": "t"}))
