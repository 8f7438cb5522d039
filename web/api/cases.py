"""/api/cases: open a case, list and filter cases, read a case, its transcript and queues."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cases.case_filter import CaseFilter
from cases.queue import find, queues
from engine.facts import now
from web.api.models import CaseRow, Complaint, Me, OpenCase, Transcript
from web.deps import ApiUser, Svc, require_line
from web.errors import NotAllowed
from web.views import StepView

router = APIRouter(prefix="/api", tags=["cases"])


@router.post("/cases", status_code=201, response_model=StepView)
async def open_case(body: OpenCase, user: ApiUser, svc: Svc) -> StepView:
    """Open a case with its intake at the agent's line (Line 1 unless given)."""
    line = body.line or user.line or 1
    require_line(user, line)
    intake = body.intake.model_dump(exclude_none=True)
    return svc.work.open(intake, line, agent=user.name)


@router.get("/cases", response_model=list[CaseRow])
async def list_cases(
    user: ApiUser,
    svc: Svc,
    line: Annotated[int | None, Query(ge=1, le=4)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    agent: Annotated[str | None, Query(max_length=64)] = None,
    service_form: Annotated[str | None, Query(max_length=50)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[CaseRow]:
    """Cases, newest first, filtered by line, status, agent and form of service."""
    kept = find(
        svc.desk.store,  # type: ignore[arg-type]
        CaseFilter(line=line, status=status, agent=agent, service_form=service_form),
        limit,
    )
    return [
        CaseRow(
            summary=c.summary,
            service_form=c.summary.service_form,
            channel=c.channel,
            agents=c.agents,
        )
        for c in kept
    ]


@router.get("/cases/{case_id}", response_model=StepView)
async def get_case(case_id: str, user: ApiUser, svc: Svc, all: bool = False) -> StepView:
    """Where the case stands and its next step (a question, a fix, an escalation);
    `all`: the handoff's internal (bookkeeping) facts too."""
    return svc.work.view(svc.work.load(case_id), agent=user.name, everything=all)


@router.get("/cases/{case_id}/transcript", response_model=Transcript)
async def transcript(case_id: str, user: ApiUser, svc: Svc) -> Transcript:
    """Everything that happened to the case, event by event."""
    case = svc.work.load(case_id)
    return Transcript(
        id=case.id,
        status=case.status,
        line=case.line,
        opened_at=case.opened_at,
        intake=case.intake,
        outcome=case.outcome(),
        events=case.events,
    )


@router.get("/queues/{line}")
async def queue(line: int, user: ApiUser, svc: Svc) -> dict[str, list[dict[str, object]]]:
    """A line's queues: new, escalated to it, waiting on a vendor (with the SLA clock)."""
    if line not in user.lines() and user.role != "admin":
        raise NotAllowed(f"{user.title} {user.name} does not see Line {line}'s queue")
    found = queues(svc.desk.store, line, svc.levels, now())  # type: ignore[arg-type]
    return {name: [item.as_dict() for item in items] for name, items in found.items()}


@router.get("/complaints", response_model=list[Complaint])
async def complaints(
    user: ApiUser, svc: Svc, line: Annotated[int, Query(ge=1, le=4)] = 1
) -> list[Complaint]:
    """The complaints a case can open with at a line, by title."""
    symptoms = svc.desk.knowledge(line).kb.symptoms
    return [
        Complaint(id=sid, title=s.title.get(svc.work.lang), line=line)
        for sid, s in sorted(symptoms.items())
    ]


@router.get("/me", response_model=Me)
async def me(user: ApiUser) -> Me:
    return Me(name=user.name, role=user.role, title=user.title, lines=user.lines())
