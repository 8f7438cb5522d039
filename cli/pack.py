"""`linewise pack ...`: commands for Line 3 engineers who write packs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.lazy import Lazy, LazyGroup
from cli.options import F, echo_json, json_option, packs_option, store_option
from cli.progress import progress_bar, progress_option

if TYPE_CHECKING:
    from rules.context import InContext


@click.group(
    cls=LazyGroup,
    lazy={
        "archive": Lazy(
            "cli.pack_versions",
            "archive",
            "Withdraw a pack from its line; its versions stay kept for replaying old cases.",
        ),
        "diff": Lazy(
            "cli.pack_versions",
            "diff",
            "Show what changes between two versions of a pack, and which past cases it changes.",
        ),
        "import": Lazy(
            "cli.pack_import",
            "import_",
            "Import a decision table (CSV/XLSX) or a draw.io flowchart as a pack and golden cases.",
        ),
        "history": Lazy(
            "cli.pack_versions",
            "history",
            "List the kept versions of the packs (or one pack) with their stage.",
        ),
        "publish": Lazy(
            "cli.pack_versions",
            "publish",
            "Publish a pack version to a line, after checking it has earned it.",
        ),
    },
)
def pack() -> None:
    """Write, check and inspect rule packs.

    \b
    Example:
      linewise pack validate rules/line1
    """


@pack.command()
def schema() -> None:
    """Print the JSON Schema of a rule pack, for editors.

    \b
    Example:
      linewise pack schema > pack.schema.json
    """
    from rules.jsonschema import pack_json_schema

    echo_json(pack_json_schema())


def context_options(func: F) -> F:
    """--alone, --store and --packs: the packs a command takes as the context of those given."""
    func = packs_option(func)
    func = store_option(func)
    return click.option(
        "--alone",
        is_flag=True,
        help="Take the packs given on their own, without the packs the lines run beside them.",
    )(func)


def on_every_core(
    func: Callable[[Any], Any], items: Sequence[Any], progress: Callable[[int], None] | None
) -> list[Any]:
    """`pack check`'s runner for the domains (engine.domains.Runner): the case pool, one
    process per usable core for many domains ($LINEWISE_CHECK_WORKERS at most)."""
    from cases.pool import default_jobs, run_all
    from engine.domains import PARALLEL_FROM, workers

    jobs = workers(len(items), default_jobs())
    return run_all(func, items, jobs=jobs, progress=progress, serial_below=PARALLEL_FROM)


def _in_context(
    paths: tuple[Path, ...],
    alone: bool,
    store_path: str | None,
    packs: tuple[Path, ...],
    tolerate: tuple[str, ...] = (),
) -> InContext:
    """The packs given, loaded beside what a session would run (unless --alone): the
    published packs of the store, or the shipped ones, or --packs."""
    from cases.live import live_packs
    from rules.context import Context, load_in_context

    context = None
    if not alone:
        live = live_packs(store_path, packs)
        context = Context(live.files, live.source)
    return load_in_context(paths, context, tolerate=tolerate)


@pack.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@context_options
@json_option
def validate(
    paths: tuple[Path, ...],
    alone: bool,
    store_path: str | None,
    packs: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Validate pack files or folders, reporting every problem at once.

    Packs named together are checked together (references across them resolve), and
    with the packs the lines run (published, else shipped; --packs to name others):
    an id that clashes with theirs, or a reference a new version breaks, is reported at
    the pack given. A pack given replaces the one of the same id (a new version).
    --alone takes the packs given on their own.

    \b
    Example:
      linewise pack validate drafts/network_wired.yaml
    """
    from rules.context import context_note

    loaded = _in_context(paths, alone, store_path, packs)  # refused: as data too with --json
    counts = loaded.counts()
    summary: dict[str, object] = {
        "ok": True,
        "packs": loaded.versions(),
        **counts,
        "context": loaded.as_dict(),
    }
    if as_json:
        echo_json(summary)
    else:
        click.echo(
            f"ok: {len(loaded.given)} pack{'s' if len(loaded.given) != 1 else ''} "
            f"({context_note(loaded)}), {counts['questions']} questions, "
            f"{counts['faults']} faults, {counts['rules']} rules"
        )


def _codes(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    from engine.finding import CODES

    codes = tuple(c.strip().upper() for item in value for c in item.split(",") if c.strip())
    unknown = [c for c in codes if c not in CODES]
    if unknown:
        raise click.BadParameter(f"unknown code {unknown[0]}; codes: {', '.join(sorted(CODES))}")
    return codes


@pack.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on errors.")
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODE[,CODE]",
    callback=_codes,
    help="Silence a finding code everywhere (repeatable); per rule use '# linewise: ignore[CODE]'.",
)
@context_options
@progress_option
@json_option
def check(
    paths: tuple[Path, ...],
    strict: bool,
    ignore: tuple[str, ...],
    alone: bool,
    store_path: str | None,
    packs: tuple[Path, ...],
    progress: bool | None,
    as_json: bool,
) -> None:
    """Verify packs before they reach Line 1: conflicts, gaps, unreachable faults.

    Prints compiler-style findings (`file:line:col: CODE: message`); exits 1 on errors,
    and with --strict on warnings too (2 when a pack does not even load). The codes are
    listed in docs/checks.md.

    The packs are loaded as `pack validate` does, with the packs the lines run (unless
    --alone); verified are the packs given, the packs that require them, and what these
    require.

    \b
    Example:
      linewise pack check --strict rules/line1 rules/line2
    """
    from cases.sla import load_service_levels
    from engine.verify import TOLERATED, render_report, steps, verify  # networkx

    loaded = _in_context(paths, alone, store_path, packs, TOLERATED)
    kb = loaded.checked()
    budgets = load_service_levels().budgets()  # $LINEWISE_SLA merged onto the shipped ones
    with progress_bar(steps(kb), "Checking packs", progress) as step:
        report = verify(kb, ignore=ignore, step=step, budgets=budgets, run=on_every_core)
    if as_json:
        data = report.as_dict(strict)
        data["context"] = loaded.as_dict()
        echo_json(data)
    else:
        click.echo(render_report(report, strict))
    if report.failed(strict):
        raise click.exceptions.Exit(1)
