"""Team figures in SQL on both backends: per line, per agent, SLA breaches, cases at risk."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cases.case_filter import CaseFilter
from cases.figures import team_figures
from cases.model import Event
from cases.store import open_store
from cli.main import cli


def _ev(at: str, kind: str, agent: str, **fields: object) -> Event:
    return Event(at=at, line=1, kind=kind, agent=agent, **fields)  # type: ignore[arg-type]


def test_team_figures(store_url: str) -> None:
    store = open_store(store_url)
    # premium, Line 1 target 4 h: resolved after 5 h -> breached
    late = store.create({"service_form": "premium"}, "2026-01-05T08:00:00+00:00", agent="anna")
    store.append(late, _ev("2026-01-05T13:00:00+00:00", "fix_worked", "anna", fault="f"))
    # premium resolved within 1 h -> fine
    quick = store.create({"service_form": "premium"}, "2026-01-05T09:00:00+00:00", agent="anna")
    store.append(
        quick, _ev("2026-01-05T09:10:00+00:00", "answer", "anna", question="q", value=True)
    )
    store.append(quick, _ev("2026-01-05T10:00:00+00:00", "fix_worked", "anna", fault="f"))
    # premium still open, due 12:30; as of 11:00 -> at risk (within 2 h)
    risky = store.create({"service_form": "premium"}, "2026-01-05T08:30:00+00:00", agent="boris")
    # premium still open, due 06:00 -> breached
    stale = store.create({"service_form": "premium"}, "2026-01-05T02:00:00+00:00", agent="boris")
    store.import_cases(
        [({"service_form": "premium"}, [_ev("2026-01-01T00:00:00+00:00", "opened", "sim")])],
        simulated=True,
    )
    data = team_figures(store, CaseFilter(simulated=False), as_of="2026-01-05T11:00:00+00:00")
    assert data["lines"] == [
        {
            "line": 1,
            "cases": 4,
            "open": 2,
            "escalated": 0,
            "resolved": 2,
            "unresolved": 0,
            "abandoned": 0,
            "sla_breached": 2,
            "sla_at_risk": 1,
        }
    ]
    agents = {a["agent"]: a for a in data["agents"]}
    assert agents["anna"]["cases"] == 2 and agents["anna"]["resolved"] == 2
    assert agents["anna"]["questions_per_case"] == 0.5 and agents["anna"]["sla_breached"] == 1
    assert agents["boris"]["sla_breached"] == 1 and "sim" not in agents
    assert [c["case"] for c in data["breached_cases"]] == [stale, late]
    assert [c["case"] for c in data["at_risk_cases"]] == [risky]
    everything = team_figures(store, None, as_of="2026-01-05T11:00:00+00:00")
    assert everything["lines"][0]["cases"] == 5


def test_report_team_on_the_command_line(store_env: str) -> None:
    store = open_store(store_env)
    store.create({"service_form": "paid"}, "2026-01-05T08:00:00+00:00", agent="anna")
    result = CliRunner().invoke(cli, ["report", "--team", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["agents"][0]["agent"] == "anna"
    text = CliRunner().invoke(cli, ["report", "--team"])
    assert "anna" in text.stdout and "SLA breaches: 0" in text.stdout
