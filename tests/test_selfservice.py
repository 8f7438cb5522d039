"""Self-service metrics in `linewise report`: deflection, portal-to-agent, re-asks."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from cases.model import Case, Event
from cases.selfservice import CUSTOMER, re_asks
from cli.main import cli
from tests.webapp import Web, csrf_of, web_app


def _portal(web: Web, answers: dict[str, str], worked: bool | None) -> str:
    start = web.client.get("/portal/")
    page = web.client.post(
        "/portal/start", data={"csrf": csrf_of(start.text), "complaint": "wired_no_network"}
    )
    for _ in range(10):
        field = re.search(r'name="question" value="([^"]+)"', page.text)
        if not field:
            break
        step = re.search(r'name="step" value="(\d+)"', page.text)
        assert step
        page = web.client.post(
            page.url.path + "/answer",
            data={
                "csrf": csrf_of(page.text),
                "step": step.group(1),
                "question": field.group(1),
                "value": answers.get(field.group(1), "unknown"),
            },
        )
    step = re.search(r'name="step" value="(\d+)"', page.text)
    assert step
    if worked is not None:
        fault = re.search(r'name="fault" value="([^"]+)"', page.text)
        assert fault
        data = {"csrf": csrf_of(page.text), "step": step.group(1), "fault": fault.group(1)}
        page = web.client.post(
            page.url.path + "/fix", data={**data, "worked": "yes" if worked else "no"}
        )
    else:
        page = web.client.post(
            page.url.path + "/escalate", data={"csrf": csrf_of(page.text), "step": step.group(1)}
        )
    number = re.search(r'id="case-number">(C-\d+)<', page.text)
    assert number, page.text
    return number.group(1)


def test_report_counts_deflection_handovers_and_no_re_asks(tmp_path: Path) -> None:
    with web_app(tmp_path) as web:
        _portal(web, {"wired_cable_seated": "no"}, worked=True)
        handed = _portal(
            web,
            {"wired_cable_seated": "yes", "wired_neighbours_ok": "yes", "wired_link_light": "no"},
            worked=None,
        )
        view = web.api("POST", f"/api/cases/{handed}/resume", json={}).json()
        while view["kind"] == "ask":
            view = web.api(
                "POST",
                f"/api/cases/{handed}/unknown",
                json={"step": view["step"], "question": view["question"]["ref"]},
            ).json()
    result = CliRunner().invoke(
        cli, ["report", "--json", "--store", str(tmp_path / "cases.sqlite3")]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["self_service"]
    assert data["portal_cases"] == 2
    assert (data["deflected"], data["to_agent"], data["deflection_rate"]) == (1, 1, 0.5)
    assert data["re_asks"] == 0
    text = CliRunner().invoke(cli, ["report", "--store", str(tmp_path / "cases.sqlite3")])
    assert "deflection 50.0%" in text.stdout and "Re-asks" in text.stdout


def test_a_re_ask_is_counted() -> None:
    def event(kind: str, seq: int, **fields: object) -> Event:
        return Event(seq=seq, at="2026-01-05T09:00:00+00:00", line=1, kind=kind, **fields)  # type: ignore[arg-type]

    case = Case(
        id="C-000001",
        opened_at="2026-01-05T09:00:00+00:00",
        intake={"complaint": "wired_no_network"},
        events=[
            event("opened", 1),
            event("session_started", 2, data={"agent": CUSTOMER}),
            event("answer", 3, question="wired_cable_seated", value=True),
            event("answer", 4, question="wired_link_light", value=False),
            event("back", 5, question="wired_link_light"),
            event("session_started", 6, data={"agent": "anna"}),
            event("answer", 7, question="wired_cable_seated", value=True),
            event("answer", 8, question="wired_link_light", value=False),
        ],
    )
    assert re_asks(case) == 1  # the taken-back answer does not count
