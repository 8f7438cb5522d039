"""/healthz (the process answers) and /readyz (the case store and the accounts answer)."""

from __future__ import annotations

from fastapi import APIRouter

from web.deps import Svc

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(svc: Svc) -> dict[str, str]:
    """503 (store_unavailable) when the case store or the accounts cannot be read."""
    svc.desk.store.list_cases(limit=1)
    svc.accounts.ping()
    return {"status": "ready", "store": "ok"}
