"""`linewise pack import`: a decision table or a flowchart in, a pack and its golden cases out."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cli.golden import jobs_option
from cli.options import json_option
from cli.progress import progress_bar, progress_option
from rules.errors import Diagnostic, InputError
from rules.importing import Imported, PackMeta
from rules.source import display_path

TABLES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
FLOWCHARTS = (".drawio", ".dio", ".xml")
NODE_LISTS = (".yaml", ".yml")


@click.command("import")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder to write the pack and its golden/ cases into (made when missing).",
)
@click.option("--id", "pack_id", help="The pack's id [default: made from the file name].")
@click.option("--line", type=click.IntRange(1, 4), default=1, show_default=True)
@click.option("--title", help="The pack's title [default: made from the id].")
@click.option("--version", "version", default="1.0.0", show_default=True)
@click.option(
    "--format",
    "form",
    type=click.Choice(["table", "drawio", "nodes"]),
    help="What SOURCE is [default: by its suffix: .csv/.xlsx a table, .drawio/.xml a "
    "flowchart, .yaml a flowchart as a node list].",
)
@click.option("--page", help="The draw.io page to read [default: the first].")
@click.option(
    "--max-cases",
    type=click.IntRange(1, 100_000),
    default=500,
    show_default=True,
    help="A flowchart's golden cases: at most this many paths (every end first).",
)
@click.option("--force", is_flag=True, help="Overwrite files that are already there.")
@jobs_option
@progress_option
@json_option
def import_(
    source: Path,
    out: Path,
    pack_id: str | None,
    line: int,
    title: str | None,
    version: str,
    form: str | None,
    page: str | None,
    max_cases: int,
    force: bool,
    jobs: int | None,
    progress: bool | None,
    as_json: bool,
) -> None:
    """Import a decision table (CSV/XLSX) or a draw.io flowchart as a pack and golden cases.

    Writes OUT/<id>.yaml and one golden case per row or path in OUT/golden/<id>/, then
    validates the pack and replays the cases on it (exit 1 if one fails). See
    docs/porting.md for the table's columns and how shapes are read.

    \b
    Examples:
      linewise pack import printer-table.xlsx --out my-packs --line 1
      linewise pack import router.drawio --out my-packs --id router
    """
    shown = display_path(source)
    kind = form or _kind(source, shown)
    meta = PackMeta(pack_id or _pack_id(source), line, version, title)
    _check_meta(meta, shown)
    imported = _convert(source, shown, kind, meta, page, max_cases)
    written = write(imported, out, force)
    with progress_bar(len(written) - 1, "replaying", progress) as step:
        run = _verify(out, written[0], jobs, step)
    for note in imported.notes:
        click.echo(note.render(), err=True)
    summary = {
        "pack": display_path(written[0]),
        "questions": len(imported.pack.get("questions", [])),
        "faults": len(imported.pack.get("faults", [])),
        "rules": len(imported.pack.get("rules", [])),
        "cases": len(written) - 1,
        "passed": run.count("pass"),
        "notes": [n.as_dict() for n in imported.notes],
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        click.echo(
            f"wrote {summary['pack']}: {summary['questions']} questions, {summary['faults']} "
            f"faults, {summary['rules']} rules; {summary['cases']} golden cases in "
            f"{display_path(out / 'golden' / meta.id)}, {summary['passed']} passed"
        )
    if not run.ok:
        from cli.golden import render_run

        click.echo(render_run(run), err=True)
        raise click.exceptions.Exit(1)


def _kind(source: Path, shown: str) -> str:
    suffix = source.suffix.lower()
    if suffix in TABLES:
        return "table"
    if suffix in FLOWCHARTS:
        return "drawio"
    if suffix in NODE_LISTS:
        return "nodes"
    raise InputError(
        [
            Diagnostic(
                shown,
                0,
                0,
                "",
                f"cannot tell what a '{suffix or 'suffix-less'}' file is",
                "name it .csv, .xlsx, .drawio or .yaml, or give --format table|drawio|nodes",
            )
        ]
    )


def _pack_id(source: Path) -> str:
    ident = re.sub(r"[^a-z0-9_-]+", "-", source.stem.lower()).strip("-_")
    return ident if ident[:1].isalpha() else f"imported-{ident}".rstrip("-")


def _check_meta(meta: PackMeta, shown: str) -> None:
    from pydantic import ValidationError

    from rules.schema_base import PackId, SemVer

    for name, value, shape in (("--id", meta.id, PackId), ("--version", meta.version, SemVer)):
        try:
            from pydantic import TypeAdapter

            TypeAdapter(shape).validate_python(value)
        except ValidationError as err:
            hint = "lower-case letters, digits, '-' and '_'" if name == "--id" else "e.g. 1.0.0"
            raise InputError(
                [Diagnostic(shown, 0, 0, name, f"{value!r} is not valid", hint)]
            ) from err


def _convert(
    source: Path, shown: str, kind: str, meta: PackMeta, page: str | None, max_cases: int
) -> Imported:
    if not source.is_file():
        raise InputError([Diagnostic(shown, 0, 0, "", "no such file")])
    if kind == "table":
        from rules.import_table import table_pack
        from rules.table_read import read_table

        return table_pack(read_table(source, shown), meta, shown)
    from rules.import_flow import flow_pack

    if kind == "nodes":
        from rules.flow_list import read_flow_list

        return flow_pack(read_flow_list(source, shown), meta, shown, max_cases)
    from rules.drawio import read_drawio

    return flow_pack(read_drawio(source, shown, page), meta, shown, max_cases)


def write(imported: Imported, out: Path, force: bool) -> list[Path]:
    """Write the pack and its cases (the pack first); refuse to overwrite unless `force`."""
    import yaml

    ident = imported.pack["id"]
    files: dict[Path, dict[str, Any]] = {out / f"{ident}.yaml": imported.pack}
    for case in imported.cases:
        files[out / "golden" / ident / f"{case['id']}.yaml"] = case
    there = [p for p in files if p.exists()]
    if there and not force:
        raise InputError(
            [
                Diagnostic(
                    display_path(there[0]),
                    0,
                    0,
                    "",
                    "is already there",
                    "give --force to overwrite, or another --out",
                )
            ]
        )
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        path.write_text(text, encoding="utf-8")
    return list(files)


def _verify(out: Path, pack: Path, jobs: int | None, step: Callable[[int], None] | None) -> Any:
    """Validate the written pack and replay its golden cases on it."""
    from cases.replay import run_golden
    from rules.knowledge import load_knowledge

    load_knowledge([pack])
    return run_golden([out / "golden" / pack.stem], [pack], jobs=jobs, progress=step)
