"""`linewise pack diff` (and the pack life cycle): what a new version of a pack changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cases import cache
from cases.golden import golden_files
from cases.impact import CHANGE_KINDS, Impact, VersionDiff, diff_versions, pack_versions
from cases.legacy_registry import default_legacy_dir
from cases.publish import PublishRefused, golden_paths, kb_related
from cases.publish import publish as publish_pack
from cases.registry import Registry
from cases.rerun import CaseAnswers
from cases.scope import stored_in_scope
from cases.store import open_reader, open_store
from cases.usage import refresh, unindexed
from cli.golden import jobs_option
from cli.guided import store_option, terminal_user
from cli.options import Number, echo_json, json_option, load_all, packs_option
from cli.progress import F, progress_bar, progress_option
from rules.diff import SECTIONS, PackDiff
from rules.errors import InvalidInput, UnknownIdError
from rules.overlay import is_overlay_file
from rules.source import display_path


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--cases",
    "case_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="More golden case files or folders to replay [always, as publish: golden/<pack id>/ "
    "beside the pack file and in the shipped library, and the shipped ones of related packs].",
)
@click.option(
    "--stored",
    is_flag=True,
    help="Also re-run the stored cases that reached the pack's line and that the change can "
    "touch (the store's usage index says which).",
)
@store_option
@packs_option
@jobs_option
@progress_option
@json_option
def diff(
    old: Path,
    new: Path,
    case_paths: tuple[Path, ...],
    stored: bool,
    store_path: str | None,
    packs: tuple[Path, ...],
    jobs: int | None,
    progress: bool | None,
    as_json: bool,
) -> None:
    """Show what changes between two versions of a pack, and which past cases it changes.

    First the structure: symptoms, questions, facts, faults and rules added,
    removed or changed, field by field. Then every case is replayed with OLD and
    with NEW (the other packs as shipped, or --packs), listing each case whose
    outcome or number of questions changes, with totals per kind of change. The
    golden cases are those `pack publish` runs: the pack's own (golden/<pack id>/
    beside the pack file and in the shipped library), those of the packs related to
    it, and any --cases.

    OLD may be '-' for a pack that is new: everything in it is added.

    NEW may be a learned overlay (`linewise learn`): then OLD is the overlay it replaces
    ('-': the packs' own priors and costs), and the golden cases (with --stored, the
    stored ones too) are worked again at Line 1 with each, saying better, same or worse.

    Questions are counted by re-running the guided session, answering from the
    case. With --stored, the stored cases that reached the pack's line are re-run
    too (the session from their recorded answers), but only those the change can
    touch: cases whose complaint points to the pack, or that know a fact a changed
    rule tests (docs/packs.md). The store keeps an index of what each case used.

    \b
    Examples:
      linewise pack diff rules/line1/network_wired.yaml drafts/network_wired.yaml
      linewise pack diff OLD.yaml NEW.yaml --stored --store history.sqlite3 --json
    """
    old_file = None if str(old) == "-" else old
    if old_file is not None and not old_file.is_file():
        raise InvalidInput(f"no pack file '{old}'", hint="give '-' as OLD for a new pack")
    if is_overlay_file(new):  # a learned overlay (linewise learn): re-weighs, adds nothing
        from cli.learn import overlay_diff, render_overlay_diff

        data = overlay_diff(old_file, new, store_path, stored)
        click.echo(
            json.dumps(data, indent=2, ensure_ascii=False)
            if as_json
            else render_overlay_diff(data, load_all((), store_path))
        )
        return
    versions = pack_versions(old_file, new, cache.resolve_files(packs))
    pack_id = versions.new_pack.id
    related = sorted(kb_related(cache.knowledge(versions.new_files), pack_id))
    folders = golden_paths(new, pack_id, case_paths, related)
    files = [display_path(f) for f in golden_files(folders)] if folders else []
    answers: list[CaseAnswers] = []
    scope = None
    if stored:
        open_reader(store_path).close()  # it must exist: a mistyped path is not "no cases"
        store = open_store(store_path)  # writable: the usage index is kept up to date
        try:
            with progress_bar(unindexed(store), "indexing cases", progress) as step:
                refresh(store, step)
            answers, scope = stored_in_scope(store, versions)
        finally:
            store.close()
    elif not files:
        raise InvalidInput(
            f"no golden cases for {pack_id} to replay",
            hint=f"put them in {new.parent / 'golden' / pack_id}/, give --cases, or --stored",
        )
    with progress_bar(len(files) + len(answers), "replaying", progress) as step:
        result = diff_versions(
            versions, files, stored=answers, scope=scope, jobs=jobs, progress=step
        )
    if as_json:
        echo_json(result.as_dict())
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


SHOWN_PER_KIND = 10


def render_impact(impact: Impact, old: str, new: str) -> list[str]:
    what = "outcome or number of questions" if impact.questions_compared else "outcome"
    out = [
        f"replayed {impact.replayed} cases with {old} and {new}: "
        f"{len(impact.changes)} change their {what}"
    ]
    totals = impact.totals()
    out.extend(f"  {kind:<20} {totals[kind]}" for kind in CHANGE_KINDS if totals[kind])
    shown: dict[str, int] = {}
    for change in impact.changes:
        shown[change.change] = shown.get(change.change, 0) + 1
        if shown[change.change] > SHOWN_PER_KIND:
            continue
        questions = ""
        if change.old.questions is not None and change.new.questions is not None:
            questions = f", questions {change.old.questions} -> {change.new.questions}"
        out.append(f"  [{change.change}] {change.case} ({change.source})")
        out.append(f"      {change.old.outcome} -> {change.new.outcome}{questions}")
        if change.old.expected_ok and change.new.expected_ok is False:
            out.append("      golden expectation now FAILS")
    hidden = {k: n - SHOWN_PER_KIND for k, n in shown.items() if n > SHOWN_PER_KIND}
    if hidden:
        more = ", ".join(f"{n} {k}" for k, n in sorted(hidden.items()))
        out.append(f"  ... and {more} more (every case: --json)")
    out.extend(f"  could not replay: {error}" for error in impact.errors)
    return out


def render_version_diff(result: VersionDiff) -> str:
    structure = result.structure
    lines = render_structure(structure)
    lines.append("")
    scope = result.stored
    if scope is not None:
        why = (
            "the change can touch any of them"
            if scope.everything
            else f"the other {scope.reached - scope.touched} cannot change"
        )
        lines.append(
            f"stored cases: {scope.touched} of {scope.reached} that reached Line {scope.line} "
            f"re-run ({why})"
        )
    lines.extend(render_impact(result.impact, structure.old_version, structure.new_version))
    return "\n".join(lines)


def registry_option(func: F) -> F:
    return click.option(
        "--registry",
        "registry_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="A folder registry from before the store kept it [default: $LINEWISE_REGISTRY]; "
        "imported into the store on first use.",
    )(func)


def open_registry(registry_dir: Path | None, store_path: str | None = None) -> Registry:
    """The registry in the case store (--store), importing an old folder on first use."""
    return Registry(open_store(store_path), legacy=registry_dir or default_legacy_dir())


@click.command("publish")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--line",
    type=Number(1, 4, whole=True),
    default=None,
    help="The line to publish to (required for a pack; a learned overlay has no line).",
)
@click.option(
    "--cases",
    "case_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="More golden cases of the pack [always: golden/<pack id>/ beside the pack file and "
    "in the shipped library].",
)
@click.option("--dry-run", is_flag=True, help="Check everything, publish nothing.")
@click.option("--strict", is_flag=True, help="Refuse on verification warnings about the pack too.")
@registry_option
@store_option
@jobs_option
@json_option
def publish(
    source: Path,
    line: int | None,
    case_paths: tuple[Path, ...],
    dry_run: bool,
    strict: bool,
    registry_dir: Path | None,
    store_path: str | None,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Publish a pack version to a line, after checking it has earned it.

    Refuses (exit 1), naming every reason, unless the pack validates with the
    published packs, verification is clean, its golden cases pass, it belongs to
    the line, and its version is higher than the published one. The published
    version it replaces is archived and kept, so old cases replay exactly.

    \b
    Example:
      linewise pack publish drafts/network_wired.yaml --line 1
    """
    if is_overlay_file(source):
        from cli.learn import publish_learned

        click.echo(publish_learned(source, store_path, dry_run))
        return
    if line is None:
        raise click.UsageError("Missing option '--line'.")
    registry = open_registry(registry_dir, store_path)
    try:
        check, entry = publish_pack(
            source,
            line,
            registry,
            case_paths,
            strict=strict,
            jobs=jobs,
            dry_run=dry_run,
            by=terminal_user(),
        )
    except PublishRefused as refused:
        if as_json:  # the refusal as data on stdout; the reasons on stderr, exit 1, as ever
            data = {**refused.check.as_dict(), "published_entry": None}
            echo_json(data)
        raise
    if as_json:
        data = check.as_dict()
        data["published_entry"] = entry.as_dict() if entry else None
        echo_json(data)
        return
    passed = check.golden.count("pass") if check.golden else 0
    before = f" (replacing {check.published}, now archived)" if check.published else ""
    if entry is None:
        click.echo(
            f"ok: {check.pack} {check.version} can be published to Line {line}; "
            f"{passed} golden cases pass (dry run: nothing published)"
        )
    else:
        click.echo(
            f"published {check.pack} {check.version} to Line {line}{before}; "
            f"{passed} golden cases pass"
        )


