"""HTTP to a helpdesk, with its failures in the connector's terms (helpdesk.connector):
timeouts, refused connections, 429 and 5xx are `Unavailable` (retried), 401/403 is
`BadCredentials`, any other 4xx is `Refused`. The token is in the client's headers and
never in a message."""

from __future__ import annotations

from typing import Any

import httpx

from helpdesk.connector import BadCredentials, Refused, Unavailable

TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class HelpdeskHTTP:
    @classmethod
    def open(
        cls,
        name: str,
        url: str | None,
        api: str,
        headers: dict[str, str],
        token_env: str | None,
        client: httpx.Client | None = None,
    ) -> HelpdeskHTTP:
        """A client for the API at `url` + `api` (or the given one, in tests)."""
        base = (url or "").rstrip("/")
        made = client or httpx.Client(base_url=f"{base}/{api}", headers=headers, timeout=TIMEOUT)
        return cls(made, name, token_env)

    def __init__(self, client: httpx.Client, helpdesk: str, token_env: str | None) -> None:
        self.client = client
        self.helpdesk = helpdesk
        self.token_env = token_env

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        sending = method != "GET"
        name = self.helpdesk
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.TimeoutException as err:
            raise Unavailable(f"{name} timed out on {method} {path}", maybe_done=sending) from err
        except httpx.TransportError as err:
            raise Unavailable(f"{name} is unreachable ({type(err).__name__})") from err
        if response.status_code in (401, 403):
            raise BadCredentials(name, self.token_env)
        if response.status_code >= 500 or response.status_code == 429:
            raise Unavailable(
                f"{name} answered {response.status_code} to {method} {path}", maybe_done=sending
            )
        if response.status_code >= 400:
            raise Refused(f"{name} refused {method} {path}: {message(response)}")
        try:
            return response.json()
        except ValueError as err:
            raise Unavailable(f"{name} answered {method} {path} with something not JSON") from err

    def close(self) -> None:
        self.client.close()


def message(response: httpx.Response) -> str:
    """The helpdesk's own words for an error ('message' in RT, 'error' in Zammad)."""
    try:
        data = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(data, dict):
        for key in ("message", "error", "error_human"):
            if key in data:
                return str(data[key])
    return f"HTTP {response.status_code}"
