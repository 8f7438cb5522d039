"""Ctrl-C and SIGTERM at random points, from start-up to the end of a guided session:
no traceback, exit 130/143, no answer lost, the case paused, and a resume reaches the
same outcome as a session never stopped.

The points are drawn from the moment linewise's signal set-up has run (seen from
outside in /proc: SIGTERM is caught) to the end of a reference session: one point per
slice of that span, so each run covers start-up, intake, questions and the fix.
LINEWISE_SIGNAL_SEED repeats a run (the seed is in every failure message);
LINEWISE_SIGNAL_TRIALS runs more points (6 by default: three of each signal).
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from guided_driver import customer, drive
from process_driver import WIRED, WIRED_OUTCOME, Agent

from cli.main import cli

TRIALS = int(os.environ.get("LINEWISE_SIGNAL_TRIALS", "6"))  # each is one process start
EXPECTED = {signal.SIGINT: 130, signal.SIGTERM: 143}
REASONS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}


def _run_until(agent: Agent, fire_at: float | None, sig: int) -> bool:
    """Answer every prompt until `fire_at`, then send `sig`; False if it ended first."""
    while True:
        now = time.monotonic()
        if fire_at is not None and now >= fire_at:
            if agent.proc.poll() is not None:
                return False
            agent.proc.send_signal(sig)
            return True
        if agent.at_prompt():
            agent.answer()
        wait = 0.2 if fire_at is None else min(0.02, max(fire_at - now, 0))
        if not agent.read(wait):
            return False


def _cases(store: Path) -> list[dict[str, Any]]:
    if not store.exists():
        return []
    listed = CliRunner().invoke(cli, ["case", "list", "--json", "--store", str(store)])
    assert listed.exit_code == 0, listed.output
    return list(json.loads(listed.stdout))


def _case(store: Path, case_id: str) -> dict[str, Any]:
    shown = CliRunner().invoke(cli, ["case", "show", case_id, "--json", "--store", str(store)])
    assert shown.exit_code == 0, shown.output
    data: dict[str, Any] = json.loads(shown.stdout)
    return data


def _answers(case: dict[str, Any]) -> list[tuple[str, Any]]:
    """(question, value) of every answer event ('unknown' for an unknown)."""
    out = []
    for event in case["events"]:
        if event["kind"] in ("answer", "unknown"):
            value = "unknown" if event["kind"] == "unknown" else event["value"]
            out.append((event["question"], value))
    return out


def _typed(agent: Agent, count: int) -> list[tuple[str, Any]]:
    """The first `count` answers typed, as the store keeps them (yes/no as booleans)."""
    return [(q, v == "yes" if v in ("yes", "no") else v) for q, v in agent.typed[:count]]


@pytest.mark.slow
def test_signals_at_random_points_lose_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("LINEWISE_SIGNAL_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    reference = Agent(WIRED, tmp_path / "reference.sqlite3")
    started = reference.wait_started()
    assert not _run_until(reference, None, signal.SIGINT)
    assert reference.finish() == 0, reference.output
    span = time.monotonic() - started
    expected = _case(tmp_path / "reference.sqlite3", "C-000001")
    assert expected["outcome"] == WIRED_OUTCOME

    signalled = 0
    for trial in range(TRIALS):
        sig = (signal.SIGINT, signal.SIGTERM)[trial % 2]
        where = (trial + rng.random()) / TRIALS  # one point per slice of the session
        store = tmp_path / f"trial{trial}.sqlite3"
        agent = Agent(WIRED, store)
        fired = _run_until(agent, agent.wait_started() + where * span, sig)
        code = agent.finish()
        context = f"seed {seed}, trial {trial}, {sig.name} at {where:.2f} of {span:.1f}s"
        out = agent.output
        assert "Traceback" not in out, f"{context}:\n{out}"
        cases = _cases(store)
        assert len(cases) <= 1, context
        if code == 0:  # the signal came after the work was done
            assert cases and cases[0]["status"] == "resolved", f"{context}:\n{out}"
            continue
        assert fired and code == EXPECTED[sig], f"{context}: exit {code}\n{out}"
        signalled += 1
        if not cases:
            assert "Case C-" not in out, f"{context}:\n{out}"
            continue
        case_id = cases[0]["id"]
        stopped = _case(store, case_id)
        stored = _answers(stopped)
        assert stored == _typed(agent, len(stored)), f"{context}: stored {stored}"
        assert len(stored) >= agent.acknowledged, f"{context}: an answer was lost\n{out}"
        if "Q1 [" in out and stopped["status"] != "resolved":  # a session was open
            assert stopped["events"][-1]["kind"] == "quit", f"{context}:\n{out}"
            assert stopped["events"][-1]["reason"] == REASONS[sig], context
            assert f"resume with: linewise resume {case_id}" in out, f"{context}:\n{out}"
        if stopped["status"] != "resolved":
            resumed, _ = drive(["resume", case_id, "--store", str(store)], customer(WIRED))
            assert resumed.exit_code == 0, f"{context}:\n{resumed.output}"
        done = _case(store, case_id)
        assert done["outcome"] == expected["outcome"], f"{context}: {done['outcome']}"
        assert _answers(done) == _answers(expected), context
    assert signalled >= TRIALS // 2, f"seed {seed}: only {signalled} runs were signalled"


def test_sigterm_in_a_session_pauses_the_case(tmp_path: Path) -> None:
    store = tmp_path / "cases.sqlite3"
    agent = Agent(WIRED, store)
    assert agent.wait_prompt()
    agent.answer()
    assert agent.wait_prompt()
    agent.proc.send_signal(signal.SIGTERM)
    assert agent.finish() == 143, agent.output
    assert "terminated (SIGTERM); case C-000001 is saved" in agent.output
    assert "Traceback" not in agent.output
    case = _case(store, "C-000001")
    assert case["status"] == "abandoned"
    assert [e["kind"] for e in case["events"]][-2:] == ["answer", "quit"]
    assert case["events"][-1]["reason"] == "terminated"


def test_ctrl_c_while_starting_exits_130_without_a_traceback(tmp_path: Path) -> None:
    agent = Agent(WIRED, tmp_path / "cases.sqlite3")
    agent.wait_started()
    agent.proc.send_signal(signal.SIGINT)
    assert agent.finish() == 130, agent.output
    assert "Traceback" not in agent.output
    assert "interrupted (Ctrl-C)" in agent.output
