"""The agent console and the self-service portal as pages: logins, CSRF, roles, escaping,
queues, the handoff, and the portal handing a case to an agent who never asks again."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from tests.webapp import PASSWORD, Web, answer_for, csrf_of, golden, web_app

WIRED = {"complaint": "wired_no_network", "service_form": "paid", "channel": "phone"}


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    with web_app(tmp_path) as app:
        yield app


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


def test_console_needs_a_login(web: Web) -> None:
    page = web.client.get("/console/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/console/login")
    wrong = web.client.post(
        "/console/login",
        data={"name": "anna", "password": "wrong", "csrf": web.csrf()},
        follow_redirects=False,
    )
    assert wrong.status_code == 401 and "Wrong name or password" in wrong.text


def test_forged_csrf_is_refused(web: Web) -> None:
    forged = web.client.post(
        "/console/login", data={"name": "anna", "password": PASSWORD, "csrf": "forged"}
    )
    assert forged.status_code == 403 and "not issued by this login session" in forged.text
    web.login("anna")
    case = web.open(WIRED)
    answer = web.client.post(
        f"/console/cases/{case['case']}/answer",
        data={"csrf": "forged", "step": case["step"], "question": "x", "value": "yes"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert web.api("GET", f"/api/cases/{case['case']}").json()["step"] == case["step"]


def test_an_expired_login_asks_to_log_in_again(tmp_path: Path) -> None:
    # the signed cookie's age counts in whole seconds, and logging in (argon2) takes one
    # on a loaded machine: give the login room before it must still hold
    with web_app(tmp_path, session_seconds=5) as web:
        web.login("anna")
        assert web.client.get("/console/", follow_redirects=False).status_code == 200
        time.sleep(6.1)
        again = web.client.get("/console/", follow_redirects=False)
        assert again.status_code == 303 and "expired" in again.headers["location"]


def test_agent_runs_a_golden_case_through_the_console(web: Web) -> None:
    data = golden("network-wired/wired-cable-faulty.yaml")
    web.login("anna")
    home = web.client.get("/console/")
    assert "Open a case" in home.text and "No network over the cable" in home.text
    opened = web.client.post(
        "/console/cases",
        data={**data["intake"], "csrf": csrf_of(home.text)},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    url = opened.headers["location"]
    page = web.client.get(url)
    for _ in range(30):
        if 'action="' + url + '/answer"' not in page.text:
            break
        question = hidden(page.text, "question")
        page = web.client.post(
            url + "/answer",
            data={
                "csrf": hidden(page.text, "csrf"),
                "step": hidden(page.text, "step"),
                "question": question,
                "value": answer_for(data["answers"], question),
            },
        )
        assert page.status_code == 200, page.text
    assert "Diagnosis:" in page.text and "Did the fix work?" in page.text
    how = web.client.get(url + "?panel=how")
    assert 'id="explanation"' in how.text and "What is known" in how.text
    done = web.client.post(
        url + "/fix",
        data={
            "csrf": hidden(page.text, "csrf"),
            "step": hidden(page.text, "step"),
            "fault": hidden(page.text, "fault"),
            "worked": "yes",
        },
    )
    assert "Case resolved" in done.text
    transcript = web.client.get(url + "/transcript")
    assert "the fix worked" in transcript.text


class _Shortcuts(HTMLParser):
    """Each element with a keyboard shortcut: its label as read aloud (without the
    aria-hidden key hint), its whole text, and its key."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str]] = []
        self._open: list[dict[str, str]] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if "data-key" in named:
            self._open.append(
                {
                    "tag": tag,
                    "key": named["data-key"] or "",
                    "label": "",
                    "text": "",
                    "aria": named.get("aria-keyshortcuts") or "",
                }
            )
        elif tag == "kbd" and named.get("aria-hidden") == "true":
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "kbd" and self._hidden:
            self._hidden -= 1
        elif self._open and tag == self._open[-1]["tag"]:
            self.found.append(self._open.pop())

    def handle_data(self, data: str) -> None:
        for item in self._open:
            item["text"] += data
            if not self._hidden:
                item["label"] += data


