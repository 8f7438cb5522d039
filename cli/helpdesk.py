"""`linewise helpdesk ...`: tickets in a helpdesk become cases and receive their results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.options import echo_json, json_option, load_all, packs_option, store_option, terminal_desk


def mapping_option(func: Any) -> Any:
    return click.option(
        "--mapping",
        "mapping_path",
        required=True,
        type=click.Path(path_type=Path),
        help="The helpdesk mapping file (YAML): queues, lines, fields, credentials' variables.",
    )(func)


@click.group("helpdesk")
def helpdesk_group() -> None:
    """Work inside a helpdesk (Request Tracker; Zammad and GLPI by webhooks on `serve`).

    A new ticket in a mapped queue opens a case; the case's diagnosis, fix steps,
    escalations, vendor waits and resolution are written back to the ticket through an
    outbox that retries until each write is delivered exactly once.

    \b
    Example:
      export LINEWISE_RT_TOKEN=...        # never in the mapping file
      linewise helpdesk sync --mapping rt.yaml --store cases.sqlite3
      linewise helpdesk status --mapping rt.yaml --store cases.sqlite3
    """


def _setup(mapping_path: Path, packs: tuple[Path, ...], store: str | None) -> Any:
    from cases.desk import Desk
    from helpdesk.mapping import load_mapping

    kb = load_all(packs)
    mapping = load_mapping(mapping_path, kb)
    desk: Desk = terminal_desk(kb, store, threshold=0.9, lang=mapping.lang)
    desk.agent = mapping.agent
    desk.channel = "helpdesk"
    return mapping, desk


@helpdesk_group.command("sync")
@mapping_option
@store_option
@packs_option
@json_option
def sync_command(
    mapping_path: Path, store_path: str | None, packs: tuple[Path, ...], as_json: bool
) -> None:
    """One round: open cases for new tickets, then deliver every due write-back.

    Exit 4 when the helpdesk is unreachable or refuses the credentials (nothing is lost:
    what could not be sent stays queued).

    \b
    Example:
      LINEWISE_RT_TOKEN=... linewise helpdesk sync --mapping rt.yaml --store cases.sqlite3
    """
    from helpdesk.sync import connect, sync

    mapping, desk = _setup(mapping_path, packs, store_path)
    connector = connect(mapping)
    try:
        done = sync(mapping, desk, connector)
    finally:
        connector.close()
        desk.store.close()
    result: dict[str, Any] = {
        "taken": dict(sorted(done.taken.items())),
        "opened": done.opened,
        "queued": done.queued,
        "delivered": done.delivery.delivered,
        "retrying": done.delivery.retrying,
        "failed": done.delivery.failed,
        "waiting": done.delivery.waiting,
        "errors": done.delivery.errors,
    }
    if as_json:
        echo_json(result)
        return
    opened = ", ".join(done.opened) or "none"
    click.echo(f"tickets taken: {sum(done.taken.values())} ({_counts(dict(done.taken))})")
    click.echo(f"cases opened: {opened}")
    click.echo(
        f"write-backs: {done.queued} queued, {done.delivery.delivered} delivered, "
        f"{done.delivery.retrying} to retry, {done.delivery.failed} failed, "
        f"{done.delivery.waiting} waiting"
    )
    for line in done.delivery.errors[:20]:
        click.echo(f"  {line}", err=True)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {what}" for what, n in counts.items()) or "nothing new"


@helpdesk_group.command("status")
@mapping_option
@store_option
@packs_option
@json_option
def status_command(
    mapping_path: Path, store_path: str | None, packs: tuple[Path, ...], as_json: bool
) -> None:
    """Pending and failed write-backs, and tickets linewise could not take (unmapped).

    \b
    Example:
      linewise helpdesk status --mapping rt.yaml --store cases.sqlite3 --json
    """
    from helpdesk.sync import status

    mapping, desk = _setup(mapping_path, packs, store_path)
    try:
        found = status(mapping, desk)
    finally:
        desk.store.close()
    troubles = [
        {
            "key": q.write.key,
            "case": q.case_id,
            "ticket": q.write.ticket,
            "action": q.write.action,
            "state": q.state,
            "attempts": q.attempts,
            "next_at": q.next_at,
            "last_error": q.last_error,
        }
        for q in found.troubles
    ]
    unmapped = [{"ticket": t, "at": at, "why": why} for t, at, why in found.unmapped]
    if as_json:
        echo_json(
            {
                "outbox": found.outbox,
                "troubles": troubles,
                "unmapped": unmapped,
                "unlinked": found.unlinked,
            }
        )
        return
    outbox = found.outbox
    click.echo(
        f"write-backs: {outbox.get('delivered', 0)} delivered, {outbox.get('pending', 0)} "
        f"pending, {outbox.get('failed', 0)} failed"
    )
    for t in troubles:
        click.echo(
            f"  {t['state']}: ticket {t['ticket']} ({t['case']}) {t['action']}, "
            f"{t['attempts']} attempt(s), next {t['next_at']}: {t['last_error']}"
        )
    click.echo(f"tickets not taken (unmapped queue): {len(unmapped)}")
    for u in unmapped:
        click.echo(f"  ticket {u['ticket']} at {u['at']}: {u['why']}")
    if found.unlinked:
        click.echo("tickets whose case is not opened yet: " + ", ".join(found.unlinked))


@helpdesk_group.command("retry")
@mapping_option
@store_option
@packs_option
@json_option
def retry_command(
    mapping_path: Path, store_path: str | None, packs: tuple[Path, ...], as_json: bool
) -> None:
    """Send failed write-backs again (after fixing what the helpdesk refused).

    \b
    Example:
      linewise helpdesk retry --mapping rt.yaml --store cases.sqlite3
    """
    from helpdesk import ledger
    from helpdesk.inbox import sql_store

    mapping, desk = _setup(mapping_path, packs, store_path)
    try:
        with sql_store(desk).writing() as conn:
            count = ledger.retry_failed(conn, mapping.helpdesk, desk.clock())
    finally:
        desk.store.close()
    if as_json:
        echo_json({"requeued": count})
        return
    click.echo(f"{count} failed write-back(s) will be sent again on the next sync")
