"""`linewise pack ...`: commands for Line 3 engineers who write packs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.lazy import Lazy, LazyGroup
from cli.options import json_option
from cli.progress import progress_bar, progress_option
from rules.errors import PackError


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

    click.echo(json.dumps(pack_json_schema(), indent=2, ensure_ascii=False))


@pack.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
def validate(paths: tuple[Path, ...], as_json: bool) -> None:
    """Validate pack files or folders, reporting every problem at once.

    Packs named together are checked together (references across them resolve).

    \b
    Example:
      linewise pack validate rules/line1 rules/line2
    """
    from rules.knowledge import load_knowledge

    try:
        kb = load_knowledge(paths)
    except PackError as err:
        if as_json:
            click.echo(
                json.dumps(
                    {"ok": False, "problems": [d.as_dict() for d in err.diagnostics]},
                    indent=2,
                    ensure_ascii=False,
                )
            )
            raise click.exceptions.Exit(err.exit_code) from err
        raise
    summary = {
        "ok": True,
        "packs": kb.versions(),
        "questions": len(kb.questions),
        "faults": len(kb.faults),
        "rules": len(kb.rules),
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(
            f"ok: {len(kb.packs)} packs, {summary['questions']} questions, "
            f"{summary['faults']} faults, {summary['rules']} rules"
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
@progress_option
@json_option
def check(
    paths: tuple[Path, ...],
    strict: bool,
    ignore: tuple[str, ...],
    progress: bool | None,
    as_json: bool,
) -> None:
    """Verify packs before they reach Line 1: conflicts, gaps, unreachable faults.

    Prints compiler-style findings (`file:line:col: CODE: message`); exits 1 on errors,
    and with --strict on warnings too (2 when a pack does not even load). The codes are
    listed in docs/checks.md.

    \b
    Example:
      linewise pack check --strict rules/line1 rules/line2
    """
    from cases.sla import load_service_levels
    from engine.verify import load_for_check, render_report, steps, verify  # networkx

    kb = load_for_check(paths)
    budgets = load_service_levels().budgets()  # $LINEWISE_SLA merged onto the shipped ones
    with progress_bar(steps(kb), "Checking packs", progress) as step:
        report = verify(kb, ignore=ignore, step=step, budgets=budgets)
    if as_json:
        click.echo(json.dumps(report.as_dict(strict), indent=2, ensure_ascii=False))
    else:
        click.echo(render_report(report, strict))
    if report.failed(strict):
        raise click.exceptions.Exit(1)
