"""`linewise case show` and `linewise case list`: reading stored cases."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import click

from cases.store_access import require_store
from cli.lazy import Lazy, LazyGroup
from cli.options import (
    Number,
    echo_json,
    ids_option,
    json_option,
    lang_option,
    load_all,
    packs_option,
    store_option,
    terminal_user,
)
from rules.errors import InvalidInput
from rules.intake import SERVICE_FORMS

_DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.group(
    cls=LazyGroup,
    lazy={
        "export": Lazy(
            "cli.case_tools",
            "export",
            "Export a resolved or escalated case as a golden case file (a regression test).",
        ),
        "replay": Lazy(
            "cli.case_tools",
            "replay",
            "Re-run a stored case with exactly the pack versions each of its sessions used.",
        ),
    },
)
def case() -> None:
    """Stored cases: transcripts and listings.

    \b
    Example:
      linewise case list
    """


@case.command("show")
@click.argument("case_id", metavar="CASE")
@store_option
@json_option
@packs_option
@lang_option
@ids_option
def show(
    case_id: str,
    store_path: str | None,
    as_json: bool,
    packs: tuple[Path, ...],
    lang: str,
    ids: bool,
) -> None:
    """Print a case's whole history readably (or as data with --json).

    \b
    Example:
      linewise case show C-000042 --json
    """
    require_store(store_path)  # refused before the store's libraries are imported
    from cases.store import open_reader

    record = open_reader(store_path).load(case_id)
    if as_json:
        data = record.model_dump(mode="json")
        data["status"] = record.status
        data["line"] = record.line
        data["outcome"] = record.outcome()
        echo_json(data)
    else:
        from present.text import document_lines, plain
        from present.transcript import transcript_document

        doc = transcript_document(record, load_all(packs), lang)
        width = shutil.get_terminal_size((80, 24)).columns
        click.echo(plain(document_lines(doc, width, ids=ids)))


@case.command("list")
@store_option
@json_option
@click.option("--limit", type=Number(1, whole=True), default=None, help="At most this many.")
@click.option("--line", type=click.IntRange(1, 4), default=None, help="Cases now at this line.")
@click.option(
    "--status",
    type=click.Choice(["open", "abandoned", "escalated", "resolved", "unresolved"]),
    default=None,
)
@click.option("--agent", default=None, help="Cases this agent worked on (user name).")
@click.option("--mine", is_flag=True, help="Cases I worked on ($USER).")
@click.option(
    "--service-form", type=click.Choice(list(SERVICE_FORMS)), default=None, help="Form of service."
)
@click.option("--complaint", default=None, help="Cases with this complaint (its id).")
@click.option("--from", "opened_from", type=_DAY, default=None, help="Opened on or after this day.")
@click.option("--until", "opened_until", type=_DAY, default=None, help="Opened on or before.")
@click.option(
    "--simulated/--real",
    "simulated",
    default=None,
    help="Only simulated history, or only real cases [default: both, marked].",
)
@packs_option
@lang_option
@ids_option
def list_cases(
    store_path: str | None,
    as_json: bool,
    limit: int | None,
    line: int | None,
    status: str | None,
    agent: str | None,
    mine: bool,
    service_form: str | None,
    complaint: str | None,
    opened_from: datetime | None,
    opened_until: datetime | None,
    simulated: bool | None,
    packs: tuple[Path, ...],
    lang: str,
    ids: bool,
) -> None:
    """List the cases in the store, newest first; a line's queue with the filters.

    \b
    Example:
      linewise case list --line 2 --status escalated --service-form premium
      linewise case list --mine --from 2026-01-01 --until 2026-01-31
      linewise case list --ids --lang ru
    """
    if mine:
        agent = terminal_user()
        if agent is None:
            raise InvalidInput("--mine needs to know who you are", hint="set $USER or use --agent")
    from cases.case_filter import CaseFilter

    where = CaseFilter(
        line=line,
        status=status,
        agent=agent,
        service_form=service_form,
        complaint=complaint,
        opened_from=opened_from.date().isoformat() if opened_from else None,
        opened_until=opened_until.date().isoformat() if opened_until else None,
        simulated=simulated,
    )
    require_store(store_path)
    from cases.store import open_reader

    rows = open_reader(store_path).list_cases(limit, where)
    if as_json:
        echo_json([r.model_dump() for r in rows])
    else:
        from present.transcript import case_list_text

        click.echo(case_list_text(rows, load_all(packs), lang, ids=ids))
