"""`diagnose --answers` over many inputs: files, folders, JSON Lines, stdin; one result each."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import cli

GOLDEN = Path(__file__).resolve().parent.parent / "cases" / "golden" / "printer"


def batch(*argv: str, stdin: str | None = None) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(cli, ["diagnose", *argv, "--json"], input=stdin)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    return result.exit_code, lines, result.stderr


def test_a_folder_gives_one_json_line_per_case_as_a_single_file_would() -> None:
    code, results, _ = batch("--answers", str(GOLDEN))
    files = sorted(GOLDEN.glob("*.yaml"))
    assert code == 0 and len(results) == len(files)
    for path, result in zip(files, results, strict=True):
        assert str(result["input"]).endswith(path.name)
        alone = CliRunner().invoke(cli, ["diagnose", "--answers", str(path), "--json"])
        assert json.loads(alone.stdout)["outcome"] == result["outcome"]


def test_json_lines_and_files_mix_and_a_broken_input_does_not_stop_the_batch(
    tmp_path: Path,
) -> None:
    cases = tmp_path / "tickets.jsonl"
    cases.write_text(
        '{"intake": {"complaint": "wired_no_network"}, "answers": {"wired_cable_seated": "no"}}\n'
        '{"answers": {"wired_cable_seated": "maybe"}}\n'
        "\n"
        '{"intake": {"complaint": "wired_no_network"}, "answers": {}}\n'
    )
    one = GOLDEN / "print-paper-jam.yaml"
    code, results, _ = batch("--answers", str(cases), "--answers", str(one))
    assert code == 2
    assert [str(r["input"]).rsplit("/", 1)[-1] for r in results][:3] == [
        "tickets.jsonl:1",
        "tickets.jsonl:2",
        "tickets.jsonl:4",
    ]
    assert results[0]["outcome"]["fault"] == "wired_cable_unplugged"  # type: ignore[index]
    error = results[1]["error"]
    assert isinstance(error, dict) and error["exit"] == 2
    assert "tickets.jsonl:2:36: answers.wired_cable_seated: 'maybe'" in str(error["message"])
    assert results[2]["outcome"]["kind"] == "incomplete"  # type: ignore[index]
    assert results[3]["outcome"]["fault"] == "print_paper_jam"  # type: ignore[index]


def test_standard_input_and_command_line_answers_apply_to_every_case() -> None:
    stdin = '{"intake": {"complaint": "wired_no_network"}}\n' * 2
    code, results, _ = batch("--answers", "-", "-a", "wired_cable_seated=no", stdin=stdin)
    assert code == 0 and [r["input"] for r in results] == ["<stdin>:1", "<stdin>:2"]
    assert {r["outcome"]["fault"] for r in results} == {"wired_cable_unplugged"}  # type: ignore[index]


def test_text_output_names_each_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "diagnose",
            "--answers",
            str(GOLDEN / "print-paper-jam.yaml"),
            "--answers",
            str(GOLDEN / "print-power-off.yaml"),
        ],
    )
    assert result.exit_code == 0
    assert result.stdout.count("== ") == 2 and "print-power-off.yaml" in result.stdout
