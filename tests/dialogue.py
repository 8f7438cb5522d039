"""Shared by the dialogue tests (test_conclusions, test_dialogue): the demo pack with
conclusions of every kind, messages, internal facts, fix outcomes and a loop; its
compiled knowledge; a web app over it.

Originally: conclusions beyond "fix, then did it work?" (issue 16 items 7, 8, 22): confirmation
required / optional / none, what "no" means, outcomes without a fix, and advice shown at
every line that reaches a fault - in the pack language, the session, the case history,
the terminal and the API."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cases.desk import Desk, LiveCase
from cases.memstore import MemoryStore
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.facts import FactSet
from engine.session import Ask, Record, Session
from rules.knowledge import KnowledgeBase, load_knowledge
from web.accounts import Accounts
from web.app import create_app
from web.settings import Settings

DIALOGUE = Path(__file__).resolve().parent / "data" / "dialogue"
INTAKE = {"complaint": "demo_trouble", "service_form": "paid", "channel": "phone"}


@functools.cache
def demo_kb() -> KnowledgeBase:
    return load_knowledge([DIALOGUE])


@functools.cache
def demo_compiled() -> CompiledKnowledge:
    return compile_knowledge(demo_kb().for_line(1))


def session_after(compiled: CompiledKnowledge, seen: str) -> Session:
    facts = FactSet()
    facts.intake(compiled.kb, "complaint", "demo_trouble")
    session = Session(compiled, Record(facts), line=1)
    step = session.step()
    assert isinstance(step, Ask) and step.question.id == "demo_what"
    session.answer("demo_what", seen)
    return session


def live_after(kb: KnowledgeBase, seen: str) -> tuple[Desk, LiveCase]:
    desk = Desk(MemoryStore(), kb)
    live = desk.open(INTAKE)
    live.answer("demo_what", seen)
    return desk, live


TERMINAL = [
    "diagnose",
    "--packs",
    str(DIALOGUE),
    "--customer",
    "Anna",
    "--location",
    "HQ",
    "--equipment-type",
    "printer",
    "--model",
    "m",
    "--serial",
    "s",
    "--service-form",
    "paid",
    "--channel",
    "phone",
    "--complaint",
    "demo_trouble",
]


@contextmanager
def demo_api(folder: Path) -> Iterator[TestClient]:
    """A web app over the demo pack, its API client logged in as a Line 1 agent."""
    settings = Settings(store_path=folder / "cases.sqlite3", secret="s" * 48)
    accounts = Accounts.open(settings.store_path, legacy=settings.accounts_path)
    accounts.add_user("anna", "correct horse battery", "line1")
    token = accounts.new_token("anna", "tests")
    accounts.close()
    with TestClient(create_app(settings, demo_kb(), {})) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def answered(api: TestClient, seen: str) -> dict[str, Any]:
    opened = api.post("/api/cases", json={"intake": INTAKE})
    assert opened.status_code == 201, opened.text
    view = opened.json()
    body = {"step": view["step"], "question": "demo_what", "value": seen}
    response = api.post(f"/api/cases/{view['case']}/answer", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())
