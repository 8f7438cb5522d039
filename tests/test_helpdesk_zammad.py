"""Writing back to Zammad through its REST API, against a Zammad stand-in (httpx's
MockTransport) that answers as the Zammad API documentation describes: an article is
created by POST /api/v1/ticket_articles, a ticket changed by PUT /api/v1/tickets/N,
the ticket's articles listed by GET /api/v1/ticket_articles/by_ticket/N."""

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
from helpdesk.inbox import take
from helpdesk.mapping import Mapping, load_mapping
from helpdesk.sync import sync
from helpdesk.webhooks import zammad_news
from helpdesk.zammad import ZammadConnector
from tests.test_helpdesk import knowledge, work

DATA = Path(__file__).resolve().parent / "data" / "helpdesk"


class ZammadStandIn:
    def __init__(self, token: str = "good") -> None:
        self.token = token
        self.articles: dict[str, list[dict[str, Any]]] = {}
        self.tickets: dict[str, dict[str, Any]] = {}
        self.down = 0  # answer 502 to this many next requests

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("Authorization") != f"Token token={self.token}":
            return httpx.Response(401, json={"error": "authentication failed"})
        if self.down:
            self.down -= 1
            return httpx.Response(502, text="bad gateway")
        path = request.url.path
        if request.method == "POST" and path == "/api/v1/ticket_articles":
            article = json.loads(request.content)
            self.articles.setdefault(str(article["ticket_id"]), []).append(article)
            return httpx.Response(201, json={"id": 1, **article})
        if request.method == "PUT" and path.startswith("/api/v1/tickets/"):
            ticket = path.rsplit("/", 1)[1]
            self.tickets.setdefault(ticket, {}).update(json.loads(request.content))
            return httpx.Response(200, json={"id": int(ticket), **self.tickets[ticket]})
        if request.method == "GET" and path.startswith("/api/v1/ticket_articles/by_ticket/"):
            return httpx.Response(200, json=self.articles.get(path.rsplit("/", 1)[1], []))
        return httpx.Response(404, json={"error": "no route"})


def connector(stand_in: ZammadStandIn, token: str = "good") -> ZammadConnector:
    mapping = Mapping.model_validate(
        {**load_mapping(DATA / "zammad.yaml").model_dump(), "url": "http://zammad"}
    )
    client = httpx.Client(
        base_url="http://zammad/api/v1/",
        headers={"Authorization": f"Token token={token}"},
        transport=httpx.MockTransport(stand_in),
    )
    return ZammadConnector(mapping, client=client)


def test_a_case_from_a_zammad_webhook_writes_notes_and_moves_the_ticket(store_url: str) -> None:
    mapping = load_mapping(DATA / "zammad.yaml")
    store = open_store(store_url)
    desk = Desk(store, knowledge(), agent="ivan", channel="web")
    body = (DATA / "zammad-ticket.json").read_bytes()
    outcome, case_id = take(zammad_news(body, "zammad:d-1"), mapping, desk)
    assert outcome == "opened"
    work(desk, case_id, {}, note="call back after lunch")
    stand_in = ZammadStandIn()
    stand_in.down = 1  # Zammad is briefly down: retried later, nothing lost
    zammad = connector(stand_in)
    first = sync(mapping, desk, zammad)
    assert first.delivery.retrying == 1
    with store.writing() as conn:  # time passes: every backoff is over
        conn.execute(update(helpdesk_outbox).values(next_at="2000-01-01"))
    second = sync(mapping, desk, zammad)
    assert second.delivery.delivered == 3, second.delivery
    notes = stand_in.articles["31"]
    assert [n["internal"] for n in notes] == [True, True]
    assert case_id in notes[0]["body"]
    assert "call back after lunch" in " ".join(notes[1]["body"].split())
    assert stand_in.tickets["31"]["group"] == "Second line"
    store.close()


def test_zammad_refusing_the_token_is_bad_credentials() -> None:
    zammad = connector(ZammadStandIn(token="good"), token="wrong")
    with pytest.raises(BadCredentials):
        zammad.apply(Write("k", "31", "comment", {"subject": "s", "text": "t"}))


def test_a_note_already_in_zammad_is_found_by_its_key() -> None:
    stand_in = ZammadStandIn()
    zammad = connector(stand_in)
    write = Write("zammad:31:C-000001:2:comment", "31", "comment", {"subject": "s", "text": "t"})
    assert not zammad.applied(write)
    zammad.apply(write)
    assert zammad.applied(write)
