"""`linewise case export` and `linewise case replay`: one stored case as a test, or re-run."""

from __future__ import annotations

from pathlib import Path

import click

from cases.export import export_golden, golden_text, replay_stored
from cases.sla import load_service_levels
from cases.store import open_reader
from cli.guided import store_option
from cli.options import echo_json, json_option
from cli.pack_versions import open_registry, registry_option


@click.command("export")
@click.argument("case_id", metavar="CASE")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write <out>/<complaint>/<case>.yaml instead of printing it.",
)
@store_option
@json_option
def export(case_id: str, out_dir: Path | None, store_path: str | None, as_json: bool) -> None:
    """Export a resolved or escalated case as a golden case file (a regression test).

    \b
    Example:
      linewise case export C-000042 --out cases/golden
    """
    store = open_reader(store_path)
    try:
        case = store.load(case_id)
    finally:
        store.close()
    if out_dir is None:
        text = golden_text(case)
        if as_json:
            echo_json({"case": case.id, "file": None, "golden": text})
        else:
            click.echo(text, nl=False)
        return
    written = export_golden(case, out_dir)
    if as_json:
        echo_json({"case": case.id, "file": str(written), "golden": written.read_text("utf-8")})
        return
    click.echo(f"wrote {written}")


@click.command("replay")
@click.argument("case_id", metavar="CASE")
@store_option
@registry_option
@json_option
def replay(case_id: str, store_path: str | None, registry_dir: Path | None, as_json: bool) -> None:
    """Re-run a stored case with exactly the pack versions each of its sessions used.

    The versions come from the published-pack registry, so a case keeps replaying
    the same way after newer versions are published. Exits 1 when a line ends
    differently from the record.

    \b
    Example:
      linewise case replay C-000042
    """
    store = open_reader(store_path)
    try:
        case = store.load(case_id)
    finally:
        store.close()
    lines = replay_stored(case, open_registry(registry_dir, store_path), load_service_levels())
    if as_json:
        echo_json({"case": case.id, "lines": [r.as_dict() for r in lines]})
    else:
        for item in lines:
            packs = ", ".join(f"{p} {v}" for p, v in sorted(item.packs.items()))
            mark = "same" if item.same else "DIFFERENT"
            click.echo(
                f"Line {item.line} ({packs}): recorded {item.recorded}; replayed "
                f"{item.replayed} after {item.questions} questions: {mark}"
            )
    if not all(item.same for item in lines):
        raise click.exceptions.Exit(1)
