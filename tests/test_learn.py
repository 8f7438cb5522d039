"""`linewise learn`: the estimates converge to the truth, the SQL counts equal the events,
and the estimates shrink towards the packs' own values by the stated pseudo-counts."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from cases.causes import causes, true_shares
from cases.learn import History, count_history
from cases.learn_estimate import (
    FAULT_PSEUDO,
    FIX_PSEUDO,
    MINUTE_PSEUDO,
    _candidates,
    estimate,
    overlay_text,
)
from cases.learn_report import learning_figures
from cases.simulate import simulate
from cases.sla import load_service_levels
from cases.store import open_store
from cases.tally import tally
from cases.timeline import parse_time
from cli.main import cli
from engine.diagnose import DEFAULT_THRESHOLD
from rules.knowledge import KnowledgeBase
from rules.overlay import overlay_for, read_overlay

# the stated tolerance (docs/learning.md): the largest error of any learned fault share
TOLERANCE = {1_000: 0.07, 10_000: 0.025}


def _truth(kb: KnowledgeBase, seed: int) -> dict[str, dict[str, float]]:
    """Per complaint, true shares over its candidate faults, drifted away from the priors."""
    rng = random.Random(seed)
    out: dict[str, dict[str, float]] = {}
    for complaint in sorted(kb.for_line(1).symptoms):
        faults = _candidates(kb, complaint, ())
        if len(faults) < 3:
            continue
        raw = {f: kb.faults[f].likelihood * rng.lognormvariate(0, 1.0) for f in faults}
        total = sum(raw.values())
        out[complaint] = {f: w / total for f, w in raw.items()}
    return out


def _sampled(truth: dict[str, dict[str, float]], per_complaint: int, seed: int) -> History:
    rng = random.Random(seed)
    found = History()
    for complaint, shares in truth.items():
        faults = sorted(shares)
        for fault in rng.choices(faults, [shares[f] for f in faults], k=per_complaint):
            key = (complaint, "", fault)
            found.causes[key] = found.causes.get(key, 0) + 1
    return found


@pytest.mark.parametrize("cases", [1_000, 10_000])
def test_fault_shares_converge_to_the_truth(shipped_kb: KnowledgeBase, cases: int) -> None:
    truth = _truth(shipped_kb, seed=5)
    overlay = estimate(shipped_kb, _sampled(truth, cases, seed=6), version="1.0.0", store="t")
    learned_error = prior_error = 0.0
    for complaint, shares in truth.items():
        found = overlay.complaints[complaint]
        assert found.cases == cases
        for fault, share in shares.items():
            learned_error = max(learned_error, abs(found.faults[fault].learned - share))
            prior_error = max(prior_error, abs(found.faults[fault].prior - share))
    assert learned_error <= TOLERANCE[cases]
    assert prior_error > 4 * TOLERANCE[cases]  # the drift is real: the priors are far off


def test_little_evidence_stays_near_the_pack() -> None:
    """One case moves a share by 1/(1 + A) of the way at most."""
    from cases.learn_estimate import dirichlet

    found = dirichlet({"a": 1}, {"a": 0.2, "b": 0.8}, FAULT_PSEUDO)
    expected = (1 + FAULT_PSEUDO * 0.2) / (1 + FAULT_PSEUDO)
    assert found["a"].learned == pytest.approx(expected, abs=1e-4)
    assert found["b"].learned == pytest.approx(FAULT_PSEUDO * 0.8 / (1 + FAULT_PSEUDO), abs=1e-4)


def test_fix_success_and_minutes_are_shrunk(shipped_kb: KnowledgeBase) -> None:
    fault = "wired_cable_unplugged"
    question = sorted(shipped_kb.questions)[0]
    cost = float(shipped_kb.questions[question].cost)
    history = History(
        causes={("wired_no_network", "", fault): 30},
        failed={fault: 90},
        minutes={question: (10, 10 * (cost + 6.0))},
    )
    overlay = estimate(shipped_kb, history, version="1.0.0", store="t")
    fix = overlay.fixes[fault]
    assert (fix.tried, fix.worked) == (120, 30)
    s0 = DEFAULT_THRESHOLD
    assert fix.learned == pytest.approx((30 + FIX_PSEUDO * s0) / (120 + FIX_PSEUDO), abs=1e-4)
    minutes = overlay.questions[question].minutes
    expected = (10 * (cost + 6.0) + MINUTE_PSEUDO * cost) / (10 + MINUTE_PSEUDO)
    assert minutes == pytest.approx(expected, abs=1e-4)


@pytest.fixture(scope="module")
def history_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("learn") / "history.sqlite3"
    store = open_store(path)
    try:
        simulate(store, 150, 11, drift=1.0, jobs=1)
    finally:
        store.close()
    return path


def test_the_sql_counts_equal_the_events(store_url: str) -> None:
    """On SQLite and PostgreSQL: the learn counts, and report's line 1 figures per overlay
    (all 'without' here) against the same figures folded from the events in Python."""
    store = open_store(store_url)
    try:
        simulate(store, 40, 11, drift=1.0, jobs=1)
        counted = count_history(store)
        learning = learning_figures(store)
        line1 = tally(store, load_service_levels())["line1"]
        worked: dict[str, int] = {}
        failed: dict[str, int] = {}
        asked: dict[str, int] = {}
        for summary in store.list_cases():
            case = store.load(summary.id)
            for before, event in zip(case.events, case.events[1:], strict=False):
                if event.kind == "fix_worked" and event.fault:
                    worked[event.fault] = worked.get(event.fault, 0) + 1
                if event.kind == "fix_failed" and event.fault:
                    failed[event.fault] = failed.get(event.fault, 0) + 1
                if event.kind in ("answer", "unknown") and event.question:
                    gap = (parse_time(event.at) - parse_time(before.at)).total_seconds() / 60
                    if 0 <= gap <= 120:
                        asked[event.question] = asked.get(event.question, 0) + 1
    finally:
        store.close()
    assert counted.worked() == worked
    assert counted.failed == failed
    assert {q: n for q, (n, _) in counted.minutes.items()} == asked
    assert counted.cases == 40
    (without,) = learning["line1_by_overlay"]
    assert without["overlay"] is None
    assert (without["resolved"], without["finished"]) == (line1["resolved"], line1["finished"])
    assert sum(f["failed"] for f in learning["failing_fixes"]) <= sum(failed.values())


def test_learned_shares_move_towards_the_simulated_truth(
    shipped_kb: KnowledgeBase, history_store: Path, tmp_path: Path
) -> None:
    """On a drifted simulated history, the learned shares are nearer the simulator's true
    shares than the packs' priors are (total-variation distance, over the known faults)."""
    out = tmp_path / "learned.yaml"
    result = CliRunner().invoke(cli, ["learn", "--store", str(history_store), "--out", str(out)])
    assert result.exit_code == 0, result.output
    overlay = overlay_for(out, shipped_kb)
    truth = true_shares(causes(shipped_kb, [], 11, 1.0))
    learned = prior = 0.0
    for complaint, shares in truth.items():
        found = overlay.complaints.get(complaint)
        if found is None:
            continue
        for source in ("learned", "prior"):
            values = {f: getattr(found.faults[f], source) for f in shares}
            total = sum(values.values())
            tv = 0.5 * sum(abs(values[f] / total - p) for f, p in shares.items())
            if source == "learned":
                learned += tv
            else:
                prior += tv
    assert learned < prior


def test_the_overlay_file_round_trips_and_diffs_line_by_line(shipped_kb: KnowledgeBase) -> None:
    history = History(causes={("wired_no_network", "", "wired_cable_unplugged"): 5})
    first = overlay_text(estimate(shipped_kb, history, version="1.0.0", store="t"))
    again = overlay_text(estimate(shipped_kb, history, version="1.0.0", store="t"))
    assert first == again
    assert first.splitlines()[2] == "overlay: 1"


def test_an_overlay_naming_an_unknown_fault_is_an_error_at_its_line(
    shipped_kb: KnowledgeBase, tmp_path: Path
) -> None:
    history = History(causes={("wired_no_network", "", "wired_cable_unplugged"): 5})
    text = overlay_text(estimate(shipped_kb, history, version="1.0.0", store="t"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("wired_cable_unplugged:", "wired_cable_unplugd:", 1))
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if "unplugd" in t)
    read_overlay(bad)  # the shape is fine; the id is not
    result = CliRunner().invoke(cli, ["pack", "publish", str(bad)])
    assert result.exit_code == 2, result.output
    assert f"bad.yaml:{line}:" in result.output
    assert "unknown fault 'wired_cable_unplugd'" in result.output
    assert "Traceback" not in result.output
