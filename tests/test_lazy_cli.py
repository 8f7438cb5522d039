"""Instant commands: the subcommands and the heavy libraries are imported only when used.

Each case runs the real `linewise` in a fresh interpreter and lists which heavy modules
it imported; the one-line helps written in the lazy tables are the commands' own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import click.testing
import pytest

from cli.lazy import LazyGroup, load
from cli.main import cli
from tests.conftest import ROOT

HEAVY = ("networkx", "experta", "sqlalchemy", "alembic", "fastapi", "graphviz", "rich")

PROBE = """
import json, sys
watch = json.loads(sys.argv[2])
sys.argv = ["linewise", *json.loads(sys.argv[1])]
from cli.main import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in watch)))
"""


def _imported(argv: list[str], watch: tuple[str, ...], tmp_path: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(watch)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=120,
        check=True,
    )
    last = done.stdout.strip().splitlines()[-1]
    return {name.split(".")[0] for name in json.loads(last)}


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (["--version"], set()),
        (["--help"], set()),
        (["pack", "--help"], set()),
        (["pack", "schema"], set()),
        (["pack", "validate", "rules/line1/wifi.yaml"], set()),
        # no store here: refused before anything that opens one is imported
        (["case", "show", "C-000001"], set()),
    ],
)
def test_a_quick_command_imports_no_heavy_library(
    argv: list[str], allowed: set[str], tmp_path: Path
) -> None:
    assert _imported(argv, HEAVY, tmp_path) <= allowed


def test_case_show_imports_the_store_only(tmp_path: Path) -> None:
    """With a store: SQLAlchemy, but no migration tool, no PostgreSQL driver and no
    engine (a stored case is read, not replayed)."""
    from cases.store import open_store

    store = open_store(tmp_path / ".local" / "share" / "linewise" / "cases.sqlite3")
    case = store.create({"customer": "a"}, "2026-01-05T09:00:00+00:00")
    store.close()
    watch = (*HEAVY, "psycopg")
    assert _imported(["case", "show", case], watch, tmp_path) == {"sqlalchemy"}


def test_validate_of_a_pack_without_expressions_imports_no_expression_parser(
    tmp_path: Path,
) -> None:
    assert _imported(["pack", "validate", "rules/line1/wifi.yaml"], ("lark",), tmp_path) == set()


def test_case_show_without_a_store_imports_no_models(tmp_path: Path) -> None:
    assert _imported(["case", "show", "C-000001"], ("pydantic", "yaml"), tmp_path) == set()


def test_version_does_not_even_import_pydantic(tmp_path: Path) -> None:
    assert _imported(["--version"], ("pydantic", "yaml", "cases", "engine"), tmp_path) == set()


def test_pack_check_still_loads_what_it_needs(tmp_path: Path) -> None:
    """The guard is not vacuous: a command that needs the engine imports it."""
    assert "networkx" in _imported(["pack", "check", "rules/line1/wifi.yaml"], HEAVY, tmp_path)


def _lazy_entries() -> list[tuple[str, LazyGroup, str]]:
    groups: list[tuple[str, LazyGroup]] = [("linewise", cli)]
    found: list[tuple[str, LazyGroup, str]] = []
    while groups:
        name, group = groups.pop()
        for sub in sorted(group.lazy):
            found.append((f"{name} {sub}", group, sub))
            command = load(group.lazy[sub])
            if isinstance(command, LazyGroup):
                groups.append((f"{name} {sub}", command))
    return found


@pytest.mark.parametrize(("where", "group", "name"), _lazy_entries(), ids=lambda v: str(v))
def test_the_lazy_tables_say_what_the_commands_say(where: str, group: LazyGroup, name: str) -> None:
    entry = group.lazy[name]
    command = load(entry)
    assert isinstance(command, click.Command)
    assert entry.shown(1000) == command.get_short_help_str(1000), where