@click.command("history")
@click.argument("pack_id", required=False)
@registry_option
@store_option
@json_option
def history(
    pack_id: str | None, registry_dir: Path | None, store_path: str | None, as_json: bool
) -> None:
    """List the kept versions of the packs (or one pack) with their stage.

    \b
    Example:
      linewise pack history network-wired
    """
    entries = open_registry(registry_dir, store_path).entries(pack_id)
    if pack_id is not None and not entries:
        raise UnknownIdError(f"pack '{pack_id}' was never published")
    if as_json:
        echo_json([e.as_dict() for e in entries])
        return
    for entry in entries:
        click.echo(
            f"{entry.pack:<28} {entry.version:<12} Line {entry.line}  {entry.stage:<9}  "
            f"{entry.published_at}  {entry.published_by}"
        )


@click.command("archive")
@click.argument("pack_id")
@registry_option
@store_option
@json_option
def archive(pack_id: str, registry_dir: Path | None, store_path: str | None, as_json: bool) -> None:
    """Withdraw a pack from its line; its versions stay kept for replaying old cases.

    \b
    Example:
      linewise pack archive network-wired
    """
    entry = open_registry(registry_dir, store_path).archive(pack_id)
    if as_json:
        echo_json(entry.as_dict())
        return
    click.echo(f"archived {entry.pack} {entry.version} (Line {entry.line})")
