"""`linewise pack ...`: commands for Line 3 engineers who write packs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.options import json_option
from rules.errors import PackError
from rules.jsonschema import pack_json_schema
from rules.knowledge import load_knowledge


@click.group()
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
