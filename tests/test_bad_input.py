"""Every bad pack and bad answer file gives its error with file, line and key, and no traceback.

Each input sits in tests/data/bad_packs or tests/data/bad_answers beside its
expected message (`.expected`); a new bad input is a new pair of files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import EXIT_BAD_INPUT, EXIT_UNKNOWN_ID, cli
from tests.conftest import DATA, ROOT

BAD_PACKS = sorted((DATA / "bad_packs").glob("*.yaml"))
BAD_ANSWERS = sorted((DATA / "bad_answers").glob("*.yaml"))


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("pack", BAD_PACKS, ids=lambda p: p.stem)
def test_bad_pack_reports_its_error(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["pack", "validate", _relative(pack)])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert result.stderr == pack.with_suffix(".expected").read_text(encoding="utf-8")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("answers", BAD_ANSWERS, ids=lambda p: p.stem)
def test_bad_answer_file_reports_its_error(answers: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["diagnose", "--answers", _relative(answers)])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert result.stderr == answers.with_suffix(".expected").read_text(encoding="utf-8")


def test_every_bad_pack_has_its_expected_message() -> None:
    assert BAD_PACKS, "the corpus is missing"
    for pack in BAD_PACKS:
        assert pack.with_suffix(".expected").exists(), pack


def test_wrong_answer_on_the_command_line() -> None:
    result = CliRunner().invoke(
        cli, ["diagnose", "-a", "wired_cable_seated=perhaps", "-a", "wired_neighbours_ok"]
    )
    assert result.exit_code == EXIT_BAD_INPUT
    assert "'wired_neighbours_ok' is not QUESTION=VALUE" in result.stderr


@pytest.mark.parametrize("command", ["diagnose", "explain"])
def test_unknown_question_on_the_command_line_is_an_unknown_id(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "-a", "wired_cable_seeted=no"])
    assert result.exit_code == EXIT_UNKNOWN_ID, result.output
    assert "did you mean 'wired_cable_seated'?" in result.stderr


def test_unknown_intake_field_and_complaint_on_the_command_line_are_unknown_ids() -> None:
    result = CliRunner().invoke(
        cli, ["diagnose", "-i", "complant=x", "-a", "wired_cable_seated=no"]
    )
    assert result.exit_code == EXIT_UNKNOWN_ID
    assert "unknown intake field 'complant' (did you mean 'complaint'?)" in result.stderr
    result = CliRunner().invoke(
        cli, ["diagnose", "-i", "complaint=wired_no_netwrok", "-a", "wired_cable_seated=no"]
    )
    assert result.exit_code == EXIT_UNKNOWN_ID
    assert "unknown complaint 'wired_no_netwrok' (did you mean 'wired_no_network'?)" in (
        result.stderr
    )


def test_an_unknown_id_beside_a_bad_value_is_bad_input() -> None:
    """Both are reported; the exit code is 2 because fixing the id alone would not do."""
    result = CliRunner().invoke(
        cli, ["diagnose", "-a", "wired_cable_seated=perhaps", "-a", "wired_cable_seeted=no"]
    )
    assert result.exit_code == EXIT_BAD_INPUT
    assert "unknown question 'wired_cable_seeted'" in result.stderr
    assert "'perhaps' is not a yes/no answer" in result.stderr


def test_an_unknown_id_inside_an_answers_file_is_a_broken_file(tmp_path: Path) -> None:
    """In a file an unknown id is one of the file's problems, named by line: exit 2."""
    path = tmp_path / "answers.yaml"
    path.write_text("answers:\n  wired_cable_seeted: no\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["diagnose", "--answers", str(path)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "answers.yaml:2:3: answers.wired_cable_seeted: unknown question" in result.stderr


def test_missing_answers_file() -> None:
    result = CliRunner().invoke(cli, ["diagnose", "--answers", "no/such/file.yaml"])
    assert result.exit_code == EXIT_BAD_INPUT
    assert result.stderr.startswith("no/such/file.yaml: no such file")


def test_unknown_line_and_fault(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["diagnose", "--line", "3", "-a", "wired_cable_seated=no"])
    assert result.exit_code == 3
    assert "no packs for Line 3" in result.stderr
    result = CliRunner().invoke(
        cli, ["explain", "-a", "wired_cable_seated=no", "--why-not", "cabl"]
    )
    assert result.exit_code == 3
    assert "unknown fault 'cabl'" in result.stderr


def test_a_folder_without_packs_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a pack", encoding="utf-8")
    for argv in (
        ["pack", "validate", str(folder)],
        ["diagnose", "--packs", str(folder), "-a", "x=1"],
    ):
        result = CliRunner().invoke(cli, argv)
        assert result.exit_code == EXIT_BAD_INPUT
        assert result.stderr.startswith(f"{folder}: no pack files found"), result.stderr


def test_a_folder_without_golden_cases_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["test", str(tmp_path)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert result.stderr.startswith(f"{tmp_path}: no golden case files found"), result.stderr


def test_several_pack_files_report_all_problems_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    names = ["unknown_key", "unknown_fault"]
    result = CliRunner().invoke(
        cli, ["pack", "validate", *(_relative(DATA / "bad_packs" / f"{n}.yaml") for n in names)]
    )
    assert result.exit_code == EXIT_BAD_INPUT
    assert "unknown_key.yaml:23:5: rules[0].priorty: unknown key 'priorty'" in result.stderr
    assert "unknown_fault.yaml:27:19: rules[0].then[0].conclude: unknown fault" in result.stderr
    # one pass: the sound part of the broken file is cross-checked too, and both files
    # declare the pack 'demo'
    assert "unknown_key.yaml:1:5: id: duplicate pack id 'demo'" in result.stderr
