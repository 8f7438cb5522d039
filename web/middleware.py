"""ASGI middleware: the request body limit, the portal's rate limit, structured access logs.

Access logs are one JSON object per request on the `linewise.access` logger: method,
path (portal keys and query strings left out), status, milliseconds, user. Nothing
secret (cookies, tokens, passwords, portal keys) is ever written.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import deque
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS = logging.getLogger("linewise.access")
_PORTAL_KEY = re.compile(r"(/portal/c/)[^/]+")


def _json_response(status: int, body: dict[str, Any], headers: dict[str, str]) -> list[Message]:
    raw = json.dumps(body).encode("utf-8")
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    head += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return [
        {"type": "http.response.start", "status": status, "headers": head},
        {"type": "http.response.body", "body": raw},
    ]


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, before any of it is parsed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = {
            "code": "too_large",
            "message": f"the request body is larger than {self.limit} bytes",
            "field": None,
            "hint": "send less at once",
        }
        for message in _json_response(413, body, {}):
            await send(message)


class _TooLarge(Exception):
    pass


class RateLimit:
    """At most `per_minute` requests per client address on paths under `prefix` (per
    worker process; a sliding window)."""

    def __init__(self, app: ASGIApp, prefix: str, per_minute: int) -> None:
        self.app = app
        self.prefix = prefix
        self.per_minute = per_minute
        self.seen: dict[str, deque[float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        now = time.monotonic()
        times = self.seen.setdefault(client, deque())
        while times and now - times[0] > 60:
            times.popleft()
        if len(times) >= self.per_minute:
            wait = max(1, int(60 - (now - times[0])) + 1)
            body = {
                "code": "rate_limited",
                "message": "too many requests from this address",
                "field": None,
                "hint": f"wait {wait} s and try again",
            }
            for message in _json_response(429, body, {"Retry-After": str(wait)}):
                await send(message)
            return
        times.append(now)
        if len(self.seen) > 10_000:  # forget idle clients
            for key in [k for k, v in self.seen.items() if not v or now - v[-1] > 60]:
                del self.seen[key]
        await self.app(scope, receive, send)


class AccessLog:
    """One structured log record per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def tracking(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        finally:
            state = scope.get("state") or {}
            record = {
                "method": scope.get("method"),
                "path": _PORTAL_KEY.sub(r"\1***", str(scope.get("path", ""))),
                "status": status,
                "ms": round((time.perf_counter() - start) * 1000, 1),
                "user": state.get("user_name"),
            }
            ACCESS.info(json.dumps(record, sort_keys=True))
