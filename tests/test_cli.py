"""The CLI as a user meets it: help everywhere, JSON output, exit codes."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from cli.main import cli
from rules.schema import Pack


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command, the lazily imported ones too (cli.lazy)."""
    out: list[tuple[str, ...]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        out.append((*prefix, name))
        if isinstance(command, click.Group):
            out.extend(_commands(command, (*prefix, name)))
    return out


def test_the_help_test_sees_every_command() -> None:
    paths = _commands(cli)
    assert {("pack", "validate"), ("pack", "publish"), ("case", "replay"), ("resume",)} <= set(
        paths
    )
    assert len(paths) >= 30


@pytest.mark.parametrize("path", _commands(cli), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, f"'linewise {' '.join(path)} --help' has no example"


def test_diagnose_json_gives_fault_fix_and_trace() -> None:
    args = ["diagnose", "--json", "-i", "complaint=wired_no_network"]
    answers = {
        "wired_cable_seated": "yes",
        "wired_neighbours_ok": "yes",
        "wired_link_light": "no",
        "wired_other_cable_works": "yes",
    }
    for question, value in answers.items():
        args += ["-a", f"{question}={value}"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["outcome"]["kind"] == "fault"
    assert data["outcome"]["fault"] == "wired_cable_faulty"
    top = data["faults"][0]
    assert top["id"] == "wired_cable_faulty" and top["firm"] and top["fix"]
    fired = [f["rule"] for f in data["trace"] if f["status"] == "applied"]
    assert fired == ["network-wired/no_link_isolated", "network-wired/spare_cable_fixes"]
    matched = {m["key"] for m in data["trace"][1]["matched"]}
    assert matched == {"wired_physical_problem", "wired_other_cable_works"}


def test_diagnose_text_in_russian() -> None:
    result = CliRunner().invoke(cli, ["diagnose", "--lang", "ru", "-a", "wired_cable_seated=нет"])
    assert result.exit_code == 0, result.output
    assert "Диагноз на линии 1: Сетевой кабель отключён или плохо вставлен" in result.output
    assert "Исправление:" in result.output and "Что известно:" in result.output
    assert "wired_cable" not in result.output


def test_explain_speaks_in_titles_and_sentences() -> None:
    args = [
        "explain",
        "-a",
        "wired_cable_seated=yes",
        "-a",
        "wired_neighbours_ok=yes",
        "-a",
        "wired_link_light=no",
        "-a",
        "wired_other_cable_works=yes",
        "--why-not",
        "wired_wall_port_dead",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "How: Faulty network cable Certainty 0.80 (firm)." in flat
    assert "- No link on this computer only" in flat  # the rule that derived a fact used
    assert "Is the small light next to the computer's network port lit or blinking? — no" in flat
    assert (
        "Why not: Dead wall socket or patch-panel port Not concluded. The rules that could "
        "conclude it: - the rule for “Dead wall socket or patch-panel port”: does not hold: "
        "With a spare cable (or another wall socket), does the link light come on? — no "
        "(it is yes)" in flat
    )
    assert "network-wired/" not in result.output and "wired_link_light" not in result.output
    with_ids = CliRunner().invoke(cli, ["explain", "--ids", *args[1:]])
    assert "[network-wired/no_link_isolated]" in with_ids.output


def test_explain_json_is_data() -> None:
    result = CliRunner().invoke(
        cli, ["explain", "--json", "-a", "wired_cable_seated=no", "--why-not", "wired_dhcp_lease"]
    )
    data = json.loads(result.stdout)
    assert data["how"]["fault"] == "wired_cable_unplugged"
    entry = data["why_not"][0]["rules"][0]
    assert entry["status"] == "pending" and entry["blocker"]["key"] == "wired_link_light"


def test_pack_schema_is_json_schema_of_a_pack() -> None:
    result = CliRunner().invoke(cli, ["pack", "schema"])
    schema = json.loads(result.stdout)
    assert schema["title"] == "linewise rule pack"
    assert set(Pack.model_fields) <= set(schema["properties"])


def test_pack_validate_shipped_packs() -> None:
    result = CliRunner().invoke(cli, ["pack", "validate", "--json", "rules/"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True
