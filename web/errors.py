"""The one boundary where linewise's errors become HTTP statuses and stable error bodies.

The CLI maps its errors to exit codes in cli/main.py; the web maps the same errors
here: bad input (exit 2) -> 422 (400 for a body that is not JSON), an unknown id
(exit 3) -> 404, a stale step or a double submit -> 409, a store that cannot be used
(exit 4) -> 503 with Retry-After. Every error body has the same shape, `ErrorBody`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from cases.desk_errors import ClosedCase, PackVersionError
from cases.store import StoreError
from rules.errors import LinewiseError, UnknownIdError

RETRY_AFTER_SECONDS = 5


class ErrorBody(BaseModel):
    """What every error response carries."""

    code: str  # bad_input, malformed_json, unknown_id, stale_step, conflict, ...
    message: str
    field: str | None = None
    hint: str | None = None


class WebError(LinewiseError):
    """An error only the web has (a stale step, a login, a forged form)."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, hint: str | None = None, field: str | None = None):
        super().__init__(message, hint=hint)
        self.field = field


class StaleStep(WebError):
    """An answer to a step that is no longer the current one (two tabs, a double submit)."""

    exit_code = 2
    status = 409
    code = "stale_step"


class NotAllowed(WebError):
    """The user's role does not allow this action or queue."""

    exit_code = 2
    status = 403
    code = "forbidden"


class LoginRequired(WebError):
    """No valid login (none, expired, or a bad token)."""

    exit_code = 2
    status = 401
    code = "login_required"


class ForgedForm(WebError):
    """A form without the session's CSRF token."""

    exit_code = 2
    status = 403
    code = "csrf"


class Unsigned(WebError):
    """A helpdesk webhook without the shared secret's signature: nothing is read."""

    exit_code = 2
    status = 401
    code = "bad_signature"


class BadHook(WebError):
    """A signed helpdesk webhook whose body is not what the helpdesk sends."""

    exit_code = 2
    status = 400
    code = "bad_payload"


class TooLarge(WebError):
    exit_code = 2
    status = 413
    code = "too_large"


class TooMany(WebError):
    exit_code = 2
    status = 429
    code = "rate_limited"


def classify(err: LinewiseError) -> tuple[int, str, dict[str, str]]:
    """(HTTP status, error code, extra headers) for a linewise error."""
    if isinstance(err, WebError):
        return err.status, err.code, {}
    if isinstance(err, StoreError):
        return 503, "store_unavailable", {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if isinstance(err, ClosedCase | PackVersionError):
        return 409, "conflict", {}
    if isinstance(err, UnknownIdError):
        return 404, "unknown_id", {}
    if err.exit_code == 2:
        return 422, "bad_input", {}
    return 500, "failed", {}


def body(err: LinewiseError, code: str) -> dict[str, Any]:
    field = getattr(err, "field", None)
    hint = err.hint
    if code == "store_unavailable":
        hint = (hint + "; " if hint else "") + f"retry in {RETRY_AFTER_SECONDS} s"
    return ErrorBody(code=code, message=err.message, field=field, hint=hint).model_dump()
