"""Helpdesk connections: the mapping, taking ticket news once, and the outbox.

The helpdesk here is tests/helpdesk_fake.py (in memory, failing on purpose); the real
Request Tracker is driven in tests/test_helpdesk_rt.py.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cases.desk import Desk
from cases.store import SQLStore, open_store
from cli.main import cli
from engine.session import Ask, Done, Escalate, ProposeFix
from helpdesk import ledger
from helpdesk.connector import BadCredentials, TicketNews, Write
from helpdesk.inbox import finish_pending, take
from helpdesk.mapping import load_mapping
from helpdesk.outbox import deliver
from helpdesk.sync import status, sync
from helpdesk.writeback import push
from rules.errors import InputError
from rules.knowledge import KnowledgeBase, load_knowledge
from tests.helpdesk_fake import FakeHelpdesk

MAPPING = Path(__file__).resolve().parent / "data" / "helpdesk" / "rt.yaml"


@functools.cache
def knowledge() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture
def desk(store_url: str) -> Any:
    store = open_store(store_url)
    yield Desk(store, knowledge(), agent="linewise", channel="helpdesk")
    store.close()


def news(ticket: str, version: str, *, queue: str = "General", by: str = "ann", **kw: Any) -> Any:
    return TicketNews(
        helpdesk="rt",
        ticket=ticket,
        delivery=kw.pop("delivery", f"d-{ticket}-{version}"),
        version=version,
        queue=queue,
        subject="No network on desk 4",
        status=kw.pop("status", "new"),
        by=by,
        created=True,
        fields={"requestor": "ann@example.com", "CF.Asset tag": "ASSET-05120"},
        **kw,
    )


def work(desk: Desk, case_id: str, answers: dict[str, Any], *, note: str = "") -> Any:
    """A scripted guided session on the case: answers from `answers` (else 'unknown'),
    every proposed fix works, an escalation is taken with `note`."""
    live = desk.resume(case_id, agent="ivan")
    step = live.session.step()
    while not isinstance(step, Done):
        if isinstance(step, Ask):
            live.answer(step.question.id, answers.get(step.question.id, "unknown"))
        elif isinstance(step, ProposeFix):
            live.propose(step.fault.id, step.fault.certainty)
            live.fix(step.fault.id, True)
        elif isinstance(step, Escalate):
            live.escalate(step, note)
            return step
        step = live.session.step()
    return step


# ---- the mapping ------------------------------------------------------------------------


def test_the_shipped_example_mapping_loads() -> None:
    mapping = load_mapping(MAPPING, knowledge())
    assert mapping.queues["General"].complaint == "wired_no_network"
    assert mapping.lines[2] == "Line 2"


def test_a_mapping_typo_is_reported_at_its_line_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "helpdesk: rt\nurl: http://x\nqueus:\n  General: {complaint: wired_no_network}\n"
        "lines: {7: X}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_mapping(path, knowledge())
    text = err.value.render()
    assert "m.yaml:3:1" in text and "unknown key 'queus'" in text and "queues" in text
    assert "m.yaml:5" in text and "support line 7 does not exist" in text


def test_an_unknown_complaint_in_a_mapping_is_named_with_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "helpdesk: rt\nurl: http://x\nqueues:\n  General: {complaint: wired_no_netwrk}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_mapping(path, knowledge())
    assert "m.yaml:4" in err.value.render() and "wired_no_network" in err.value.render()


def test_a_missing_token_is_a_clear_error_that_never_shows_a_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mapping = load_mapping(MAPPING, knowledge())
    monkeypatch.delenv("LINEWISE_RT_TOKEN", raising=False)
    with pytest.raises(Exception, match=r"\$LINEWISE_RT_TOKEN is not set"):
        mapping.token()


# ---- taking news -------------------------------------------------------------------------


def test_a_new_ticket_opens_one_case_with_its_intake_and_a_replay_does_nothing(desk: Desk) -> None:
    mapping = load_mapping(MAPPING, knowledge())
    outcome, case_id = take(news("7", "2026-11-30T10:00:00Z"), mapping, desk)
    assert outcome == "opened"
    case = desk.store.load(case_id)
    assert case.intake["complaint"] == "wired_no_network"
    assert case.intake["customer"] == "ann@example.com"
    assert case.intake["equipment_serial"] == "ASSET-05120"
    assert case.intake["service_form"] == "paid"
    assert case.events[0].channel == "helpdesk"
    assert take(news("7", "2026-11-30T10:00:00Z"), mapping, desk) == ("duplicate", "")
    assert desk.store.count() == 1  # type: ignore[attr-defined]


def test_own_news_is_ignored_and_older_news_never_undoes_newer_state(desk: Desk) -> None:
    mapping = load_mapping(MAPPING, knowledge())
    _, case_id = take(news("8", "2026-11-30T10:00:00Z"), mapping, desk)
    # linewise's own write-back comes back through the helpdesk's trigger: ignored
    own = news("8", "2026-11-30T10:05:00Z", by="linewise", status="open")
    assert take(own, mapping, desk)[0] == "own"
    newer = news("8", "2026-11-30T10:09:00Z", status="resolved")
    older = news("8", "2026-11-30T10:07:00Z", status="open")
    assert take(newer, mapping, desk) == ("updated", case_id)
    assert take(older, mapping, desk) == ("stale", case_id)  # arrives late: changes nothing
    with desk.store.reading() as conn:  # type: ignore[attr-defined]
        link = ledger.link_of(conn, "rt", "8")
    assert link is not None and link.state["status"] == "resolved"
    assert link.version == "2026-11-30T10:09:00Z"
    assert desk.store.count() == 1  # type: ignore[attr-defined]


def test_a_ticket_in_an_unmapped_queue_is_kept_and_shown_by_status(desk: Desk) -> None:
    mapping = load_mapping(MAPPING, knowledge())
    outcome, why = take(news("9", "v1", queue="Facilities"), mapping, desk)
    assert outcome == "unmapped" and "Facilities" in why
    assert desk.store.count() == 0  # type: ignore[attr-defined]
    found = status(mapping, desk)
    assert [t for t, _, _ in found.unmapped] == ["9"]


def test_a_link_left_without_its_case_by_a_crash_is_finished(desk: Desk) -> None:
    mapping = load_mapping(MAPPING, knowledge())
    with desk.store.writing() as conn:  # type: ignore[attr-defined]
        ledger.add_link(conn, news("10", "v1"))  # the crash came before the case
    assert status(mapping, desk).unlinked == ["10"]
    [case_id] = finish_pending(mapping, desk)
    assert desk.store.load(case_id).intake["complaint"] == "wired_no_network"
    assert finish_pending(mapping, desk) == []


# ---- writing back ----------------------------------------------------------------------------


def test_a_resolved_case_writes_its_diagnosis_steps_and_fields_to_the_ticket(desk: Desk) -> None:
    mapping = load_mapping(MAPPING, knowledge())
    helpdesk = FakeHelpdesk()
    helpdesk.news = [news("11", "v1")]
    first = sync(mapping, desk, helpdesk)
    [case_id] = first.opened
    answers = {"wired_cable_seated": "no"}
    work(desk, case_id, answers)
    assert desk.store.load(case_id).status == "resolved"
    second = sync(mapping, desk, helpdesk)
    assert second.taken == Counter({"duplicate": 1})
    written = helpdesk.tickets["11"]
    assert [w.action for w in written] == ["comment", "comment", "resolve"]
    assert case_id in written[0].payload["text"]
    assert "/console/cases/" + case_id in written[0].payload["text"]
    resolution = written[1].payload["text"]
    fault = desk.store.load(case_id).outcome()["fault"]
    assert knowledge().faults[fault].title.get("en") in resolution
    assert knowledge().faults[fault].fix[0].get("en")[:30] in " ".join(resolution.split())
    fields = written[2].payload["fields"]
    assert fields["linewise case"] == case_id
    assert fields["linewise fault"] == knowledge().faults[fault].title.get("en")
    # only the packs whose knowledge the case used, with versions: not the whole line's
    named = dict(item.rsplit(" ", 1) for item in fields["linewise packs"].split(", "))
    assert "network-wired" in named
    assert named["network-wired"] == knowledge().packs["network-wired"].pack.version
    assert "printer" not in named and len(named) < len(knowledge().for_line(1).packs)
    assert written[2].payload["status"] == "resolved"
    # nothing more to send, and nothing is sent twice
    assert sync(mapping, desk, helpdesk).queued == 0
    assert len(helpdesk.tickets["11"]) == 3


def test_an_escalation_moves_the_ticket_with_the_handoff_and_the_note(desk: Desk) -> None:
    mapping = load_mapping(MAPPING, knowledge())
    helpdesk = FakeHelpdesk()
    helpdesk.news = [news("12", "v1")]
    [case_id] = sync(mapping, desk, helpdesk).opened
    step = work(desk, case_id, {}, note="customer on site until 5 pm")
    assert isinstance(step, Escalate)
    sync(mapping, desk, helpdesk)
    written = helpdesk.tickets["12"]
    assert [w.action for w in written] == ["comment", "comment", "move"]
    assert written[2].payload["queue"] == mapping.lines[step.escalation.to_line]
    assert "customer on site until 5 pm" in written[1].payload["text"]


def test_a_vendor_wait_pauses_and_resumes_the_ticket(desk: Desk) -> None:
    mapping = load_mapping(MAPPING, knowledge())
    _, case_id = take(news("13", "v1"), mapping, desk)
    live = desk.resume(case_id)
    desk.store.append(case_id, desk.event(live.line, "waiting", data={"on": "vendor"}))
    desk.store.append(case_id, desk.event(live.line, "waiting_over"))
    helpdesk = FakeHelpdesk()
    sync(mapping, desk, helpdesk)
    actions = [(w.action, w.payload.get("status")) for w in helpdesk.tickets["13"]]
    assert actions[-2:] == [("wait", "stalled"), ("resume", "open")]


# ---- the outbox ------------------------------------------------------------------------------


def _fill(store: SQLStore, count: int, tickets: int) -> list[Write]:
    writes = [
        Write(
            key=f"rt:{i % tickets}:C:{i}:comment",
            ticket=str(i % tickets),
            action="comment",
            payload={"subject": "s", "text": f"write {i}"},
        )
        for i in range(count)
    ]
    with store.writing() as conn:
        ledger.enqueue(conn, "rt", "C-000001", writes, "2026-01-01T00:00:00.000+00:00")
        assert ledger.enqueue(conn, "rt", "C-000001", writes, "2026-01-01") == 0  # idempotent
    return writes


def test_a_thousand_writes_with_30_percent_failures_arrive_exactly_once_in_order(
    store_url: str,
) -> None:
    store = open_store(store_url)
    writes = _fill(store, 1000, 25)
    helpdesk = FakeHelpdesk(fail=0.2, lost_answer=0.1, seed=7)
    moment = [datetime(2026, 1, 1, tzinfo=UTC)]
    rounds = 0
    while True:
        rounds += 1
        run = deliver(store, helpdesk, clock=lambda: moment[0])
        with store.reading() as conn:
            left = ledger.counts(conn, "rt").get("pending", 0)
        if not left:
            break
        moment[0] += timedelta(hours=2)  # every backoff has passed
        assert rounds < 200, run
    for ticket in {w.ticket for w in writes}:
        got = [w.key for w in helpdesk.tickets[ticket]]
        want = [w.key for w in writes if w.ticket == ticket]
        assert got == want  # every write exactly once, in the order queued
    with store.reading() as conn:
        assert ledger.counts(conn, "rt") == {"delivered": 1000}
    assert helpdesk.calls > 1000  # failures really happened and were retried
    store.close()


def test_refused_credentials_stop_delivery_and_lose_nothing(store_url: str) -> None:
    store = open_store(store_url)
    _fill(store, 3, 1)
    helpdesk = FakeHelpdesk(refuse_token=True)
    with pytest.raises(BadCredentials) as err:
        deliver(store, helpdesk)
    assert "LINEWISE_FAKE_TOKEN" in err.value.render()
    with store.reading() as conn:
        assert ledger.counts(conn, "rt") == {"pending": 3}
        assert all(q.attempts == 0 for q in ledger.pending(conn, "rt", 10))
    helpdesk.refuse_token = False
    deliver(store, helpdesk)
    assert len(helpdesk.tickets["0"]) == 3
    store.close()


def test_push_queues_each_event_once(desk: Desk) -> None:
    mapping = load_mapping(MAPPING, knowledge())
    take(news("14", "v1"), mapping, desk)
    store = desk.store
    assert push(store, mapping, knowledge(), desk.clock()) == 1  # the 'opened' comment
    assert push(store, mapping, knowledge(), desk.clock()) == 0


# ---- the command -------------------------------------------------------------------------------


def test_helpdesk_status_command_lists_troubles_as_json(store_env: str, tmp_path: Path) -> None:
    store = open_store(store_env)
    _fill(store, 2, 1)
    with store.writing() as conn:
        [first, _] = ledger.pending(conn, "rt", 10)
        ledger.settle(conn, first.id, state="failed", attempts=1, last_error="RT refused it")
    store.close()
    result = CliRunner().invoke(cli, ["helpdesk", "status", "--mapping", str(MAPPING), "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["outbox"] == {"failed": 1, "pending": 1}
    assert shown["troubles"][0]["last_error"] == "RT refused it"
    retry = CliRunner().invoke(cli, ["helpdesk", "retry", "--mapping", str(MAPPING)])
    assert retry.exit_code == 0 and "1 failed" in retry.output


def test_a_broken_mapping_exits_2_without_a_traceback(store_env: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("helpdesk: jira\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["helpdesk", "status", "--mapping", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml:1" in result.output and "Traceback" not in result.output


# ---- the server's background rounds -----------------------------------------------------


def test_the_servers_rounds_open_cases_and_deliver_until_stopped(desk: Desk) -> None:
    import asyncio

    from web.helpdesk_rounds import rounds

    mapping = load_mapping(MAPPING, knowledge())
    helpdesk = FakeHelpdesk(fail=0.0)
    helpdesk.news = [news("15", "v1")]
    broken = load_mapping(MAPPING, knowledge()).model_copy(update={"helpdesk": "zammad"})

    def connect(m: Any) -> Any:
        if m.helpdesk == "zammad":  # a failing helpdesk does not stop the others
            raise BadCredentials("Zammad", "LINEWISE_ZAMMAD_TOKEN")
        return helpdesk

    async def run() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(rounds([broken, mapping], desk, connect, 0.05, stop))
        for _ in range(200):
            await asyncio.sleep(0.05)
            if helpdesk.tickets.get("15"):
                break
        stop.set()
        await task

    asyncio.run(run())
    assert [w.action for w in helpdesk.tickets["15"]] == ["comment"]  # 'case opened'
