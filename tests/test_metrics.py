"""`linewise report`: every number checked against a small history built by hand."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cases.store import SQLiteStore
from cli.main import cli
from tests.history import DAY, Builder, write_store


def _history() -> list[Builder]:
    wired = "wired_no_network"
    a = Builder({"service_form": "premium", "channel": "phone", "complaint": wired})
    a.start(5, 1).answer(6, 1, "wired_cable_seated", True).answer(7, 1, "wired_link_light", False)
    a.answer(8, 1, "wired_other_cable_works", True)
    a.add(10, 1, "fix_proposed", fault="wired_cable_faulty").add(
        30, 1, "fix_worked", fault="wired_cable_faulty"
    )
    b = Builder(
        {"service_form": "paid", "channel": "email", "complaint": wired}, DAY + timedelta(hours=1)
    )
    b.start(180, 1).answer(181, 1, "wired_cable_seated", True).answer(
        182, 1, "wired_link_light", "unknown"
    )
    b.escalate(190, 1, 2, "no_rule").start(240, 2).answer(241, 2, "wired_neighbours_ok", False)
    b.add(245, 2, "fix_proposed", fault="wired_switch_outage")
    b.add(250, 2, "fix_failed", fault="wired_switch_outage", reason="did not work")
    b.add(290, 2, "fix_proposed", fault="wired_wall_port_dead")
    b.add(300, 2, "fix_worked", fault="wired_wall_port_dead")
    c = Builder(
        {"service_form": "warranty", "channel": "chat", "complaint": wired},
        DAY + timedelta(hours=2),
    )
    c.start(2, 1).answer(3, 1, "wired_neighbours_ok", False)
    c.escalate(10, 1, 2, "needs_line", fault="wired_switch_outage").start(70, 2)
    c.escalate(80, 2, 4, "rule", fault="wired_switch_outage").start(200, 4)
    c.add(210, 4, "waiting", data={"on": "vendor"}).add(210 + 24 * 60, 4, "waiting_over")
    c.answer(1450, 4, "wired_link_light", True).add(
        1500, 4, "fix_worked", fault="wired_switch_outage"
    )
    d = Builder(
        {"service_form": "self_service", "channel": "phone", "complaint": wired},
        DAY + timedelta(hours=3),
    )
    d.start(1, 1).answer(2, 1, "wired_cable_seated", True).add(5, 1, "quit", reason="hung up")
    e = Builder(
        {"service_form": "paid", "channel": "phone", "complaint": wired}, DAY + timedelta(hours=4)
    )
    e.start(1, 1).answer(2, 1, "wired_cable_seated", True).answer(3, 1, "wired_link_light", False)
    e.escalate(10, 1, 2, "below_threshold")
    return [a, b, c, d, e]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite3"
    write_store(path, _history())
    return path


def _report(store: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["report", "--store", str(store), "--json", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_numbers_of_a_hand_built_history(store: Path) -> None:
    data = _report(store)
    assert data["cases"] == 5
    assert data["status"] == {"abandoned": 1, "escalated": 1, "resolved": 3}
    assert data["line1"] == {
        "resolved": 1,
        "escalated": 3,
        "finished": 4,
        "rate": 0.25,
        "expected": [0.7, 0.8],
    }
    assert data["resolved_by_line"] == {"1": 1, "2": 1, "4": 1}
    esc = data["escalation"]
    assert esc["by_line"] == {
        "1": {"reached": 5, "escalated": 3, "rate": 0.6},
        "2": {"reached": 3, "escalated": 1, "rate": 0.3333},
        "4": {"reached": 1, "escalated": 0, "rate": 0.0},
    }
    assert {k: v["count"] for k, v in esc["by_reason"].items()} == {
        "below_threshold": 1,
        "needs_line": 1,
        "no_rule": 1,
        "rule": 1,
    }
    assert esc["by_pack"] == {"network-wired": {"cases": 5, "escalated": 3, "rate": 0.6}}
    assert esc["by_fault"]["wired_wall_port_dead"] == {"cases": 1, "escalated": 1, "rate": 1.0}
    assert esc["by_fault"]["wired_cable_faulty"]["rate"] == 0.0
    questions = data["questions"]
    assert questions["per_diagnosis"] == {"count": 3, "mean": 2.67, "median": 3.0, "p90": 3.0}
    assert questions["histogram"] == {"2": 1, "3": 2}
    hours = data["time_to_resolve"]["hours"]
    assert hours["count"] == 3 and hours["median"] == 1.0 and hours["mean"] == 2.17
    assert data["time_to_resolve"]["values"] == [0.5, 1.0, 5.0]  # the vendor day is paused
    sla = data["sla"]
    assert sla["first_response"] == {"met": 7, "breached": 2, "pending": 0, "rate": 0.7778}
    assert sla["resolution"] == {"met": 3, "breached": 0, "pending": 1, "rate": 1.0}
    assert sla["by_service_form"]["paid"]["first_response"]["breached"] == 2
    assert [f["fault"] for f in data["top_faults"]] == [
        "wired_cable_faulty",
        "wired_switch_outage",
        "wired_wall_port_dead",
    ]
    assert data["failed_fixes"] == {
        "cases": 1,
        "by_fault": [{"fault": "wired_switch_outage", "failed": 1, "cases": ["C-000002"]}],
    }
    assert data["weekly"] == [
        {"week": "2026-03-02", "cases": 5, "resolved": 3, "escalated": 3, "line1_rate": 0.25}
    ]


def test_filters(store: Path) -> None:
    assert _report(store, "--service-form", "premium")["cases"] == 1
    assert _report(store, "--line", "2")["cases"] == 3
    assert _report(store, "--fault", "wired_switch_outage")["cases"] == 2
    assert _report(store, "--channel", "phone")["cases"] == 3
    assert _report(store, "--from", "2026-03-03")["cases"] == 0
    assert _report(store, "--pack", "network-wired", "--to", "2026-03-02")["cases"] == 5


def test_text_tables_and_deterministic_charts(store: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "report",
            "--store",
            str(store),
            "--charts",
            str(tmp_path / "one"),
            "--chart-format",
            "svg",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Line 1 resolution rate: 25.0% (1 of 4 finished at Line 1; expected 70%-80%)" in (
        result.stdout
    )
    assert "wired_switch_outage: 1 (C-000002)" in result.stdout
    charts = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert charts == sorted(
        f"{n}.svg"
        for n in (
            "weekly_trend",
            "escalation_reasons",
            "questions_per_diagnosis",
            "time_to_resolve",
            "sla_attainment",
            "top_faults",
        )
    )
    CliRunner().invoke(
        cli,
        [
            "report",
            "--store",
            str(store),
            "--charts",
            str(tmp_path / "two"),
            "--chart-format",
            "svg",
        ],
    )
    for name in charts:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    # people read titles, not ids; the SLA chart shows each form's target line
    faults = (tmp_path / "one" / "top_faults.svg").read_text(encoding="utf-8")
    assert "Faulty network cable" in faults and "wired_switch_outage" not in faults
    sla = (tmp_path / "one" / "sla_attainment.svg").read_text(encoding="utf-8")
    assert "Paid service" in sla and ">paid<" not in sla
    assert "target" in sla and "90%" in sla
    reasons = (tmp_path / "one" / "escalation_reasons.svg").read_text(encoding="utf-8")
    assert "_" not in "".join(re.findall(r"<text[^>]*>([^<]*)</text>", reasons))
    png = CliRunner().invoke(
        cli, ["report", "--store", str(store), "--charts", str(tmp_path / "p"), "--json"]
    )
    written = json.loads(png.stdout)["charts"]
    assert len(written) == 6
    assert Path(written[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_empty_store_reports_zero_cases(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "empty.sqlite3").close()  # a store that does not exist is refused
    data = _report(tmp_path / "empty.sqlite3")
    assert data["cases"] == 0 and data["line1"]["rate"] is None
