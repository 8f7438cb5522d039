"""An id that names nothing gets exit 3 and a did-you-mean, from every command that takes one.

Ids given on the command line are checked here; ids inside a file make the file
broken (exit 2, named by line; see test_bad_input.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import EXIT_UNKNOWN_ID, cli
from rules.errors import did_you_mean, fold_look_alikes
from tests.history import Builder, write_store

WIRED = "wired_no_network"
CYRILLIC_C = "\u0441"  # 'с', drawn like the Latin 'c'


def test_look_alike_letters_are_folded_before_matching() -> None:
    assert fold_look_alikes("сору") == "copy"  # four Cyrillic letters
    assert fold_look_alikes("ΑΒΕ") == "abe"  # Greek capitals
    assert fold_look_alikes("ｗｉｆｉ") == "wifi"  # full-width forms
    assert did_you_mean("сору", ["copy", "cap"]) == (
        "did you mean 'copy'? 'сору' has letters of another alphabet: "
        "о U+043E, р U+0440, с U+0441, у U+0443"
    )
    # without folding, 'сору' is no closer to 'copy' than to 'cap': no letter is shared
    assert did_you_mean("zzz", ["vpn"]) is None
    assert did_you_mean("c-000001", ["C-000001"]) == "did you mean 'C-000001'?"


@pytest.fixture
def one_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    store = tmp_path / "cases.sqlite3"
    monkeypatch.setenv("LINEWISE_STORE", str(store))
    case = Builder({"service_form": "paid", "channel": "phone", "complaint": WIRED})
    case.start(1, 1).answer(2, 1, "wired_cable_seated", "no")
    (ident,) = write_store(store, [case])
    return ident


ANSWER = ["-a", "wired_cable_seated=no"]
GRAPH = ["graph", "render", "--format", "dot"]
FAULT, FAULT_TYPO = "'wired_cable_faulty'", "wired_cable_faulyt"
INTAKE = ["--customer", "a", "--location", "b", "--equipment-type", "c", "--model", "d"]
INTAKE += ["--serial", "e", "--service-form", "paid", "--channel", "phone"]

# (arguments, what the message says, the suggestion); CASE stands for the stored case's id
COMMANDS = [
    (["case", "show", "CASE"], "unknown case", "did you mean 'CASE'?"),
    (["resume", "CASE"], "unknown case", "did you mean 'CASE'?"),
    (["case", "export", "CASE"], "unknown case", "did you mean 'CASE'?"),
    (["case", "replay", "CASE"], "unknown case", "did you mean 'CASE'?"),
    ([*GRAPH, "--case", "CASE"], "unknown case", "'CASE'"),
    ([*GRAPH, "--pack", "network-wird"], "unknown pack", "'network-wired'"),
    ([*GRAPH, "--fault", FAULT_TYPO], "unknown fault", FAULT),
    ([*GRAPH, "--line", "3"], "no packs for Line 3", "lines with packs: 1, 2, 4"),
    (["report", "--fault", FAULT_TYPO], "unknown fault", FAULT),
    (["report", "--pack", "network-wird"], "unknown pack", "'network-wired'"),
    (["explain", *ANSWER, "--fault", FAULT_TYPO], "unknown fault", FAULT),
    (["explain", *ANSWER, "--why-not", FAULT_TYPO], "unknown fault", FAULT),
    (["diagnose", "-a", "wired_cable_seeted=no"], "unknown question", "'wired_cable_seated'"),
    (["explain", "-a", "wired_cable_seeted=no"], "unknown question", "'wired_cable_seated'"),
    (["diagnose", *ANSWER, "-i", "complant=x"], "unknown intake field", "'complaint'"),
    (["diagnose", *ANSWER, "-i", "complaint=wired_no_netwrok"], "unknown complaint", f"'{WIRED}'"),
    (["diagnose", *INTAKE, "--complaint", "wired_no_netwrok"], "unknown complaint", f"'{WIRED}'"),
    (["diagnose", "--line", "3", *ANSWER], "no packs for Line 3", "lines with packs"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "says", "suggests"), COMMANDS, ids=lambda v: str(v)[:60])
def test_every_command_answers_an_unknown_id_alike(
    argv: list[str], says: str, suggests: str, one_case: str
) -> None:
    typo = one_case.replace("C-", "C-9")  # a case id one digit off
    result = CliRunner().invoke(cli, [a.replace("CASE", typo) for a in argv])
    assert result.exit_code == EXIT_UNKNOWN_ID, result.output
    assert says in result.stderr
    assert suggests.replace("CASE", one_case) in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["case", "show", f"{CYRILLIC_C}-000001"],
        ["report", "--pack", "network-wired".replace("e", "\u0435")],
        [*GRAPH, "--fault", f"wired_{CYRILLIC_C}able_faulty"],
        ["diagnose", *INTAKE, "--complaint", "wired_no_network".replace("o", "\u043e")],
    ],
    ids=["case", "pack", "fault", "complaint"],
)
def test_a_look_alike_letter_gets_the_real_id_and_is_pointed_out(
    argv: list[str], one_case: str
) -> None:
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == EXIT_UNKNOWN_ID, result.output
    assert "has letters of another alphabet: " in result.stderr
    assert "U+04" in result.stderr


def test_the_report_still_filters_on_known_ids(one_case: str) -> None:
    result = CliRunner().invoke(cli, ["report", "--pack", "network-wired", "--json"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["report", "--fault", "wired_cable_faulty", "--json"])
    assert result.exit_code == 0, result.output
