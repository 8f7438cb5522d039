"""`linewise pack diff` (and the pack life cycle): what a new version of a pack changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cases import cache
from cases.golden import golden_files
from cases.impact import CHANGE_KINDS, Impact, VersionDiff, diff_versions
from cli.golden import jobs_option
from cli.options import json_option, packs_option
from cli.progress import progress_bar, progress_option
from rules.diff import SECTIONS, PackDiff
from rules.source import display_path


@click.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--cases",
    "case_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Golden case files or folders to replay [default: the shipped golden library].",
)
@packs_option
@jobs_option
@progress_option
@json_option
def diff(
    old: Path,
    new: Path,
    case_paths: tuple[Path, ...],
    packs: tuple[Path, ...],
    jobs: int | None,
    progress: bool | None,
    as_json: bool,
) -> None:
    """Show what changes between two versions of a pack, and which past cases it changes.

    First the structure: symptoms, questions, facts, faults and rules added,
    removed or changed, field by field. Then every case is replayed with OLD and
    with NEW (the other packs as shipped, or --packs), listing each case whose
    outcome or number of questions changes, with totals per kind of change.

    \b
    Example:
      linewise pack diff rules/line1/network_wired.yaml draft/network_wired.yaml
    """
    files = [display_path(f) for f in golden_files(list(case_paths) or None)]
    with progress_bar(len(files), "replaying", progress) as step:
        result = diff_versions(
            old, new, files, cache.resolve_files(packs), jobs=jobs, progress=step
        )
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_version_diff(result))


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def render_structure(structure: PackDiff) -> list[str]:
    out = [f"pack {structure.pack}: {structure.old_version} -> {structure.new_version}"]
    if structure.empty:
        return [*out, "  no structural change"]
    for change in structure.header:
        out.append(f"  {change.path}: {_value(change.old)} -> {_value(change.new)}")
    totals = structure.totals()
    for section in SECTIONS:
        items = [i for i in structure.items if i.section == section]
        if not items:
            continue
        counts = totals[section]
        out.append(
            f"{section}: {counts['added']} added, {counts['removed']} removed, "
            f"{counts['changed']} changed"
        )
        for item in items:
            mark = {"added": "+", "removed": "-", "changed": "~"}[item.kind]
            out.append(f"  {mark} {item.id}")
            out.extend(f"      {f.path}: {_value(f.old)} -> {_value(f.new)}" for f in item.fields)
    return out


def render_impact(impact: Impact, old: str, new: str) -> list[str]:
    what = "outcome or number of questions" if impact.questions_compared else "outcome"
    out = [
        f"replayed {impact.replayed} cases with {old} and {new}: "
        f"{len(impact.changes)} change their {what}"
    ]
    totals = impact.totals()
    out.extend(f"  {kind:<20} {totals[kind]}" for kind in CHANGE_KINDS if totals[kind])
    for change in impact.changes:
        questions = ""
        if change.old.questions is not None and change.new.questions is not None:
            questions = f", questions {change.old.questions} -> {change.new.questions}"
        out.append(f"  [{change.change}] {change.case} ({change.source})")
        out.append(f"      {change.old.outcome} -> {change.new.outcome}{questions}")
        if change.old.expected_ok and change.new.expected_ok is False:
            out.append("      golden expectation now FAILS")
    out.extend(f"  could not replay: {error}" for error in impact.errors)
    return out


def render_version_diff(result: VersionDiff) -> str:
    structure = result.structure
    lines = render_structure(structure)
    lines.append("")
    lines.extend(render_impact(result.impact, structure.old_version, structure.new_version))
    return "\n".join(lines)
