"""The agent console: login, queues per line, the guided session, explanations, handoffs.

Pages are plain HTML forms first (each POST redirects back to the case page); htmx
(hx-boost) only makes them faster. Every form carries the session's CSRF token, every
change the step it answers, and every action is checked against the user's role.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cases.queue import queues
from engine.facts import now
from present.recap import recap_document
from rules.errors import LinewiseError
from web.accounts import User
from web.deps import Svc, check_csrf, csrf_token, require_line, session_user
from web.errors import LoginRequired, NotAllowed, StaleStep

router = APIRouter(prefix="/console", include_in_schema=False)
MaybeUser = Annotated[User | None, Depends(session_user)]


def _user(user: User | None) -> User:
    if user is None:
        raise LoginRequired("please log in", hint="your login may have expired")
    return user


def _page(request: Request, svc: Svc, name: str, user: User | None, **context: Any) -> Response:
    context.update(user=user, csrf=csrf_token(request), lang=svc.settings.lang, t=svc.names)
    return svc.templates.TemplateResponse(request, name, context)


def _back(case_id: str, panel: str = "") -> RedirectResponse:
    return RedirectResponse(f"/console/cases/{case_id}" + (f"?panel={panel}" if panel else ""), 303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, svc: Svc, user: MaybeUser, expired: int = 0) -> Response:
    return _page(request, svc, "login.html", None, expired=bool(expired), failed=False)


def _worked(said: str) -> bool | None:
    """The fix form's button: yes, no, or later (cannot be confirmed now: None)."""
    return None if said == "later" else said == "yes"


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    svc: Svc,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(request, {"csrf": csrf})
    user = svc.accounts.login(name, password)
    if user is None:
        response = _page(request, svc, "login.html", None, expired=False, failed=True)
        response.status_code = 401
        return response
    request.session.clear()
    request.session.update(user=user.name, at=int(time.time()))
    csrf_token(request)
    return RedirectResponse("/console/", 303)


@router.post("/logout")
async def logout(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    check_csrf(request, {"csrf": csrf})
    request.session.clear()
    return RedirectResponse("/console/login", 303)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, svc: Svc, user: MaybeUser) -> Response:
    """The queues of the user's line(s) and a form to open a case."""
    me = _user(user)
    at = now()
    store = svc.desk.store
    by_line = {line: queues(store, line, svc.levels, at) for line in me.lines()}  # type: ignore[arg-type]
    complaints: list[tuple[str, str]] = []
    if me.line is not None or me.role == "admin":
        line = me.line or 1
        symptoms = svc.desk.knowledge(line).kb.symptoms
        complaints = sorted(
            ((sid, s.title.get(svc.settings.lang)) for sid, s in symptoms.items()),
            key=lambda item: item[1],
        )
    return _page(request, svc, "queues.html", me, queues=by_line, complaints=complaints)


@router.post("/cases")
async def open_case(request: Request, svc: Svc, user: MaybeUser) -> Response:
    me = _user(user)
    form = await request.form()
    check_csrf(request, form)
    if me.line is None and me.role != "admin":
        raise NotAllowed(f"{me.title} {me.name} does not open cases")
    fields = (
        "complaint",
        "customer",
        "location",
        "equipment_type",
        "equipment_model",
        "equipment_serial",
        "service_form",
        "channel",
    )
    intake = {f: str(form.get(f, "")).strip()[:500] for f in fields if str(form.get(f, "")).strip()}
    live = svc.desk.open(intake, me.line or 1, agent=me.name)
    return _back(live.case_id)


