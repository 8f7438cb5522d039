"""A linewise web app over a fresh store, with one account per role, for the web tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient

from engine.compile import CompiledKnowledge
from rules.knowledge import KnowledgeBase, load_knowledge
from web.accounts import Accounts
from web.app import create_app
from web.settings import Settings

PASSWORD = "correct horse battery"
ROLES = {
    "anna": "line1",
    "boris": "line2",
    "vera": "line4",
    "mia": "manager",
    "root": "admin",
}
GOLDEN = Path(__file__).resolve().parent.parent / "cases" / "golden"


@cache
def shipped() -> KnowledgeBase:
    return load_knowledge()


COMPILED: dict[int, CompiledKnowledge] = {}  # compiled once per test process


@dataclass
class Web:
    client: TestClient
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def api(self, method: str, path: str, who: str = "anna", **kwargs: Any) -> Any:
        return self.client.request(method, path, headers=self.auth(who), **kwargs)

    def open(self, intake: dict[str, Any], who: str = "anna") -> dict[str, Any]:
        response = self.api("POST", "/api/cases", who, json={"intake": intake})
        assert response.status_code == 201, response.text
        return dict(response.json())

    def login(self, name: str) -> None:
        """Log the test client into the console as `name`."""
        page = self.client.get("/console/login")
        csrf = csrf_of(page.text)
        response = self.client.post(
            "/console/login",
            data={"name": name, "password": PASSWORD, "csrf": csrf},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text

    def csrf(self) -> str:
        return csrf_of(self.client.get("/console/login").text)


def csrf_of(html: str) -> str:
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def golden(path: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((GOLDEN / path).read_text(encoding="utf-8"))
    return data


def answer_for(answers: dict[str, Any], question: str) -> Any:
    value = answers.get(question, "unknown")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


@contextmanager
def web_app(tmp: Path, **overrides: Any) -> Iterator[Web]:
    settings = Settings(store_path=tmp / "cases.sqlite3", secret="s" * 48, **overrides)
    accounts = Accounts.open(settings.store_path, legacy=settings.accounts_path)
    tokens = {}
    for name, role in ROLES.items():
        accounts.add_user(name, PASSWORD, role)
        tokens[name] = accounts.new_token(name, "tests")
    accounts.close()
    app = create_app(settings, shipped(), COMPILED)
    with TestClient(app) as client:
        yield Web(client, settings, tokens)
