"""`linewise registry ...`: moving the published-pack registry between stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cases.legacy_registry import read_folder, write_folder
from cases.registry import Registry
from cases.store import open_store
from cli.guided import store_option
from cli.options import echo_json, json_option


@click.group("registry")
def registry_group() -> None:
    """The published-pack registry (kept in the case store): export it, import it.

    \b
    Example:
      linewise registry export packs-backup/
    """


@registry_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@store_option
@json_option
def export_command(folder: Path, store_path: str | None, as_json: bool) -> None:
    """Write every kept pack version (texts verbatim, with hashes, stages and publishers)
    to FOLDER, in the form `registry import` reads.

    \b
    Example:
      linewise registry export packs-backup/ --store team.sqlite3
    """
    rows = Registry(open_store(store_path)).rows()
    write_folder(folder, rows)
    if as_json:
        echo_json({"exported": len(rows), "folder": str(folder), "versions": _versions(rows)})
        return
    click.echo(f"exported {len(rows)} pack versions to {folder}")


@registry_group.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@store_option
@json_option
def import_command(folder: Path, store_path: str | None, as_json: bool) -> None:
    """Add the pack versions kept in FOLDER (an export, or an old folder registry) to the
    store's registry; versions already kept must have the same text.

    \b
    Example:
      linewise registry import packs-backup/ --store postgresql://linewise@db/linewise
    """
    rows = read_folder(folder)
    added = Registry(open_store(store_path)).add(rows)
    if as_json:
        echo_json({"imported": added, "already_kept": len(rows) - added, "folder": str(folder)})
        return
    click.echo(f"imported {added} pack versions ({len(rows) - added} already kept) from {folder}")


def _versions(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each kept version as data: pack, version, line, stage (the texts stay in the files)."""
    return [
        {key: row.get(key) for key in ("pack", "version", "line", "stage", "sha256")}
        for row in rows
    ]
