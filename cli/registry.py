"""`linewise registry ...`: moving the published-pack registry between stores."""

from __future__ import annotations

from pathlib import Path

import click

from cases.legacy_registry import read_folder, write_folder
from cases.registry import Registry
from cases.store import open_store
from cli.guided import store_option


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
def export_command(folder: Path, store_path: str | None) -> None:
    """Write every kept pack version (texts verbatim, with hashes, stages and publishers)
    to FOLDER, in the form `registry import` reads.

    \b
    Example:
      linewise registry export packs-backup/ --store team.sqlite3
    """
    rows = Registry(open_store(store_path)).rows()
    write_folder(folder, rows)
    click.echo(f"exported {len(rows)} pack versions to {folder}")


@registry_group.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@store_option
def import_command(folder: Path, store_path: str | None) -> None:
    """Add the pack versions kept in FOLDER (an export, or an old folder registry) to the
    store's registry; versions already kept must have the same text.

    \b
    Example:
      linewise registry import packs-backup/ --store postgresql://linewise@db/linewise
    """
    rows = read_folder(folder)
    added = Registry(open_store(store_path)).add(rows)
    click.echo(f"imported {added} pack versions ({len(rows) - added} already kept) from {folder}")
