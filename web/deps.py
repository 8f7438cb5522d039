"""What every request may depend on: the services of this process and the current user.

The services (the desk over the case store, the accounts, the templates) are built
once per worker process by `web.app.create_app` and reached through the request, never
through module globals.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from cases.desk import Desk
from cases.sla import ServiceLevels
from present.names import Namer
from rules.errors import UnknownIdError
from web.accounts import Accounts, User
from web.errors import ForgedForm, LoginRequired, NotAllowed
from web.settings import Settings
from web.work import Work

HERE = Path(__file__).parent


@dataclass
class Services:
    settings: Settings
    work: Work
    portal: Work
    accounts: Accounts
    levels: ServiceLevels
    templates: Jinja2Templates
    names: Namer

    @property
    def desk(self) -> Desk:
        return self.work.desk


async def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


Svc = Annotated[Services, Depends(services)]


async def api_user(request: Request, svc: Svc) -> User:
    """The API client's user, from `Authorization: Bearer TOKEN`."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise LoginRequired(
            "this API needs a bearer token",
            hint="send 'Authorization: Bearer TOKEN' (make one with 'linewise user token NAME')",
        )
    user = svc.accounts.token_user(token.strip())
    if user is None:
        raise LoginRequired("the bearer token is not valid", hint="make a new one")
    request.state.user_name = user.name
    return user


ApiUser = Annotated[User, Depends(api_user)]


async def session_user(request: Request, svc: Svc) -> User | None:
    """The console's logged-in user, or None (no login, or it expired)."""
    name = request.session.get("user")
    at = request.session.get("at")
    if not isinstance(name, str) or not isinstance(at, int | float):
        return None
    if time.time() - at > svc.settings.session_seconds:
        request.session.clear()
        return None
    try:
        user = svc.accounts.user(name)
    except UnknownIdError:  # the account was removed since
        request.session.clear()
        return None
    request.state.user_name = user.name
    return user


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use); every form carries it."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, form: Any) -> None:
    """Refuse a form whose CSRF token is not this session's."""
    given = form.get("csrf") or request.headers.get("x-csrf-token") or ""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not secrets.compare_digest(str(given), token):
        raise ForgedForm(
            "this form was not issued by this login session",
            hint="reload the page and submit it again",
        )


def require_line(user: User, line: int) -> None:
    if not user.may_work(line):
        raise NotAllowed(
            f"{user.title} {user.name} cannot work a case on Line {line}",
            hint="a case is worked by its line's agents; managers read it",
        )
