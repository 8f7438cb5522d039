"""Real processes: a session killed mid-way stays resumable; two agents never lose work."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from guided_driver import asked, case_json, customer, drive

LINEWISE = str(Path(sys.executable).parent / "linewise")
WIRED = {
    "wired_cable_seated": "yes",
    "wired_neighbours_ok": "yes",
    "wired_link_light": "no",
    "wired_other_cable_works": "yes",
    "wired_adapter_enabled": "yes",
    "wired_ip_kind": "none",
}
UNPLUGGED = {"wired_cable_seated": "no"}
ARGS = [
    "diagnose",
    "--customer",
    "x",
    "--location",
    "y",
    "--equipment-type",
    "pc",
    "--model",
    "m",
    "--serial",
    "s",
    "--service-form",
    "paid",
    "--channel",
    "phone",
    "--complaint",
    "wired_no_network",
]


class Agent:
    """One `linewise diagnose` process on a pipe, answered prompt by prompt."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.output = ""
        self.proc = subprocess.Popen(
            [LINEWISE, *ARGS],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )

    def wait_prompt(self, timeout: float = 120) -> bool:
        """Read until a prompt ('> ') or the end; False at the end."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while not self.output.endswith("> "):
            if time.monotonic() > deadline:
                raise AssertionError(f"no prompt within {timeout}s:\n{self.output}")
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                return False
            self.output += chunk.decode()
        return True

    def answer_next(self) -> bool:
        """Answer the current prompt; False once the process has finished."""
        if not self.wait_prompt():
            return False
        if self.output.endswith("Did the fix work? (yes/no) > "):
            line = "yes"
        else:
            question = asked(self.output)[-1]
            line = self.answers.get(question, "unknown")
        assert self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        self.output = self.output[:-2] + "> " + line + "\n"  # prompt answered
        return True

    @property
    def case_id(self) -> str:
        found = re.search(r"Case (C-\d{6})", self.output)
        assert found, self.output
        return found.group(1)


@pytest.mark.slow
@pytest.mark.usefixtures("store_env")
def test_a_killed_session_is_resumable() -> None:
    agent = Agent(WIRED)
    assert agent.answer_next() and agent.answer_next()  # two answers given
    assert agent.wait_prompt()  # the third question is on screen: both are saved
    agent.proc.send_signal(signal.SIGKILL)
    agent.proc.wait(timeout=10)
    case = case_json(agent.case_id)
    assert case["status"] == "open"
    assert len([e for e in case["events"] if e["kind"] == "answer"]) == 2
    result, _ = drive(["resume", agent.case_id], customer(WIRED))
    assert result.exit_code == 0, result.output
    done = case_json(agent.case_id)
    assert done["outcome"] == {"status": "resolved", "line": 1, "fault": "wired_cable_faulty"}


@pytest.mark.slow
@pytest.mark.usefixtures("store_env")
def test_two_agents_at_once_lose_nothing() -> None:
    agents = [Agent(WIRED), Agent(UNPLUGGED), Agent(WIRED)]
    running = list(agents)
    while running:
        running = [a for a in running if a.answer_next()]
    for agent in agents:
        assert agent.proc.wait(timeout=10) == 0, agent.output
    ids = {a.case_id for a in agents}
    assert len(ids) == 3
    outcomes = [case_json(a.case_id)["outcome"].get("fault") for a in agents]
    assert outcomes == ["wired_cable_faulty", "wired_cable_unplugged", "wired_cable_faulty"]
    for agent in agents:
        events = case_json(agent.case_id)["events"]
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        answered = [e["question"] for e in events if e["kind"] == "answer"]
        assert answered == asked(agent.output)


@pytest.mark.slow
@pytest.mark.usefixtures("store_env")
def test_eight_agents_and_readers_at_once() -> None:
    """8 writing sessions while readers list and report: nothing lost or mixed, ids unique,
    no 'database is locked' or deadlock reaches anyone."""
    plans = [WIRED if n % 2 else UNPLUGGED for n in range(8)]
    agents = [Agent(plan) for plan in plans]
    readers: list[subprocess.Popen[bytes]] = []
    running = list(agents)
    rounds = 0
    while running:
        running = [a for a in running if a.answer_next()]
        rounds += 1
        if rounds % 4 == 1 and len(readers) < 6:
            command = ["case", "list"] if len(readers) % 2 else ["report", "--json"]
            readers.append(
                subprocess.Popen(
                    [LINEWISE, *command],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=os.environ.copy(),
                )
            )
    for agent in agents:
        assert agent.proc.wait(timeout=30) == 0, agent.output
        assert not re.search(r"locked|deadlock|Traceback", agent.output), agent.output
    for reader in readers:
        out, err = reader.communicate(timeout=60)
        assert reader.returncode == 0, err.decode()
        assert not re.search(rb"locked|deadlock|Traceback", out + err)
    ids = [a.case_id for a in agents]
    assert len(set(ids)) == 8
    for agent, plan in zip(agents, plans, strict=True):
        case = case_json(agent.case_id)
        events = case["events"]
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        answered = [e["question"] for e in events if e["kind"] == "answer"]
        assert answered == asked(agent.output)
        expected = "wired_cable_faulty" if plan is WIRED else "wired_cable_unplugged"
        assert case["outcome"].get("fault") == expected
