"""Signed webhooks from Zammad and GLPI: verified before anything is read, then parsed
into `TicketNews`.

Zammad (lib/user_agent.rb, app/jobs/trigger_webhook_job.rb; admin docs "Webhook"):
`X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw body, keyed by the webhook's
signature token>`, `X-Zammad-Delivery: <a unique id per delivery>` (kept when Zammad
retries), body `{"ticket": {...}, "article": {...}}` where the ticket carries id,
title, group, state, customer, created_at, updated_at and updated_by (names, or nested
objects with name/login/email).

GLPI 10/11 (src/Webhook.php): `X-GLPI-signature: <hex HMAC-SHA256 of the raw body
followed by the timestamp, keyed by the webhook's secret>`, `X-GLPI-timestamp: <unix
seconds>`; the default body is `{"event": "new"|"update"|..., "item": {...}}` with the
item as the high-level API shows a Ticket: id, name, status {id, name}, category {id,
name}, date_creation, date_mod, team [{id, name, type, role}]. A retried delivery keeps
its headers and body, so the signature itself identifies the delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from helpdesk.connector import OWN_MARK, TicketNews
from rules.errors import LinewiseError


class BadSignature(LinewiseError):
    """A webhook that is not signed with the shared secret: refused, nothing read."""

    exit_code = 2


class BadPayload(LinewiseError):
    """A signed webhook whose body is not what the helpdesk sends; names the field."""

    exit_code = 2

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, hint="check the webhook's payload settings in the helpdesk")
        self.field = field


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.strip().lower().encode(), expected.encode())


def verify_zammad(body: bytes, headers: dict[str, str], secret: str) -> str:
    """The delivery id of a Zammad webhook whose signature is right; else BadSignature."""
    given = headers.get("x-hub-signature", "")
    expected = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    if not given or not _same(given, expected):
        raise BadSignature("the Zammad webhook's X-Hub-Signature is missing or wrong")
    delivery = headers.get("x-zammad-delivery", "").strip()
    if not delivery:
        raise BadPayload("the Zammad webhook has no X-Zammad-Delivery header", "X-Zammad-Delivery")
    return f"zammad:{delivery[:200]}"


def verify_glpi(body: bytes, headers: dict[str, str], secret: str) -> str:
    """The delivery id of a GLPI webhook whose signature is right; else BadSignature."""
    given = headers.get("x-glpi-signature", "")
    stamp = headers.get("x-glpi-timestamp", "").strip()
    expected = hmac.new(secret.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    if not given or not stamp or not _same(given, expected):
        raise BadSignature("the GLPI webhook's X-GLPI-signature is missing or wrong")
    return f"glpi:{stamp}:{expected}"


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise BadPayload(f"the webhook's body is not JSON: {err}") from err
    if not isinstance(data, dict):
        raise BadPayload("the webhook's body is not a JSON object")
    return data


def _object(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise BadPayload(f"'{where}{key}' is missing or not an object", f"{where}{key}")
    return value


def _name(value: Any, *keys: str) -> str | None:
    """A name given either as text or as a nested object with one of `keys`."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), str) and value[key]:
                return str(value[key])
    return None


def _ident(value: Any, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or str(value) == "":
        raise BadPayload(f"'{field}' is missing or not an id", field)
    return str(value)


def zammad_news(body: bytes, delivery: str) -> TicketNews:
    data = _json(body)
    ticket = _object(data, "ticket", "")
    ident = _ident(ticket.get("id"), "ticket.id")
    version = ticket.get("updated_at")
    if not isinstance(version, str) or not version:
        raise BadPayload("'ticket.updated_at' is missing", "ticket.updated_at")
    article = data.get("article") if isinstance(data.get("article"), dict) else {}
    own = isinstance(article, dict) and OWN_MARK in str(article.get("subject") or "")
    fields = {}
    customer = _name(ticket.get("customer"), "email", "login")
    if customer:
        fields["requestor"] = customer
    owner = _name(ticket.get("owner"), "login", "email")
    if owner and owner != "-":
        fields["owner"] = owner
    return TicketNews(
        helpdesk="zammad",
        ticket=ident,
        delivery=delivery,
        version=version,
        queue=_name(ticket.get("group"), "name"),
        subject=str(ticket.get("title") or ""),
        status=_name(ticket.get("state"), "name"),
        by=_name(ticket.get("updated_by"), "login", "email"),
        own=own,
        created=ticket.get("created_at") == version,
        fields=fields,
    )


def glpi_news(body: bytes, delivery: str) -> TicketNews:
    data = _json(body)
    item = _object(data, "item", "")
    event = str(data.get("event") or "")
    if "items_id" in item and "itemtype" in item:  # a followup: it concerns its ticket
        ident = _ident(item.get("items_id"), "item.items_id")
        own = OWN_MARK in str(item.get("content") or "")
        stamp = str(item.get("date_mod") or item.get("date_creation") or "")
        return TicketNews("glpi", ident, delivery, stamp, None, own=own)
    ident = _ident(item.get("id"), "item.id")
    version = item.get("date_mod")
    if not isinstance(version, str) or not version:
        raise BadPayload("'item.date_mod' is missing", "item.date_mod")
    fields = {}
    for member in item.get("team") or []:
        if isinstance(member, dict) and str(member.get("role", "")).lower() == "requester":
            name = _name(member.get("name"))
            if name:
                fields["requestor"] = name
                break
    location = _name(item.get("location"), "name")
    if location:
        fields["location"] = location
    return TicketNews(
        helpdesk="glpi",
        ticket=ident,
        delivery=delivery,
        version=version,
        queue=_name(item.get("category"), "name"),
        subject=str(item.get("name") or ""),
        status=_name(item.get("status"), "name"),
        by=_name(item.get("user_editor"), "name"),
        created=event == "new",
        fields=fields,
    )


VERIFY = {"zammad": verify_zammad, "glpi": verify_glpi}
PARSE = {"zammad": zammad_news, "glpi": glpi_news}
