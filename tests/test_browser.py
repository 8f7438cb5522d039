"""Real-browser tests: Debian's chromium, driven by Playwright, against `linewise serve`.

An agent logs in, runs a golden case to its fix, escalates another with a note; a Line 2
agent picks it up from the queue and sees the handoff; a customer in the portal resolves
one complaint and escalates another, and the agent then sees the customer's answers.
Screenshots go to $LINEWISE_SCREENSHOTS (docs/img when the README's are remade).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser import CHROMIUM, FLAGS, PASSWORD, Server, served
from tests.webapp import answer_for, golden

pytestmark = [pytest.mark.slow, pytest.mark.browser]
USERS = {"anna": "line1", "boris": "line2"}
STEP_CHANGED = (
    "step => !document.querySelector('input[name=\"step\"]') ||"
    " document.querySelector('input[name=\"step\"]').value !== step"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with served(tmp_path_factory.mktemp("served"), USERS) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "chromium is missing: scripts/setup.sh installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


def shots(page: Page, name: str) -> None:
    folder = os.environ.get("LINEWISE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def new_page(browser: Browser, server: Server, width: int = 1280, height: int = 720) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=server.url)
    context.set_default_timeout(20_000)
    return context.new_page()


def login(page: Page, name: str) -> None:
    page.goto("/console/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"{name} ·")).to_be_visible()


def open_case(page: Page, complaint_title: str, customer: str) -> str:
    page.goto("/console/")
    page.get_by_label("Complaint").select_option(label=complaint_title)
    page.get_by_label("Customer").fill(customer)
    page.get_by_role("button", name="Open case").click()
    expect(page.locator("#question-text")).to_be_visible()
    found = re.search(r"/console/cases/(C-\d+)", page.url)
    assert found, page.url
    return found.group(1)


def answer_by_clicking(page: Page, answers: dict[str, Any]) -> None:
    """Click the button of each answer (or type it) until the session stops asking."""
    for _ in range(30):
        if page.locator("#question-text").count() == 0:
            return
        step = page.locator('input[name="step"]').first.get_attribute("value")
        question = page.locator('input[name="question"]').get_attribute("value") or ""
        value = str(answer_for(answers, question))
        button = page.locator(f'#step button[name="value"][value="{value}"]')
        if button.count():
            button.first.click()
        else:
            page.locator('#step input[name="value"]').fill(value)
            page.get_by_role("button", name="Answer").click()
        page.wait_for_function(STEP_CHANGED, arg=step)
    raise AssertionError("the session kept asking")


def test_agent_console_golden_case_escalation_and_line2_handoff(
    server: Server, browser: Browser
) -> None:
    data = golden("network-wired/wired-cable-faulty.yaml")
    page = new_page(browser, server)
    login(page, "anna")
    open_case(page, "No network over the cable", data["intake"]["customer"])
    shots(page, "console-question")
    # the shortcut key is shown beside the label, not read as part of it ("WHYW")
    expect(page.get_by_role("link", name="WHY", exact=True)).to_have_attribute(
        "aria-keyshortcuts", "w"
    )
    assert page.get_by_role("link", name="HOW", exact=True).inner_text().split() == ["HOW", "H"]
    page.keyboard.press("w")  # the WHY panel by its shortcut
    expect(page.locator("#explanation")).to_be_visible()
    shots(page, "console-why")
    answer_by_clicking(page, data["answers"])
    expect(page.get_by_text("Diagnosis: Faulty network cable")).to_be_visible()
    shots(page, "console-fix")
    page.get_by_role("button", name="Yes, it worked").click()
    expect(page.locator("#status")).to_have_text("resolved")

    case = open_case(page, "No network over the cable", "Boris Ivanov")
    page.get_by_label("Escalation note").fill("Customer says the whole floor is down")
    page.get_by_role("button", name=re.compile("Escalate to Line 2")).click()
    expect(page.locator("#status")).to_have_text("escalated")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Password")).to_be_visible()

    login(page, "boris")
    row = page.get_by_role("row").filter(has_text=case)
    expect(row).to_contain_text("Customer says the whole floor is down")
    shots(page, "console-queue")
    row.get_by_role("link", name=case).click()
    expect(page.locator("#handoff")).to_contain_text("Handoff from Line 1 to Line 2")
    page.get_by_role("button", name=re.compile("Pick up the case")).click()
    expect(page.locator("#status")).to_have_text("open")
    expect(page.locator("#handoff")).to_contain_text("Customer says the whole floor is down")
    expect(page.get_by_text("Line 2", exact=False).first).to_be_visible()
    shots(page, "console-handoff")

    phone = new_page(browser, server, 390, 844)
    login(phone, "boris")
    phone.goto(f"/console/cases/{case}")
    expect(phone.locator("#handoff")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    shots(phone, "console-phone")


def test_portal_resolves_one_complaint_and_hands_over_another(
    server: Server, browser: Browser
) -> None:
    page = new_page(browser, server, 390, 844)
    page.goto("/portal/")
    shots(page, "portal-start")
    page.get_by_role("button", name="No network over the cable").click()
    expect(page.locator("#question-text")).to_contain_text("until it clicks")  # customer text
    shots(page, "portal-question")
    page.get_by_role("button", name="No", exact=True).click()
    expect(page.get_by_text("Try this")).to_be_visible()
    shots(page, "portal-fix")
    page.get_by_role("button", name="Yes, it works now").click()
    expect(page.get_by_text("Glad it works again")).to_be_visible()

    page.goto("/portal/")
    page.get_by_label("Your name or e-mail").fill("Olga Smirnova")
    page.get_by_role("button", name="No network over the cable").click()
    expect(page.locator("#question-text")).to_be_visible()
    told = {"wired_cable_seated": "yes", "wired_neighbours_ok": "yes", "wired_link_light": "no"}
    for _ in range(10):
        if page.locator("#question-text").count() == 0:
            break
        question = page.locator('input[name="question"]').get_attribute("value") or ""
        step = page.locator('input[name="step"]').first.get_attribute("value")
        value = told.get(question, "unknown")
        label = {"yes": "Yes", "no": "No", "unknown": "I don't know"}[value]
        page.get_by_role("button", name=label, exact=True).click()
        page.wait_for_function(STEP_CHANGED, arg=step)
    expect(page.get_by_text("An agent needs to take over")).to_be_visible()
    page.get_by_label("Anything else the agent should know?").fill("It worked yesterday")
    page.get_by_role("button", name="Send to an agent").click()
    number = page.locator("#case-number")
    expect(number).to_have_text(re.compile(r"C-\d+"))
    case = number.inner_text()
    shots(page, "portal-handed-over")

    agent = new_page(browser, server)
    login(agent, "anna")
    row = agent.get_by_role("row").filter(has_text=case)
    expect(row).to_contain_text("Olga Smirnova")
    row.get_by_role("link", name=case).click()
    handoff = agent.locator("#handoff")
    expect(handoff).to_contain_text("Questions asked")
    expect(handoff).to_contain_text("It worked yesterday")
    expect(handoff).to_contain_text("Do other computers in the same room have network?")
    agent.get_by_role("button", name=re.compile("Pick up the case")).click()
    asked = agent.locator('input[name="question"]').get_attribute("value")
    assert asked not in told, f"the agent was asked again what the customer answered: {asked}"
    shots(agent, "console-from-portal")


DIALOGUE = Path(__file__).resolve().parent / "data" / "dialogue"


def test_console_new_steps_advice_messages_and_unconfirmed_conclusions(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Issue 16 items 6, 7, 8, 9, 22 as an agent sees them in a real browser."""
    with served(tmp_path_factory.mktemp("dialogue"), USERS, packs=(DIALOGUE,)) as server:
        page = new_page(browser, server)
        login(page, "anna")
        open_case(page, "The device misbehaves", "Anna")
        page.locator('#step button[name="value"][value="smoke"]').click()
        expect(page.locator(".advice")).to_contain_text("Unplug the device now")
        expect(page.get_by_role("alert")).to_be_visible()
        shots(page, "console-advice")

        open_case(page, "The device misbehaves", "Anna")
        page.locator('#step button[name="value"][value="frozen"]').click()
        expect(page.locator("#said")).to_contain_text("Anna reports: The screen is frozen.")
        page.get_by_role("link", name="HOW", exact=True).click()
        expect(page.locator("#explanation")).not_to_contain_text("Bookkeeping step reached")
        page.locator("#toggle-all").click()
        expect(page.locator("#explanation")).to_contain_text("Bookkeeping step reached")

        open_case(page, "The device misbehaves", "Anna")
        page.locator('#step button[name="value"][value="jam"]').click()
        page.get_by_role("button", name=re.compile("Cannot confirm now")).click()
        expect(page.locator("#status")).to_have_text("resolved")
        expect(page.locator("#conclusion")).to_contain_text("Worn pickup roller")
        shots(page, "console-unconfirmed")