TAKEN_UP = ("open", "escalated", "abandoned")  # what a higher line may take up


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_page(
    request: Request,
    svc: Svc,
    user: MaybeUser,
    case_id: str,
    panel: str = "",
    fault: str = "",
    all: bool = False,
) -> Response:
    """The guided session (or the handoff waiting to be picked up, or the outcome);
    `?all=1` shows internal (bookkeeping) facts in HOW and the handoff."""
    me = _user(user)
    case = svc.work.load(case_id)
    view = svc.work.view(case, agent=me.name, everything=all)
    explain: Any = None
    explain_error: str | None = None
    if panel in ("why", "how", "whynot") and view.status == "open":
        try:
            _, explain = svc.work.explain(
                case.id, panel, fault.strip(), agent=me.name, everything=all
            )
        except LinewiseError as err:
            explain_error = err.render()
    faults = (
        sorted(
            (
                (fid, f.title.get(svc.settings.lang))
                for fid, f in svc.desk.knowledge(view.line).kb.faults.items()
            ),
            key=lambda item: item[1],
        )
        if view.status == "open"
        else []
    )
    recap = recap_document(case, svc.desk.kb, svc.settings.lang) if view.status == "open" else None
    return _page(
        request,
        svc,
        "case.html",
        me,
        recap=recap,
        view=view,
        may_work=me.may_work(view.line),
        take_up=me.line
        if me.line is not None and me.line > view.line and view.status in TAKEN_UP
        else None,
        panel=panel,
        explain=explain,
        explain_error=explain_error,
        fault=fault,
        faults=faults,
        everything=all,
        events=case.events,
    )


async def _form(request: Request, case_id: str, svc: Svc, user: User | None) -> tuple[User, Any]:
    me = _user(user)
    form = await request.form()
    check_csrf(request, form)
    require_line(me, svc.work.line_of(case_id))
    return me, form


def _step(form: Any) -> int:
    raw = str(form.get("step", ""))
    if not raw.lstrip("-").isdigit():
        raise StaleStep("the form has no step number", hint="reload the case", field="step")
    return int(raw)


@router.post("/cases/{case_id}/answer")
async def answer(request: Request, svc: Svc, user: MaybeUser, case_id: str) -> Response:
    me, form = await _form(request, case_id, svc, user)
    value = str(form.get("value", ""))[:500]
    svc.work.answer(case_id, _step(form), str(form.get("question", "")), value, agent=me.name)
    return _back(case_id)


@router.post("/cases/{case_id}/back")
async def back(request: Request, svc: Svc, user: MaybeUser, case_id: str) -> Response:
    me, form = await _form(request, case_id, svc, user)
    svc.work.back(case_id, _step(form), agent=me.name)
    return _back(case_id)


@router.post("/cases/{case_id}/fix")
async def fix(request: Request, svc: Svc, user: MaybeUser, case_id: str) -> Response:
    me, form = await _form(request, case_id, svc, user)
    worked = _worked(str(form.get("worked", "")))
    note = str(form.get("note", ""))[:4000]
    svc.work.fix(case_id, _step(form), str(form.get("fault", "")), worked, note, agent=me.name)
    return _back(case_id)


@router.post("/cases/{case_id}/escalate")
async def escalate(request: Request, svc: Svc, user: MaybeUser, case_id: str) -> Response:
    me, form = await _form(request, case_id, svc, user)
    note = str(form.get("note", ""))[:4000]
    svc.work.escalate(case_id, _step(form), note, agent=me.name)
    return _back(case_id)


@router.post("/cases/{case_id}/resume")
async def resume(request: Request, svc: Svc, user: MaybeUser, case_id: str) -> Response:
    me = _user(user)
    form = await request.form()
    check_csrf(request, form)
    raw = str(form.get("line", ""))
    line = int(raw) if raw in ("1", "2", "3", "4") else None
    require_line(me, line or svc.work.line_of(case_id))
    svc.work.resume(case_id, agent=me.name, line=line)
    return _back(case_id)


@router.get("/cases/{case_id}/transcript", response_class=HTMLResponse)
async def transcript(request: Request, svc: Svc, user: MaybeUser, case_id: str) -> Response:
    me = _user(user)
    case = svc.work.load(case_id)
    return _page(request, svc, "transcript.html", me, case=case, sessions=case.sessions())
