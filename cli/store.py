"""`linewise store check`: is the case store sound, and does every case replay?"""

from __future__ import annotations

import json
from pathlib import Path

import click

from cases.integrity import DamagedStore, check_store
from cases.store import open_reader
from cli.guided import store_option
from cli.options import json_option


@click.group("store")
def store_group() -> None:
    """The case store itself.

    \b
    Example:
      linewise store check --store history.sqlite3
    """


@store_group.command("check")
@store_option
@json_option
def check(store_path: Path | None, as_json: bool) -> None:
    """Check the store: SQLite's integrity check, then every case's events replayed.

    Read-only; safe while agents work. Exits 0 when sound, 1 when damaged (every
    problem listed, up to 100), 4 when the store cannot be opened at all.

    \b
    Example:
      linewise store check --store history.sqlite3
    """
    store = open_reader(store_path)
    try:
        report = check_store(store)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(f"store {report.location}: {report.cases} cases, {report.events} events")
        for problem in report.problems:
            click.echo(f"  {problem.render()}")
        if report.found > len(report.problems):
            click.echo(f"  ... and {report.found - len(report.problems)} more")
        if report.ok:
            click.echo("ok: the file is sound and every case replays")
    if not report.ok:
        count = f"{report.found} problem{'s' if report.found != 1 else ''}"
        raise DamagedStore(
            f"the case store {report.location} is damaged ({count})",
            hint="copy the file aside before anything else; the sqlite3 shell's '.recover' "
            "can often save the readable cases into a new file",
        )
