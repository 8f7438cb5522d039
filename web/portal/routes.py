"""The self-service portal: a customer picks a complaint in plain words, answers what a
customer can answer, tries the fixes, and when that is not enough the case goes to a
Line 1 agent with everything collected (the agent never asks again).

No login: a portal session owns exactly one case, reached through an unguessable key in
its address (only its digest is stored). Requests are rate-limited per client address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cases.selfservice import CUSTOMER
from engine.compile import CompiledKnowledge
from engine.diagnose import DEFAULT_THRESHOLD
from engine.logic import UNKNOWN, FactValue
from engine.select import Choice, next_question
from rules.errors import UnknownIdError
from web.deps import Svc, check_csrf, csrf_token
from web.errors import StaleStep

router = APIRouter(prefix="/portal", include_in_schema=False)


def customer_policy(
    compiled: CompiledKnowledge,
    known: Mapping[str, FactValue],
    *,
    ruled_out: Iterable[str] = (),
    threshold: float = DEFAULT_THRESHOLD,
    escalation_cost: float | None = None,
) -> Choice | None:
    """The agents' question policy over the questions a customer can answer: questions
    marked `agent_only` count as settled for the choice (never as answers)."""
    hidden = {
        qid: UNKNOWN
        for qid, q in compiled.kb.questions.items()
        if q.agent_only and qid not in known
    }
    return next_question(
        compiled,
        {**known, **hidden},
        ruled_out=ruled_out,
        threshold=threshold,
        escalation_cost=escalation_cost,
    )


def _page(request: Request, svc: Svc, name: str, **context: Any) -> Response:
    context.update(csrf=csrf_token(request), lang=svc.settings.lang, t=svc.names)
    return svc.templates.TemplateResponse(request, name, context)


def _case_id(svc: Svc, key: str) -> str:
    found = svc.accounts.portal_case(key)
    if found is None:
        raise UnknownIdError("this self-service page does not exist", hint="start again")
    return found


@router.get("/", response_class=HTMLResponse)
async def start_page(request: Request, svc: Svc) -> Response:
    """The complaints in plain words."""
    symptoms = svc.portal.desk.knowledge(1).kb.symptoms
    complaints = sorted(
        (
            (sid, s.title.get(svc.settings.lang), s.help.get(svc.settings.lang) if s.help else "")
            for sid, s in symptoms.items()
        ),
        key=lambda item: item[1],
    )
    return _page(request, svc, "portal_start.html", complaints=complaints)


def _worked(said: str) -> bool | None:
    """The fix form's button: yes, no, or later (cannot be confirmed now: None)."""
    return None if said == "later" else said == "yes"


@router.post("/start")
async def start(
    request: Request,
    svc: Svc,
    complaint: Annotated[str, Form(max_length=200)],
    customer: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(request, {"csrf": csrf})
    intake = {"complaint": complaint, "service_form": "self_service"}
    if customer.strip():
        intake["customer"] = customer.strip()
    live = svc.portal.desk.open(intake, 1, agent=CUSTOMER)
    key = svc.accounts.portal_key(live.case_id)
    return RedirectResponse(f"/portal/c/{key}", 303)


@router.get("/c/{key}", response_class=HTMLResponse)
async def step_page(request: Request, svc: Svc, key: str) -> Response:
    case_id = _case_id(svc, key)
    view = svc.portal.view(svc.portal.load(case_id), agent=CUSTOMER, audience="customer")
    return _page(request, svc, "portal_step.html", view=view, key=key)


async def _form(request: Request, svc: Svc, key: str) -> tuple[str, Any, int]:
    case_id = _case_id(svc, key)
    form = await request.form()
    check_csrf(request, form)
    raw = str(form.get("step", ""))
    if not raw.isdigit():
        raise StaleStep("the form has no step number", hint="reload the page", field="step")
    return case_id, form, int(raw)


@router.post("/c/{key}/answer")
async def answer(request: Request, svc: Svc, key: str) -> Response:
    case_id, form, step = await _form(request, svc, key)
    value = str(form.get("value", ""))[:500]
    svc.portal.answer(case_id, step, str(form.get("question", "")), value, agent=CUSTOMER)
    return RedirectResponse(f"/portal/c/{key}", 303)


@router.post("/c/{key}/fix")
async def fix(request: Request, svc: Svc, key: str) -> Response:
    case_id, form, step = await _form(request, svc, key)
    worked = _worked(str(form.get("worked", "")))
    svc.portal.fix(case_id, step, str(form.get("fault", "")), worked, agent=CUSTOMER)
    return RedirectResponse(f"/portal/c/{key}", 303)


@router.post("/c/{key}/escalate")
async def escalate(request: Request, svc: Svc, key: str) -> Response:
    case_id, form, step = await _form(request, svc, key)
    note = str(form.get("note", ""))[:4000]
    svc.portal.escalate(case_id, step, note, agent=CUSTOMER, to_agent=True)
    return RedirectResponse(f"/portal/c/{key}", 303)
