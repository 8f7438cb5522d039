"""Signed webhooks from Zammad and GLPI on `linewise serve` (fixtures in tests/data/helpdesk
say where their shapes come from): good and bad signatures, replays, linewise's own
changes, out-of-order deliveries, malformed payloads."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cases.store import open_store
from helpdesk import ledger
from helpdesk.mapping import load_mapping
from tests.webapp import Web, web_app

DATA = Path(__file__).resolve().parent / "data" / "helpdesk"
ZAMMAD_SECRET = "zammad-shared-secret-for-tests"
GLPI_SECRET = "glpi-shared-secret-for-tests"


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Web]:
    monkeypatch.setenv("LINEWISE_ZAMMAD_SECRET", ZAMMAD_SECRET)
    monkeypatch.setenv("LINEWISE_GLPI_SECRET", GLPI_SECRET)
    helpdesks = {
        "zammad": load_mapping(DATA / "zammad.yaml"),
        "glpi": load_mapping(DATA / "glpi.yaml"),
    }
    with web_app(tmp_path, helpdesks=helpdesks) as client:
        yield client


def zammad(web: Web, payload: dict[str, Any], delivery: str, *, secret: str = ZAMMAD_SECRET) -> Any:
    body = json.dumps(payload).encode()
    signature = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    return web.client.post(
        "/webhooks/zammad",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature": signature,
            "X-Zammad-Delivery": delivery,
            "X-Zammad-Trigger": "linewise",
        },
    )


def glpi(web: Web, payload: dict[str, Any], stamp: str, *, secret: str = GLPI_SECRET) -> Any:
    body = json.dumps(payload).encode()
    signature = hmac.new(secret.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    return web.client.post(
        "/webhooks/glpi",
        content=body,
        headers={"X-GLPI-signature": signature, "X-GLPI-timestamp": stamp},
    )


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def cases_in(web: Web) -> int:
    store = open_store(web.settings.store_path)
    try:
        return store.count()
    finally:
        store.close()


def test_a_signed_zammad_ticket_opens_a_case_and_its_replay_does_nothing(web: Web) -> None:
    payload = fixture("zammad-ticket.json")
    first = zammad(web, payload, "d-1")
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "opened"
    case_id = first.json()["case"]
    store = open_store(web.settings.store_path)
    case = store.load(case_id)
    store.close()
    assert case.intake["complaint"] == "wired_no_network"
    assert case.intake["customer"] == "ann@example.com"
    again = zammad(web, payload, "d-1")
    assert again.json()["outcome"] == "duplicate"
    assert cases_in(web) == 1


@pytest.mark.parametrize("signature", ["", "sha1=" + "0" * 40, "forged"])
def test_a_forged_or_missing_zammad_signature_is_refused_and_nothing_stored(
    web: Web, signature: str
) -> None:
    body = json.dumps(fixture("zammad-ticket.json")).encode()
    headers = {"X-Zammad-Delivery": "d-2", "Content-Type": "application/json"}
    if signature:
        headers["X-Hub-Signature"] = signature
    answer = web.client.post("/webhooks/zammad", content=body, headers=headers)
    assert answer.status_code == 401
    assert answer.json()["code"] == "bad_signature"
    assert cases_in(web) == 0
    signed_by_another = zammad(web, fixture("zammad-ticket.json"), "d-3", secret="other")
    assert signed_by_another.status_code == 401


def test_zammad_news_made_by_linewise_itself_is_ignored(web: Web) -> None:
    payload = fixture("zammad-ticket.json")
    zammad(web, payload, "d-4")
    echo = json.loads(json.dumps(payload))
    echo["ticket"]["updated_at"] = "2026-11-30T10:05:00.000Z"
    echo["ticket"]["updated_by"] = {"login": "linewise@example.com"}
    answer = zammad(web, echo, "d-5")
    assert answer.json()["outcome"] == "own"
    assert cases_in(web) == 1


def test_an_older_zammad_delivery_arriving_late_does_not_undo_newer_state(web: Web) -> None:
    payload = fixture("zammad-ticket.json")
    zammad(web, payload, "d-6")
    newer = json.loads(json.dumps(payload))
    newer["ticket"].update(updated_at="2026-11-30T11:00:00.000Z", state="closed")
    older = json.loads(json.dumps(payload))
    older["ticket"].update(updated_at="2026-11-30T10:30:00.000Z", state="open")
    assert zammad(web, newer, "d-7").json()["outcome"] == "updated"
    assert zammad(web, older, "d-8").json()["outcome"] == "stale"
    store = open_store(web.settings.store_path)
    with store.reading() as conn:
        link = ledger.link_of(conn, "zammad", "31")
    store.close()
    assert link is not None and link.state["status"] == "closed"


def test_a_malformed_zammad_payload_is_400_naming_the_field(web: Web) -> None:
    answer = zammad(web, {"ticket": {"id": 31}}, "d-9")
    assert answer.status_code == 400
    assert answer.json()["field"] == "ticket.updated_at"
    not_json = b"{not json"
    signature = "sha1=" + hmac.new(ZAMMAD_SECRET.encode(), not_json, hashlib.sha1).hexdigest()
    answer = web.client.post(
        "/webhooks/zammad",
        content=not_json,
        headers={"X-Hub-Signature": signature, "X-Zammad-Delivery": "d-10"},
    )
    assert answer.status_code == 400 and "Traceback" not in answer.text


def test_a_ticket_in_an_unmapped_group_is_kept_as_unmapped(web: Web) -> None:
    payload = fixture("zammad-ticket.json")
    payload["ticket"]["group"] = {"name": "Facilities"}
    answer = zammad(web, payload, "d-11")
    assert answer.json()["outcome"] == "unmapped"
    assert cases_in(web) == 0


def test_a_signed_glpi_ticket_opens_a_case_and_a_replay_does_nothing(web: Web) -> None:
    payload = fixture("glpi-ticket.json")
    first = glpi(web, payload, "1764496800")
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "opened"
    store = open_store(web.settings.store_path)
    case = store.load(first.json()["case"])
    store.close()
    assert case.intake["customer"] == "ann" and case.intake["location"] == "Warehouse office"
    assert glpi(web, payload, "1764496800").json()["outcome"] == "duplicate"
    assert cases_in(web) == 1


def test_glpi_signature_covers_the_timestamp(web: Web) -> None:
    payload = fixture("glpi-ticket.json")
    body = json.dumps(payload).encode()
    signature = hmac.new(GLPI_SECRET.encode(), body + b"100", hashlib.sha256).hexdigest()
    answer = web.client.post(
        "/webhooks/glpi",
        content=body,
        headers={"X-GLPI-signature": signature, "X-GLPI-timestamp": "200"},
    )
    assert answer.status_code == 401 and cases_in(web) == 0


def test_glpi_out_of_order_and_own_followups(web: Web) -> None:
    payload = fixture("glpi-ticket.json")
    glpi(web, payload, "1")
    newer = json.loads(json.dumps(payload))
    newer.update(event="update")
    newer["item"].update(date_mod="2026-11-30 12:00:00", status={"id": 5, "name": "Solved"})
    older = json.loads(json.dumps(payload))
    older.update(event="update")
    older["item"].update(date_mod="2026-11-30 11:00:00", status={"id": 2, "name": "Assigned"})
    assert glpi(web, newer, "2").json()["outcome"] == "updated"
    assert glpi(web, older, "3").json()["outcome"] == "stale"
    followup = {
        "event": "new",
        "item": {
            "id": 900,
            "itemtype": "Ticket",
            "items_id": 57,
            "content": "[linewise rt:57:C-000001:1:comment] linewise opened case C-000001",
            "date_mod": "2026-11-30 12:30:00",
        },
    }
    assert glpi(web, followup, "4").json()["outcome"] == "own"


def test_a_helpdesk_without_a_mapping_has_no_webhook(web: Web) -> None:
    answer = web.client.post("/webhooks/jira", content=b"{}")
    assert answer.status_code == 404 and answer.json()["code"] == "unknown_id"
