"""The FastAPI application: routers per resource, middleware, and the error boundary.

`create_app(settings)` builds one application per worker process: it opens the case
store and the accounts, loads the packs once, and maps every expected error to an
HTTP status and a stable body (web.errors) - JSON under /api/, a page elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from cases.desk import Desk
from cases.sla import load_service_levels
from cases.store import open_store
from engine.compile import CompiledKnowledge
from helpdesk.sync import connect
from present.i18n import Words, status_label, translations, words
from present.names import Namer, channel_label, service_form_label
from rules.errors import LinewiseError
from rules.intake import CHANNELS, SERVICE_FORMS
from rules.knowledge import KnowledgeBase
from web import health
from web.accounts import Accounts
from web.api import cases as api_cases
from web.api import steps as api_steps
from web.deps import HERE, Services
from web.errors import ErrorBody, body, classify
from web.helpdesk_rounds import rounds
from web.middleware import AccessLog, BodyLimit, RateLimit
from web.settings import Settings
from web.webhooks import router as webhooks
from web.work import Work

LOG = logging.getLogger("linewise.web")
COOKIE = "linewise_session"


def role_titles(w: Words) -> dict[str, str]:
    """The roles as people read them, in the server's language."""
    return {
        "line1": w.t("Line 1 agent"),
        "line2": w.t("Line 2 agent"),
        "line3": w.t("Line 3 agent"),
        "line4": w.t("Line 4 agent"),
        "engineer": w.t("Line 3 engineer"),
        "manager": w.t("Support manager"),
        "admin": w.t("Administrator"),
    }


def templates(lang: str) -> Jinja2Templates:
    """The pages' templates in `lang`: their words through gettext (`_("...")`, taken
    from the same catalogue as present/'s strings by scripts/i18n), escaped by default."""
    env = Environment(
        loader=FileSystemLoader(
            [
                str(HERE / "templates"),
                str(HERE / "console/templates"),
                str(HERE / "portal/templates"),
            ]
        ),
        autoescape=select_autoescape(["html"], default=True),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    w = words(lang)
    titles = role_titles(w)
    env.globals.update(
        status=lambda value: status_label(str(value), w),
        role_title=lambda role: titles.get(str(role), str(role)),
        service_forms=[(v, service_form_label(v, w)) for v in SERVICE_FORMS],
        channels=[(v, channel_label(v, w)) for v in CHANNELS],
    )
    return Jinja2Templates(env=env)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/webhooks/")) or path in ("/readyz", "/healthz")


def _error(
    request: Request, status: int, payload: dict[str, Any], headers: dict[str, str]
) -> Response:
    if _wants_json(request):
        return JSONResponse(payload, status_code=status, headers=headers)
    svc: Services = request.app.state.services
    return svc.templates.TemplateResponse(
        request,
        "error.html",
        {"error": payload, "status": status},
        status_code=status,
        headers=headers,
    )


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(LinewiseError)
    async def linewise_error(request: Request, err: LinewiseError) -> Response:
        status, code, headers = classify(err)
        if status == 401 and not _wants_json(request):
            return RedirectResponse("/console/login?expired=1", status_code=303)
        return _error(request, status, body(err, code), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> Response:
        first = err.errors()[0] if err.errors() else {}
        if first.get("type") == "json_invalid":
            payload = ErrorBody(
                code="malformed_json",
                message="the request body is not valid JSON",
                hint=str(first.get("ctx", {}).get("error", "")) or None,
            )
            return _error(request, 400, payload.model_dump(), {})
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        payload = ErrorBody(
            code="bad_input",
            message=str(first.get("msg", "invalid request")),
            field=".".join(loc) or None,
            hint=f"{len(err.errors())} problem(s) in the request"
            if len(err.errors()) > 1
            else None,
        )
        return _error(request, 422, payload.model_dump(), {})

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(err.status_code, "http_error")
        payload = ErrorBody(code=code, message=str(err.detail))
        return _error(request, err.status_code, payload.model_dump(), dict(err.headers or {}))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, err: Exception) -> Response:
        LOG.exception("unexpected error on %s %s", request.method, request.url.path)
        payload = ErrorBody(
            code="internal", message="the server failed on this request", hint="see the server log"
        )
        return _error(request, 500, payload.model_dump(), {})


def open_services(
    settings: Settings, kb: KnowledgeBase, compiled: dict[int, CompiledKnowledge] | None = None
) -> Services:
    """The store, the accounts and the desk of one worker (opened in its event loop's
    thread: SQLite connections belong to the thread that made them)."""
    from web.portal.routes import customer_policy

    levels = load_service_levels()
    store = open_store(settings.store_path)
    desk = Desk(store, kb, lang=settings.lang, levels=levels, compiled=compiled)
    return Services(
        settings=settings,
        work=Work(desk),
        portal=Work(desk.with_policy(customer_policy)),
        accounts=Accounts(store, legacy=settings.accounts_path),
        levels=levels,
        templates=templates(settings.lang),
        names=Namer(kb, settings.lang),
    )


def create_app(
    settings: Settings, kb: KnowledgeBase, compiled: dict[int, CompiledKnowledge] | None = None
) -> FastAPI:
    """One application (per worker process) over the case store in `settings`;
    `compiled` shares the compiled knowledge of `kb` between applications (tests)."""
    from web.console import routes as console
    from web.portal import routes as portal

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = open_services(settings, kb, compiled)
        app.state.services = svc
        stop = asyncio.Event()
        writers = [m for m in settings.helpdesks.values() if m.url]
        background = (
            asyncio.create_task(
                rounds(writers, svc.work.desk, connect, settings.helpdesk_interval, stop)
            )
            if writers
            else None
        )
        try:
            yield
        finally:
            stop.set()
            if background is not None:
                await background
            svc.desk.store.close()
            svc.accounts.close()

    app = FastAPI(
        title="linewise",
        summary="Guided diagnosis for support lines: cases, sessions, explanations.",
        version="1",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    _install_errors(app)
    app.include_router(health.router)
    app.include_router(api_cases.router)
    app.include_router(api_steps.router)
    app.include_router(console.router)
    app.include_router(webhooks)
    if settings.portal:
        app.include_router(portal.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/console/", status_code=303)

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret,
        session_cookie=COOKIE,
        max_age=settings.session_seconds,
        same_site="strict",
        https_only=settings.secure_cookies,
    )
    if settings.portal:
        app.add_middleware(RateLimit, prefix="/portal", per_minute=settings.portal_per_minute)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(AccessLog)
    return app


def static_dir() -> Path:
    return HERE / "static"