def test_shortcut_keys_are_not_glued_to_the_labels(web: Web) -> None:
    web.login("anna")
    case = web.open(WIRED)
    page = web.client.get(f"/console/cases/{case['case']}")
    parser = _Shortcuts()
    parser.feed(page.text)
    shown = {item["label"].strip(): item for item in parser.found}
    assert {"WHY", "HOW", "Back", "Customer cannot tell"} <= set(shown), shown
    for item in shown.values():
        assert item["aria"] == item["key"], item
        if item["tag"] == "textarea":  # the escalation note: focused by its key
            continue
        assert item["text"].split()[-1] == item["key"].upper(), item  # "WHY W", not "WHYW"


def test_escalation_note_and_the_line2_handoff(web: Web) -> None:
    case = web.open(WIRED)
    web.login("anna")
    page = web.client.get(f"/console/cases/{case['case']}")
    web.client.post(
        f"/console/cases/{case['case']}/escalate",
        data={"csrf": hidden(page.text, "csrf"), "step": case["step"], "note": "printer too"},
    )
    web.login("boris")
    queue = web.client.get("/console/")
    assert case["case"] in queue.text and "printer too" in queue.text
    waiting = web.client.get(f"/console/cases/{case['case']}")
    assert "Pick up the case" in waiting.text and "Handoff from Line 1" in waiting.text
    picked = web.client.post(
        f"/console/cases/{case['case']}/resume", data={"csrf": hidden(waiting.text, "csrf")}
    )
    assert picked.status_code == 200 and "Line 2" in picked.text
    assert "Line 1, on escalating: printer too" in picked.text


def test_a_line1_agent_cannot_work_a_line2_case_in_the_console(web: Web) -> None:
    case = web.open(WIRED)
    web.api("POST", f"/api/cases/{case['case']}/escalate", json={"step": case["step"]})
    web.login("anna")
    page = web.client.get(f"/console/cases/{case['case']}")
    assert "Pick up the case" not in page.text
    refused = web.client.post(
        f"/console/cases/{case['case']}/resume", data={"csrf": hidden(page.text, "csrf")}
    )
    assert refused.status_code == 403


