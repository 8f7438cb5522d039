"""A real `linewise serve` killed (SIGKILL) mid-session: the case resumes where it was."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import linewise, served

pytestmark = pytest.mark.slow
WIRED = {"complaint": "wired_no_network", "service_form": "paid", "channel": "phone"}


def _client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def _answer(client: httpx.Client, view: dict[str, Any], value: str) -> dict[str, Any]:
    response = client.post(
        f"/api/cases/{view['case']}/answer",
        json={"step": view["step"], "question": view["question"]["ref"], "value": value},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_killed_server_loses_nothing_and_the_case_resumes(tmp_path: Path) -> None:
    with served(tmp_path, {"anna": "line1"}) as server:
        token = linewise("user", "token", "anna", env=server.env).strip()
        with _client(server.url, token) as client:
            opened = client.post("/api/cases", json={"intake": WIRED})
            assert opened.status_code == 201, opened.text
            view = _answer(client, opened.json(), "yes")
        os.kill(server.pid, signal.SIGKILL)  # no shutdown, no lifespan end
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(server.pid, 0)
                time.sleep(0.1)
            except ProcessLookupError:
                break
    with served(tmp_path, {"anna": "line1"}) as again, _client(again.url, token) as client:
        now = client.get(f"/api/cases/{view['case']}").json()
        assert (now["step"], now["kind"]) == (view["step"], view["kind"])
        assert now.get("question") == view.get("question")
        if now["kind"] == "ask":
            _answer(client, now, "no")
        events = client.get(f"/api/cases/{view['case']}/transcript").json()["events"]
        assert [e["kind"] for e in events].count("answer") >= 1
