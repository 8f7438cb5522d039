"""`linewise test`: golden replay in bulk, mismatches with the rules involved, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cases.golden import GOLDEN_DIR
from cases.pool import SERIAL_BELOW
from cases.replay import run_golden
from cli.main import cli

SHIPPED_CASE = GOLDEN_DIR / "network-wired" / "wired-cable-faulty.yaml"


def _copy_case(folder: Path, name: str, expect: str | None = None) -> Path:
    text = SHIPPED_CASE.read_text(encoding="utf-8")
    text = text.replace("id: wired-cable-faulty", f"id: {name}")
    if expect is not None:
        text = text.split("expect:")[0] + "expect:\n" + expect
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_library_passes() -> None:
    result = CliRunner().invoke(cli, ["test"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ")


def test_mismatch_shows_expected_actual_and_rules(tmp_path: Path) -> None:
    _copy_case(tmp_path, "good")
    _copy_case(tmp_path, "wrong", "  fault: wired_adapter_disabled\n")
    result = CliRunner().invoke(cli, ["test", str(tmp_path)])
    assert result.exit_code == 1
    out = result.stdout
    assert "FAIL wrong" in out and "FAIL good" not in out
    assert "expected: fault wired_adapter_disabled" in out
    assert "actual:   fault wired_cable_faulty" in out
    assert "rules fired: network-wired/no_link_isolated, network-wired/spare_cable_fixes" in out
    assert "why not the expected fault:" in out
    assert "1 passed, 1 failed" in out


def test_broken_file_is_reported_beside_the_others(tmp_path: Path) -> None:
    _copy_case(tmp_path, "good")
    (tmp_path / "broken.yaml").write_text("id: broken\nanswers: {wired_cable_seated: maybe}\n")
    result = CliRunner().invoke(cli, ["test", str(tmp_path), "--json"])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    by_case = {r["case"]: r for r in data["results"]}
    assert by_case["good"]["status"] == "pass"
    assert by_case["broken"]["status"] == "error"
    assert "expect" in by_case["broken"]["error"]


def test_json_stays_clean_with_progress(tmp_path: Path) -> None:
    _copy_case(tmp_path, "good")
    result = CliRunner().invoke(cli, ["test", str(tmp_path), "--json", "--progress"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["passed"] == 1 and data["packs"]["network-wired"]
    assert "replaying: 1/1" in result.stderr


def test_parallel_replay_gives_the_serial_result_in_file_order(tmp_path: Path) -> None:
    count = SERIAL_BELOW + 6
    for i in range(count):
        expect = "  escalate: 2\n" if i % 7 == 0 else None
        _copy_case(tmp_path, f"c{i:03d}", expect)
    serial = run_golden([tmp_path], jobs=1)
    parallel = run_golden([tmp_path], jobs=2)
    assert parallel.results == serial.results
    assert [r.case for r in parallel.results] == [f"c{i:03d}" for i in range(count)]
    assert parallel.count("fail") == len(range(0, count, 7))


def test_a_concluded_fault_that_ranks_lower_says_why(tmp_path: Path) -> None:
    extra = tmp_path / "packs" / "extra.yaml"
    extra.parent.mkdir()
    extra.write_text(
        "id: wired-extra\nversion: 0.1.0\nline: 1\ntitle: Extra\nrequires: [network-wired]\n"
        "faults:\n  - {id: wired_extra_fault, title: Extra, fix: [Do it], line: 1, prior: 0.1}\n"
        "rules:\n  - id: extra_rule\n    priority: 10\n"
        "    when: {question: wired_other_cable_works, equals: yes}\n"
        "    then: [{conclude: wired_extra_fault, certainty: 0.8}]\n",
        encoding="utf-8",
    )
    _copy_case(tmp_path / "cases", "extra", "  fault: wired_extra_fault\n")
    args = [
        "test",
        "--packs",
        str(SHIPPED_CASE.parents[3] / "rules"),
        "--packs",
        str(extra),
        str(tmp_path / "cases"),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert (
        "ranked below: wired_extra_fault (certainty 0.80, firm, best rule priority 10) comes "
        "after wired_cable_faulty (certainty 0.80, firm, best rule priority 40)"
    ) in result.stdout
