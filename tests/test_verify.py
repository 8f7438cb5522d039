"""`linewise pack check`: every planted defect is found, with file and line; shipped packs pass.

Each defect pack sits in tests/data/check (a file, or a folder of packs checked together)
beside its expected output (`.expected`); a new defect is a new pair.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import EXIT_BAD_INPUT, EXIT_CHECK_FAILED, cli
from engine.finding import CODES
from engine.symbolic import Unsupported
from engine.verify import verify
from rules.knowledge import KnowledgeBase
from rules.loader import load_pack_files
from tests.conftest import DATA, ROOT

CHECK = DATA / "check"
CASES = sorted(p for p in CHECK.iterdir() if p.suffix == ".yaml" or p.is_dir())


def _check(*args: str) -> tuple[int, str]:
    """The planted defects are small demo packs whose ids overlap the shipped ones: they are
    checked on their own (in context: tests/test_pack_context.py)."""
    result = CliRunner().invoke(cli, ["pack", "check", "--alone", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_check_finds_the_planted_defect(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out = _check("--strict", str(case.relative_to(ROOT)))
    assert out == case.with_suffix(".expected").read_text(encoding="utf-8")
    passed = case.stem == "silenced" or out.splitlines()[-1].startswith("ok:")  # notes only
    assert code == (0 if passed else EXIT_CHECK_FAILED)


def test_every_code_has_a_defect_pack_that_shows_it() -> None:
    shown = {
        line.split(": ")[1]
        for p in CHECK.glob("*.expected")
        for line in p.read_text().splitlines()
        if ": " in line and line.split(": ")[1] in CODES
    }
    assert shown == set(CODES)


def test_the_shipped_packs_pass_strict() -> None:
    code, out = _check("--strict", str(ROOT / "rules"))
    assert code == 0, out
    assert out.splitlines()[-1].startswith("ok: 0 errors, 0 warnings")
    # notes never fail: the complaints whose cases wait at Line 3 (no packs) to be worked
    # by hand, and the printer cases that reach Line 2, which has no printer pack
    assert "N111: complaint 'print_not_printing' can reach Line 2" in out


def test_warnings_fail_only_with_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    path = str((CHECK / "unused_question.yaml").relative_to(ROOT))
    assert _check(path)[0] == 0
    assert _check("--strict", path)[0] == EXIT_CHECK_FAILED


def test_ignore_silences_a_code_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    path = str((CHECK / "unused_question.yaml").relative_to(ROOT))
    code, out = _check("--strict", "--ignore", "W105", path)
    assert code == 0
    assert "(1 silenced)" in out


def test_ignore_refuses_an_unknown_code() -> None:
    result = CliRunner().invoke(cli, ["pack", "check", "--ignore", "W999", "--alone", str(CHECK)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "unknown code W999" in result.stderr


def test_json_gives_the_same_findings_as_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    path = str((CHECK / "coverage_gap.yaml").relative_to(ROOT))
    code, out = _check("--json", "--strict", path)
    data = json.loads(out)
    assert code == EXIT_CHECK_FAILED and data["ok"] is False
    (gap,) = data["findings"]
    assert (gap["code"], gap["severity"], gap["line"]) == ("W109", "warning", 7)
    assert data["coverage"][0]["mode"] == "exhaustive"
    assert data["coverage"][0]["examples"][0] == {
        "intake.complaint": "no_wifi",
        "networks_seen": "others",
        "wifi_switch_on": "yes",
    }


def test_a_pack_that_does_not_load_exits_2(write_pack: object, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["pack", "check", str(tmp_path / "broken.yaml")])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "missing required key" in result.stderr


def test_a_larger_space_is_decided_exactly_not_sampled() -> None:
    kb = KnowledgeBase.from_loaded(load_pack_files([CHECK / "coverage_large.yaml"]))
    (domain,) = verify(kb).coverage
    assert domain.mode == "exhaustive" and domain.checked == domain.total == 8192
    assert domain.gaps == 4096 + 1  # check_00=no, and every check no with check_00=yes
    assert domain.examples[-1] == {"intake.complaint": "many_checks", "check_00": "no"}
    assert domain.gap_sets == 2


def test_a_domain_beyond_the_region_limit_is_undecided_not_guessed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import engine.coverage
    from engine.verify import render_report

    def unsupported(*_: object) -> None:
        raise Unsupported("as if a fact were computed by an expression")

    # only a domain the decision diagram cannot state is split into regions
    monkeypatch.setattr(engine.coverage, "outcome_diagram", unsupported)
    monkeypatch.setattr(engine.coverage, "MAX_REGIONS", 1)
    kb = KnowledgeBase.from_loaded(load_pack_files([CHECK / "coverage_large.yaml"]))
    report = verify(kb)
    (domain,) = report.coverage
    assert domain.mode == "undecided" and domain.checked == 0 and domain.method == "split"
    assert "1 left undecided" in render_report(report)
