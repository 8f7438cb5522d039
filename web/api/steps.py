"""/api/cases/{id}/...: the guided session over HTTP: answer, unknown, back, fix, escalate,
resume, and WHY / HOW / WHY NOT. Every change carries the step it answers (409 if stale)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from web.accounts import User
from web.api.models import (
    AnswerBody,
    EscalateBody,
    EscalatedView,
    Explanation,
    FixBody,
    ResumeBody,
    StepBody,
    UnknownBody,
)
from web.deps import ApiUser, Services, Svc, require_line
from web.views import StepView

router = APIRouter(prefix="/api/cases/{case_id}", tags=["sessions"])


def _may_work(svc: Services, user: User, case_id: str) -> None:
    require_line(user, svc.work.line_of(case_id))


@router.post("/answer", response_model=StepView)
async def answer(case_id: str, body: AnswerBody, user: ApiUser, svc: Svc) -> StepView:
    """Answer the question the case asks now."""
    _may_work(svc, user, case_id)
    return svc.work.answer(case_id, body.step, body.question, body.value, agent=user.name)


@router.post("/unknown", response_model=StepView)
async def unknown(case_id: str, body: UnknownBody, user: ApiUser, svc: Svc) -> StepView:
    """The customer cannot tell."""
    _may_work(svc, user, case_id)
    return svc.work.answer(case_id, body.step, body.question, "unknown", agent=user.name)


@router.post("/back", response_model=StepView)
async def back(case_id: str, body: StepBody, user: ApiUser, svc: Svc) -> StepView:
    """Take back the last answer given on this line."""
    _may_work(svc, user, case_id)
    return svc.work.back(case_id, body.step, agent=user.name)


@router.post("/fix", response_model=StepView)
async def fix(case_id: str, body: FixBody, user: ApiUser, svc: Svc) -> StepView:
    """Whether the proposed fix worked (it did not: the fault is ruled out, and on)."""
    _may_work(svc, user, case_id)
    return svc.work.fix(case_id, body.step, body.fault, body.worked, body.note, agent=user.name)


@router.post("/escalate", response_model=EscalatedView)
async def escalate(case_id: str, body: EscalateBody, user: ApiUser, svc: Svc) -> EscalatedView:
    """Hand the case to the next line with a note (the engine's reason, or the agent's)."""
    _may_work(svc, user, case_id)
    view, packet = svc.work.escalate(case_id, body.step, body.note, agent=user.name)
    return EscalatedView(view=view, handoff=packet)


@router.post("/resume", response_model=StepView)
async def resume(case_id: str, body: ResumeBody, user: ApiUser, svc: Svc) -> StepView:
    """Pick up a case escalated to the agent's line, or continue a paused one; with
    `line`, take a case up at the agent's own (higher) line ("resume at a line")."""
    require_line(user, body.line or svc.work.line_of(case_id))
    return svc.work.resume(
        case_id, agent=user.name, allow_pack_change=body.allow_pack_change, line=body.line
    )


@router.get("/why", response_model=Explanation)
async def why(case_id: str, user: ApiUser, svc: Svc) -> Explanation:
    """WHY the current question: what it decides between, and why it comes now."""
    data, view = svc.work.explain(case_id, "why", agent=user.name)
    return Explanation(data=data, view=view)


@router.get("/how", response_model=Explanation)
async def how(case_id: str, user: ApiUser, svc: Svc, all: bool = False) -> Explanation:
    """HOW: the facts, the rules that fired and the hypotheses so far (`all`: internal
    bookkeeping facts too)."""
    data, view = svc.work.explain(case_id, "how", agent=user.name, everything=all)
    return Explanation(data=data, view=view)


@router.get("/whynot", response_model=Explanation)
async def whynot(
    case_id: str, user: ApiUser, svc: Svc, fault: Annotated[str, Query(max_length=200)]
) -> Explanation:
    """WHY NOT a fault (its id, or words of its title): the first condition that failed in
    each rule that could conclude it."""
    data, view = svc.work.explain(case_id, "whynot", fault, agent=user.name)
    return Explanation(data=data, view=view)