def test_pack_text_with_a_script_shows_as_text(web: Web) -> None:
    case = web.open({**WIRED, "customer": "<script>alert(1)</script>"})
    web.login("anna")
    page = web.client.get(f"/console/cases/{case['case']}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&lt;script&gt;" in web.client.get("/console/").text


def portal_step(web: Web, page: Any, **fields: str) -> Any:
    url = page.url.path
    action = "fix" if "fault" in fields else "answer"
    data = {"csrf": hidden(page.text, "csrf"), "step": hidden(page.text, "step"), **fields}
    return web.client.post(f"{url}/{action}", data=data)


def test_portal_resolves_a_complaint_without_an_agent(web: Web) -> None:
    start = web.client.get("/portal/")
    assert "No network over the cable" in start.text
    page = web.client.post(
        "/portal/start", data={"csrf": csrf_of(start.text), "complaint": "wired_no_network"}
    )
    assert "Unplug it and plug it back in" in page.text  # the customer's phrasing
    page = portal_step(web, page, question="wired_cable_seated", value="no")
    assert "Try this" in page.text
    page = portal_step(web, page, fault=hidden(page.text, "fault"), worked="yes")
    assert "Glad it works again" in page.text
    number = re.search(r'id="case-number">(C-\d+)<', page.text)
    assert number
    case = web.api("GET", f"/api/cases/{number.group(1)}", "mia").json()
    assert case["status"] == "resolved"


def test_portal_hands_over_and_the_agent_never_asks_again(web: Web) -> None:
    start = web.client.get("/portal/")
    page = web.client.post(
        "/portal/start",
        data={"csrf": csrf_of(start.text), "complaint": "wired_no_network", "customer": "Olga"},
    )
    told: dict[str, str] = {}
    answers = {"wired_cable_seated": "yes", "wired_neighbours_ok": "yes", "wired_link_light": "no"}
    for _ in range(10):
        if 'name="question"' not in page.text:
            break
        question = hidden(page.text, "question")
        told[question] = answers.get(question, "unknown")
        page = portal_step(web, page, question=question, value=told[question])
    assert "An agent needs to take over" in page.text
    assert not {"wired_ip_kind", "wired_adapter_enabled"} & set(told)  # agent-only questions
    page = web.client.post(
        page.url.path + "/escalate",
        data={
            "csrf": hidden(page.text, "csrf"),
            "step": hidden(page.text, "step"),
            "note": "urgent",
        },
    )
    number = re.search(r'id="case-number">(C-\d+)<', page.text)
    assert number and "An agent will take it from here" in page.text
    case_id = number.group(1)
    queue = web.api("GET", "/api/queues/1").json()
    assert case_id in [item["id"] for item in queue["escalated"]]
    picked = web.api("POST", f"/api/cases/{case_id}/resume", json={}).json()
    assert picked["line"] == 1 and picked["handoff"]["notes"][-1]["text"] == "urgent"
    assert {q["question"] for q in picked["handoff"]["questions"]} == set(told)
    view = picked
    asked: list[str] = []
    while view["kind"] == "ask":
        asked.append(view["question"]["ref"])
        view = web.api(
            "POST",
            f"/api/cases/{case_id}/answer",
            json={"step": view["step"], "question": asked[-1], "value": answer_for({}, asked[-1])},
        ).json()
    assert asked and not set(asked) & set(told)
    web.login("anna")
    page = web.client.get(f"/console/cases/{case_id}")
    assert "Questions asked" in page.text and "self-service" in page.text
    for question in told:  # the agent sees the customer's answers, in words
        text = web.client.app.state.services.names.question(question)  # type: ignore[attr-defined]
        assert str(escape(text)) in page.text


def test_a_portal_page_reads_only_its_own_case(web: Web) -> None:
    assert web.client.get("/portal/c/not-a-key").status_code == 404
    assert web.client.get("/portal/c/C-000001").status_code == 404


def test_the_portal_is_rate_limited_per_client(tmp_path: Path) -> None:
    with web_app(tmp_path, portal_per_minute=5) as web:
        codes = [web.client.get("/portal/").status_code for _ in range(7)]
        assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
        assert web.client.get("/healthz").status_code == 200  # only the portal is limited


def test_access_log_is_structured_and_keeps_secrets_out(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="linewise.access")
    start = web.client.get("/portal/")
    page = web.client.post(
        "/portal/start", data={"csrf": csrf_of(start.text), "complaint": "wired_no_network"}
    )
    key = page.url.path.rsplit("/", 1)[1]
    web.login("anna")
    web.api("GET", "/api/me")
    text = caplog.text
    assert '"status": 200' in text and '"path": "/api/me"' in text and '"user": "anna"' in text
    for secret in (key, PASSWORD, web.tokens["anna"], web.settings.secret):
        assert secret not in text


def test_a_line2_specialist_takes_a_line1_case_up_in_the_console(web: Web) -> None:
    case = web.open(WIRED)["case"]
    web.login("anna")
    assert 'id="take-up"' not in web.client.get(f"/console/cases/{case}").text
    web.login("boris")
    page = web.client.get(f"/console/cases/{case}")
    assert "Take it up at Line 2" in page.text
    taken = web.client.post(
        f"/console/cases/{case}/resume",
        data={"csrf": csrf_of(page.text), "line": "2"},
        follow_redirects=False,
    )
    assert taken.status_code == 303
    after = web.api("GET", f"/api/cases/{case}", "boris").json()
    assert after["line"] == 2 and after["status"] == "open"
    assert 'id="take-up"' not in web.client.get(f"/console/cases/{case}").text


def test_a_double_submitted_answer_form_is_a_page_not_a_second_answer(web: Web) -> None:
    web.login("anna")
    case = web.open(WIRED)["case"]
    page = web.client.get(f"/console/cases/{case}")
    form = {
        "csrf": hidden(page.text, "csrf"),
        "step": hidden(page.text, "step"),
        "question": hidden(page.text, "question"),
        "value": "yes",
    }
    first = web.client.post(f"/console/cases/{case}/answer", data=form, follow_redirects=False)
    assert first.status_code == 303
    again = web.client.post(f"/console/cases/{case}/answer", data=form)
    assert again.status_code == 409 and "The case has moved on" in again.text
    assert "Traceback" not in again.text and "reload the case" in again.text
    missing = web.client.get("/console/cases/C-999999")
    assert missing.status_code == 404 and "Not found" in missing.text
    assert "Traceback" not in missing.text
    events = web.api("GET", f"/api/cases/{case}/transcript").json()["events"]
    assert [e["kind"] for e in events].count("answer") == 1
