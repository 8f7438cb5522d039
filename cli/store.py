"""`linewise store ...`: the case store itself: is it sound, its schema, moving it elsewhere."""

from __future__ import annotations

import click

from cases import migrate
from cases.database import resolve
from cases.integrity import DamagedStore, check_store
from cases.store import SQLStore, open_reader
from cases.transfer import copy_store
from cli.guided import store_option
from cli.options import echo_json, json_option


@click.group("store")
def store_group() -> None:
    """The case store: check it, bring its schema up to date, copy it into another store.

    \b
    Example:
      linewise store check --store history.sqlite3
      linewise store migrate --store postgresql://linewise@db.example/linewise
    """


@store_group.command("migrate")
@store_option
@json_option
def migrate_command(store_path: str | None, as_json: bool) -> None:
    """Bring the store to the schema of this linewise (every case kept, in one transaction).

    A new, empty database becomes an empty store; an older store is upgraded in place.
    A SQLite store is also upgraded on first use; a shared PostgreSQL store only by this
    command, run once for the team.

    \b
    Example:
      linewise store migrate --store postgresql://linewise@db.example/linewise
    """
    where = resolve(store_path)
    store = SQLStore(where, migrate_now=True)
    try:
        before, after = store.migrated or (migrate.head(), migrate.head())
    finally:
        store.close()
    if as_json:
        echo_json({"store": where.shown, "before": before, "after": after})
    elif before == after:
        click.echo(f"the case store {where.shown} is up to date (schema {after})")
    else:
        click.echo(
            f"upgraded the case store {where.shown} from schema {before or 'none'} to {after}"
        )


@store_group.command("copy")
@click.argument("source", metavar="SRC")
@click.argument("target", metavar="DST")
@json_option
def copy_command(source: str, target: str, as_json: bool) -> None:
    """Copy every case, event and published pack from SRC into the empty store DST.

    Ids, sequences, agents and pack hashes are kept; the copy lands whole or not at all.

    \b
    Example:
      linewise store copy ~/.local/share/linewise/cases.sqlite3 postgresql://linewise@db/linewise
    """
    src = open_reader(source)  # a mistyped source is refused, never created empty
    try:
        dst = SQLStore(resolve(target), migrate_now=True)
    except BaseException:
        src.close()
        raise
    try:
        copied = copy_store(src, dst)
    finally:
        src.close()
        dst.close()
    if as_json:
        echo_json(
            {
                "source": src.location,
                "target": dst.location,
                "cases": copied.cases,
                "events": copied.events,
                "packs": copied.packs,
            }
        )
        return
    click.echo(
        f"copied {copied.cases} cases ({copied.events} events) and {copied.packs} published "
        f"pack versions from {src.location} to {dst.location}"
    )


@store_group.command("check")
@store_option
@json_option
def check(store_path: str | None, as_json: bool) -> None:
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
        echo_json(report.as_dict())
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
