"""`--json` everywhere a command has a result or a refusal, through one path (cli.options).

Every command that prints a result takes --json; a refused command given --json prints
the refusal as data on stdout (`{"ok": false, "error": ...}`) besides the message on
stderr and its exit status, unless it printed its own data already.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from cli.main import EXIT_BAD_INPUT, EXIT_UNKNOWN_ID, cli

# commands with no result to print as data: an interactive session, a server, and the
# schema (which is JSON already)
WITHOUT_JSON = {("resume",), ("serve",), ("pack", "schema")}


def _leaves(
    group: click.Group, ctx: click.Context, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            found.extend(_leaves(command, ctx, (*path, name)))
        else:
            found.append(((*path, name), command))
    return found


def test_every_command_with_a_result_takes_json() -> None:
    leaves = _leaves(cli, click.Context(cli))
    assert len(leaves) > 25
    missing = [
        " ".join(path)
        for path, command in leaves
        if path not in WITHOUT_JSON
        and not any("--json" in p.opts for p in command.params if isinstance(p, click.Option))
    ]
    assert missing == []


def _run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def _refusal(result: Result, exit_code: int) -> dict[str, object]:
    assert result.exit_code == exit_code, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["error"]["exit_code"] == exit_code
    assert data["error"]["message"] in result.stderr  # the message is on stderr as ever
    return data


def test_user_commands_give_their_result_and_refusal_as_data() -> None:
    added = _run(
        "user",
        "add",
        "anna",
        "--role",
        "line1",
        "--password-stdin",
        "--json",
        stdin="correct horse\n",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout) == {"name": "anna", "role": "line1", "title": "Line 1 agent"}
    listed = json.loads(_run("user", "list", "--json").stdout)
    assert [u["name"] for u in listed] == ["anna"]
    token = json.loads(_run("user", "token", "anna", "--label", "script", "--json").stdout)
    assert token["name"] == "anna" and token["token"].startswith("lw_")
    short = _run(
        "user", "add", "bob", "--role", "line2", "--password-stdin", "--json", stdin="short\n"
    )
    data = _refusal(short, EXIT_BAD_INPUT)
    assert data["error"]["kind"] == "InvalidInput" and "too short" in str(data["error"]["message"])
    _refusal(_run("user", "token", "nobody", "--json"), EXIT_UNKNOWN_ID)


def test_registry_and_store_commands_give_their_result_as_data(tmp_path: Path) -> None:
    exported = _run("registry", "export", str(tmp_path / "reg"), "--json")
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.stdout)
    assert data["exported"] == len(data["versions"]) >= 17
    assert {"pack": "wifi", "version": "1.0.0", "line": 1, "stage": "published"}.items() <= (
        next(v for v in data["versions"] if v["pack"] == "wifi").items()
    )
    imported = json.loads(_run("registry", "import", str(tmp_path / "reg"), "--json").stdout)
    assert imported["imported"] == 0 and imported["already_kept"] == data["exported"]
    migrated = json.loads(_run("store", "migrate", "--json").stdout)
    assert migrated["before"] == migrated["after"]
    from cases.store import open_store

    source = tmp_path / "a.sqlite3"
    open_store(str(source)).close()
    copied = _run("store", "copy", str(source), str(tmp_path / "b.sqlite3"), "--json")
    assert copied.exit_code == 0, copied.output
    assert json.loads(copied.stdout)["cases"] == 0


def test_case_export_refused_and_given(tmp_path: Path) -> None:
    data = _refusal(_run("case", "export", "C-999999", "--json"), 4)  # no store yet
    assert data["error"]["kind"] == "MissingStore"


@pytest.mark.parametrize("argv", [["pack", "history", "no-such-pack", "--json"]])
def test_an_unknown_id_is_refused_as_data(argv: list[str]) -> None:
    data = _refusal(_run(*argv), EXIT_UNKNOWN_ID)
    assert data["error"]["kind"] == "UnknownIdError"


def test_a_command_that_prints_its_own_refusal_prints_it_once(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nversion: 1.0.0\nline: 1\ntitle: Bad\nrules: [{id: r}]\n", "utf-8")
    result = _run("pack", "validate", "--json", str(bad))
    data = _refusal(result, EXIT_BAD_INPUT)
    assert data["problems"] and all(p["file"] == str(bad) for p in data["problems"])  # type: ignore[union-attr]
    check = _run("pack", "check", "--json", str(bad))
    assert json.loads(check.stdout)["ok"] is False  # one JSON document, not two
