"""A store that fails mid-session: never an "invalid answer", memory and store never
diverge, the session stops with exit 4, and a resume reaches the same outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from guided_driver import asked, case_json, customer, drive
from mounts import fill, small_tmpfs
from process_driver import WIRED, WIRED_OUTCOME, Agent

from cases.desk import Desk, LiveCase
from cases.memstore import MemoryStore
from cases.model import Event
from cases.recorded import replay
from cases.store import SQLiteStore, StoreError
from cli.main import cli
from engine.escalation import escalation
from engine.session import Ask, Escalate, ProposeFix
from rules.knowledge import KnowledgeBase

INTAKE = {"complaint": "wired_no_network", "service_form": "paid", "channel": "phone"}
WIRED_INTAKE = [
    *("diagnose", "--customer", "x", "--location", "y", "--equipment-type", "pc"),
    *("--model", "m", "--serial", "s", "--service-form", "paid", "--channel", "phone"),
    *("--complaint", "wired_no_network"),
]


class FlakyStore(MemoryStore):
    """A store whose appends fail while `full` is set, as a full disk would."""

    def __init__(self) -> None:
        super().__init__()
        self.full = False

    def append(self, case_id: str, event: Event) -> Event:
        if self.full:
            raise StoreError("the case store :memory: cannot grow: database or disk is full")
        return super().append(case_id, event)


def _state(live: LiveCase) -> tuple[object, ...]:
    session = live.session
    return (
        list(session.record.asked),
        sorted(session.record.facts.canonical()),
        dict(session.record.ruled_out),
        session.status,
    )


def _replayed(live: LiveCase) -> tuple[object, ...]:
    record, _ = replay(live.case())
    return ([(a.question, a.value) for a in record.asked], dict(record.ruled_out))


def _in_memory(live: LiveCase) -> tuple[object, ...]:
    record = live.session.record
    return ([(a.question, a.value) for a in record.asked], dict(record.ruled_out))


def _answers(case: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(e["question"], e["value"]) for e in case["events"] if e["kind"] == "answer"]


def _question(live: LiveCase) -> str:
    step = live.session.step()
    assert isinstance(step, Ask), step
    return step.question.id


def test_a_failed_append_changes_nothing_in_memory(shipped_kb: KnowledgeBase) -> None:
    store = FlakyStore()
    live = Desk(store, shipped_kb).open(INTAKE)
    live.answer(_question(live), "yes")
    second = _question(live)
    before, events = _state(live), len(live.case().events)

    store.full = True
    with pytest.raises(StoreError, match="disk is full"):
        live.answer(second, "yes")
    with pytest.raises(StoreError):
        live.back()
    assert _state(live) == before and len(live.case().events) == events
    assert _question(live) == second  # the same question is still the one to ask

    store.full = False  # space freed: `back` takes back the answer that was stored
    undone = live.back()
    assert undone.question == "wired_cable_seated"
    assert _in_memory(live) == _replayed(live) == ([], {})


def test_failed_fix_and_escalation_leave_the_session_open(shipped_kb: KnowledgeBase) -> None:
    store = FlakyStore()
    live = Desk(store, shipped_kb).open(INTAKE)
    while isinstance(step := live.session.step(), Ask):
        live.answer(step.question.id, WIRED.get(step.question.id, "unknown"))
    assert isinstance(step, ProposeFix)
    store.full = True
    with pytest.raises(StoreError):
        live.fix(step.fault.id, worked=False)
    assert live.session.record.ruled_out == {} and live.session.status == "open"
    agent = Escalate(escalation("agent", 1, "en"), None, step.diagnosis, final=False)
    with pytest.raises(StoreError):
        live.escalate(agent)
    assert live.session.status == "open"
    assert [e.kind for e in live.case().events][-1] == "answer"

    store.full = False
    live.fix(step.fault.id, worked=False)
    assert step.fault.id in live.session.record.ruled_out
    assert _in_memory(live) == _replayed(live)


def test_a_store_failure_mid_answer_stops_the_session_with_exit_4(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference, _ = drive(WIRED_INTAKE, customer(WIRED))
    assert reference.exit_code == 0, reference.output
    expected = case_json("C-000001")
    real_append = SQLiteStore.append

    def append(self: SQLiteStore, case_id: str, event: Event) -> Event:
        if event.kind == "answer" and event.question == "wired_link_light":
            raise StoreError(
                f"the case store {self.location} cannot grow: database or disk is full"
            )
        return real_append(self, case_id, event)

    monkeypatch.setattr(SQLiteStore, "append", append)
    stopped, _ = drive(WIRED_INTAKE, customer(WIRED))
    assert stopped.exit_code == 4, stopped.output
    assert "Not a valid answer" not in stopped.output and "Traceback" not in stopped.output
    assert "disk is full; the session of case C-000002 stopped" in stopped.output
    assert "everything before the failed step is saved" in stopped.output
    assert "linewise resume C-000002" in stopped.output
    assert asked(stopped.output).count("wired_link_light") == 1  # not asked again
    order = [e["question"] for e in expected["events"] if e["kind"] == "answer"]
    kept = case_json("C-000002")
    stored = [e["question"] for e in kept["events"] if e["kind"] == "answer"]
    assert stored == order[: order.index("wired_link_light")] and stored

    monkeypatch.setattr(SQLiteStore, "append", real_append)
    resumed, _ = drive(["resume", "C-000002"], customer(WIRED))
    assert resumed.exit_code == 0, resumed.output
    done = case_json("C-000002")
    assert done["outcome"] == expected["outcome"] == WIRED_OUTCOME
    answers = [(e["question"], e["value"]) for e in done["events"] if e["kind"] == "answer"]
    assert answers == [
        (e["question"], e["value"]) for e in expected["events"] if e["kind"] == "answer"
    ]


@pytest.mark.slow
def test_a_full_disk_mid_session_loses_nothing_and_resumes(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "small", 768) as disk:
        store = disk / "cases.sqlite3"
        agent = Agent(WIRED, store)
        for _ in range(2):
            assert agent.wait_prompt()
            agent.answer()
        assert agent.wait_prompt()  # the third question is shown: two answers are stored
        filler = fill(disk)
        agent.answer()  # this answer cannot be stored
        code = agent.finish()
        out = agent.output
        assert code == 4, out
        assert "Traceback" not in out and "Not a valid answer" not in out
        case_id = agent.case_id()
        assert case_id is not None
        assert "database or disk is full" in out
        assert "everything before the failed step is saved" in out
        assert f"continue with: linewise resume {case_id}" in out

        # readers work on the full disk; nothing stored is lost
        shown = case_json(case_id, "--store", str(store))
        assert [(e["question"], e["value"]) for e in shown["events"] if e["kind"] == "answer"] == [
            (q, v == "yes") for q, v in agent.typed[:2]
        ]
        checked = CliRunner().invoke(cli, ["store", "check", "--store", str(store)])
        assert checked.exit_code == 0, checked.output

        filler.unlink()
        resumed, _ = drive(["resume", case_id, "--store", str(store)], customer(WIRED))
        assert resumed.exit_code == 0, resumed.output
        done = case_json(case_id, "--store", str(store))
        assert done["outcome"] == WIRED_OUTCOME
        answered = [e["question"] for e in done["events"] if e["kind"] == "answer"]
        assert answered[:3] == [q for q, _ in agent.typed[:3]]  # the lost one asked again
        assert len(answered) == len(set(answered))
