"""Inbound helpdesk webhooks: `POST /webhooks/zammad` and `POST /webhooks/glpi`.

Each is verified against the shared secret of its mapping (`linewise serve --helpdesk
FILE`) before its body is read; a forged or unsigned one is refused with 401 and nothing
is stored. A verified delivery is taken once (helpdesk.inbox): a replay, linewise's own
change coming back, or an older delivery arriving late changes nothing. Webhooks carry a
signature instead of a login, so they need neither a session nor a CSRF token.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request

from helpdesk.inbox import take
from helpdesk.webhooks import PARSE, VERIFY, BadPayload, BadSignature
from rules.errors import UnknownIdError
from web.deps import Svc
from web.errors import BadHook, Unsigned

LOG = logging.getLogger("linewise.web.webhooks")
router = APIRouter(prefix="/webhooks", tags=["helpdesk webhooks"])


@router.post("/{helpdesk}")
async def webhook(helpdesk: str, request: Request, svc: Svc) -> dict[str, Any]:
    """Take one signed delivery from a helpdesk: a new ticket in a mapped queue opens a
    case. The answer says what came of it: opened, updated, own, stale, unmapped or
    duplicate (a replay), and the case it concerns."""
    mapping = svc.settings.helpdesks.get(helpdesk)
    if mapping is None or helpdesk not in VERIFY:
        raise UnknownIdError(
            f"no webhook for '{helpdesk}' on this server",
            hint="start the server with --helpdesk MAPPING for zammad or glpi",
        )
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        delivery = VERIFY[helpdesk](body, headers, mapping.secret())
    except BadSignature as err:
        LOG.warning("refused a %s webhook from %s: bad signature", helpdesk, _client(request))
        hint = "sign it with the secret in $" + str(mapping.secret_env)
        raise Unsigned(err.message, hint=hint) from None
    except BadPayload as err:
        raise BadHook(err.message, hint=err.hint, field=err.field) from err
    try:
        news = PARSE[helpdesk](body, delivery)
    except BadPayload as err:
        raise BadHook(err.message, hint=err.hint, field=err.field) from err
    outcome, about = take(news, mapping, svc.work.desk)
    LOG.info("%s webhook %s: ticket %s %s", helpdesk, delivery[:40], news.ticket, outcome)
    return {"outcome": outcome, "ticket": news.ticket, "case": about or None}


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"
