"""The web pages show the new steps (issue 16 items 6, 7, 8, 9, 21, 22): the agent console
and the self-service portal, driven as plain HTML forms with a test client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rules.knowledge import load_knowledge
from tests.webapp import PASSWORD, csrf_of
from web.accounts import Accounts
from web.app import create_app
from web.settings import Settings

DIALOGUE = Path(__file__).resolve().parent / "data" / "dialogue"
INTAKE = {"complaint": "demo_trouble", "service_form": "paid", "channel": "phone"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(store_path=tmp_path_factory.mktemp("web") / "c.sqlite3", secret="s" * 48)
    accounts = Accounts.open(settings.store_path, legacy=settings.accounts_path)
    accounts.add_user("anna", PASSWORD, "line1")
    token = accounts.new_token("anna", "tests")
    accounts.close()
    with TestClient(create_app(settings, load_knowledge([DIALOGUE]), {})) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        page = client.get("/console/login")
        login = {"name": "anna", "password": PASSWORD, "csrf": csrf_of(page.text)}
        assert client.post("/console/login", data=login, follow_redirects=False).status_code == 303
        yield client


def _case(client: TestClient, seen: str) -> str:
    view = client.post("/api/cases", json={"intake": INTAKE}).json()
    body = {"step": view["step"], "question": "demo_what", "value": seen}
    assert client.post(f"/api/cases/{view['case']}/answer", json=body).status_code == 200
    return str(view["case"])


def test_console_shows_advice_before_escalating(client: TestClient) -> None:
    page = client.get(f"/console/cases/{_case(client, 'smoke')}").text
    assert 'class="note advice" role="alert"' in page
    assert "Tell the customer: Unplug the device now" in page


def test_console_shows_an_outcome_without_a_fix(client: TestClient) -> None:
    page = client.get(f"/console/cases/{_case(client, 'slow')}").text
    assert 'id="conclusion"' in page and "Offer the customer a choice" in page
    assert '<ul class="choices"><li>Reinstall the driver</li>' in page
    assert "Did the fix work?" not in page


def test_console_optional_fix_has_a_cannot_confirm_button(client: TestClient) -> None:
    case = _case(client, "jam")
    page = client.get(f"/console/cases/{case}").text
    assert 'name="worked" value="later"' in page
    step = re.search(r'name="step" value="(\d+)"', page)
    assert step
    form = {"csrf": csrf_of(page), "step": step.group(1), "fault": "demo_jam", "worked": "later"}
    done = client.post(f"/console/cases/{case}/fix", data=form).text
    assert "Conclusion (not confirmed during the session)" in done
    transcript = client.get(f"/console/cases/{case}/transcript").text
    assert "concluded without confirmation: Worn pickup roller" in transcript


def test_console_shows_what_rules_said_and_hides_internal_facts(client: TestClient) -> None:
    case = _case(client, "frozen")
    page = client.get(f"/console/cases/{case}?panel=how").text
    assert 'id="said"' in page and "reports: The screen is frozen." in page
    assert "A hardware sign was seen" in page and "Bookkeeping step reached" not in page
    assert 'id="toggle-all"' in page
    everything = client.get(f"/console/cases/{case}?panel=how&all=1").text
    assert "Bookkeeping step reached" in everything
    transcript = client.get(f"/console/cases/{case}/transcript").text
    assert "said: … reports: The screen is frozen." in transcript


def test_console_marks_a_question_asked_again(client: TestClient) -> None:
    case = _case(client, "no_light")
    view = client.get(f"/api/cases/{case}").json()
    body = {"step": view["step"], "question": "demo_light", "value": "no"}
    assert client.post(f"/api/cases/{case}/answer", json=body).status_code == 200
    page = client.get(f"/console/cases/{case}").text
    assert 'id="asked-again"' in page and "Restart it and look" in page


def test_portal_offers_cannot_tell_yet_and_shows_the_conclusion(client: TestClient) -> None:
    start = client.get("/portal/")
    page = client.post(
        "/portal/start", data={"csrf": csrf_of(start.text), "complaint": "demo_trouble"}
    )
    step = re.search(r'name="step" value="(\d+)"', page.text)
    assert step
    form = {"csrf": csrf_of(page.text), "step": step.group(1), "question": "demo_what"}
    page = client.post(page.url.path + "/answer", data={**form, "value": "jam"})
    assert 'name="worked" value="later"' in page.text
    step = re.search(r'name="step" value="(\d+)"', page.text)
    assert step
    fix = {"csrf": csrf_of(page.text), "step": step.group(1), "fault": "demo_jam"}
    done = client.post(page.url.path + "/fix", data={**fix, "worked": "later"})
    assert 'id="conclusion"' in done.text and "Worn pickup roller" in done.text
