"""`linewise test` shows and compares escalation reasons (issue 16 item 12)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import cli
from tests.conftest import ROOT

FALLBACK = ROOT / "cases" / "golden" / "vpn" / "vpn-fallback.yaml"


def _case(tmp_path: Path, reason: str) -> Path:
    text = FALLBACK.read_text(encoding="utf-8").replace("reason_contains: VPN", reason)
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_wrong_reason_shows_expected_and_actual(tmp_path: Path) -> None:
    case = _case(tmp_path, "reason_contains: printer toner")
    result = CliRunner().invoke(cli, ["test", str(case), "-j", "1", "--no-progress"])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "expected: escalate to Line 2, reason containing “printer toner”" in out
    assert "escalation reason expected: containing “printer toner”" in out
    actual = next(line for line in out.splitlines() if "escalation reason actual:" in line)
    assert "VPN" in actual  # the pack's own fallback reason, in the reader's words


def test_json_carries_both_reasons(tmp_path: Path) -> None:
    case = _case(tmp_path, "reason_contains: VPN\n  kind: rule")
    result = CliRunner().invoke(cli, ["test", str(case), "-j", "1", "--no-progress", "--json"])
    data = json.loads(result.stdout)
    (entry,) = data["results"]
    assert entry["expected_reason"] == "VPN"
    assert entry["expected_kind"] == "rule"
    assert "VPN" in entry["actual_reason"]
    assert entry["reason_matches"] is (entry["actual_kind"] == "rule")
    assert entry["status"] == ("pass" if entry["reason_matches"] else "fail")
