"""docs/porting.md stays true: its files are written out, imported, checked and replayed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli

DOC = Path(__file__).resolve().parent.parent / "docs" / "porting.md"
BLOCK = re.compile(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", re.DOTALL)


def run(*argv: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(argv))
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 7
    for name, text in blocks:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_decision_table_example_imports_as_the_guide_says(folder: Path) -> None:
    code, out = run(
        "pack",
        "import",
        str(folder / "printer-table.csv"),
        "--out",
        str(folder / "my-packs"),
        "--id",
        "printer-table",
    )
    assert code == 0, out
    assert "3 questions, 3 faults, 5 rules; 5 golden cases" in out and "5 passed" in out
    assert run("pack", "check", "--strict", str(folder / "my-packs"))[0] == 0


def test_the_clips_port_passes_check_and_its_golden_cases(folder: Path) -> None:
    port = str(folder / "clips-port")
    code, out = run("pack", "check", "--strict", port)
    assert code == 0, out
    code, out = run("test", port, "--packs", port, "-j", "1")
    assert code == 0 and "5 passed" in out, out
