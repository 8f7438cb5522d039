"""`linewise learn`: estimate fault frequencies, fix success and question minutes from the
case history, as a learned overlay to review (`pack diff`) and publish (`pack publish`)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from cli.options import json_option, load_all, packs_option, store_option, terminal_user
from rules.knowledge import KnowledgeBase


@click.command()
@store_option
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Learn only from cases opened on or after this day (YYYY-MM-DD).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the overlay to this file [default: standard output].",
)
@click.option(
    "--version",
    "version",
    default=None,
    help="The overlay's version [default: one above the published overlay, else 1.0.0].",
)
@packs_option
@json_option
def learn(
    store_path: str | None,
    since: datetime | None,
    out: Path | None,
    version: str | None,
    packs: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Learn fault frequencies, fix success and question minutes from the case history.

    From resolved and escalated cases: per complaint (and form of service, where there
    are enough cases) how often each fault was the cause, how often each fix worked, and
    how many minutes each question really takes, each shrunk towards the packs' own
    values by how much evidence there is. Nothing changes until the overlay is published.

    Example: linewise learn --store cases.sqlite3 --since 2026-01-01 --out learned.yaml
    """
    from cases.learn import count_history
    from cases.learn_estimate import estimate, overlay_text
    from cases.overlays import next_version, published_overlay
    from cases.store import open_reader

    kb = load_all(packs, store_path)
    store = open_reader(store_path)
    try:
        day: date | None = since.date() if since else None
        history = count_history(store, day)
        current = published_overlay(store)
        overlay = estimate(
            kb,
            history,
            version=version or next_version(current),
            store=store.location,
            since=day,
        )
    finally:
        store.close()
    text = overlay_text(overlay)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    if as_json:
        click.echo(json.dumps(overlay.model_dump(mode="json"), indent=2, sort_keys=True))
    elif out is None:
        click.echo(text, nl=False)
    else:
        confirmed = sum(c.cases for c in overlay.complaints.values())
        click.echo(
            f"Wrote the learned overlay {overlay.version} to {out}: {history.cases} finished "
            f"cases, {confirmed} with a confirmed cause over {len(overlay.complaints)} "
            f"complaints, {len(overlay.fixes)} fixes, {len(overlay.questions)} questions.\n"
            f"Review it with 'linewise pack diff', then 'linewise pack publish {out}'."
        )


def _title(kb: KnowledgeBase, kind: str, ident: str) -> str:
    if kind == "fault" and ident in kb.faults:
        return kb.faults[ident].title.get("en")
    if kind == "question" and ident in kb.questions:
        return kb.questions[ident].text.get("en")
    if kind == "complaint" and ident in kb.symptoms:
        return kb.symptoms[ident].title.get("en")
    return ident


def render_overlay_diff(data: dict[str, Any], kb: KnowledgeBase) -> str:
    """`pack diff` of an overlay as text: what moves, then the replays and their verdicts."""
    out = [f"Learned overlay {data['new']} against {data['old']}:"]
    shares = data["fault_shares"]
    out.append(f"  fault shares that move: {len(shares)}")
    for item in shares[:SHOWN]:
        out.append(
            f"    {_title(kb, 'complaint', item['complaint'])} / "
            f"{_title(kb, 'fault', item['fault'])}: {item['old']:.1%} -> {item['new']:.1%} "
            f"(the cause in {item['cases']} of {item['of']} cases)"
        )
    fixes = data["fix_success"]
    out.append(f"  fix success rates that move: {len(fixes)}")
    for item in fixes[:SHOWN]:
        out.append(
            f"    {_title(kb, 'fault', item['fault'])}: {item['old']:.0%} -> {item['new']:.0%} "
            f"(worked {item['worked']} of {item['tried']} times)"
        )
    minutes = data["question_minutes"]
    out.append(f"  question times that move: {len(minutes)}")
    for item in minutes[:SHOWN]:
        out.append(
            f"    {_title(kb, 'question', item['question'])}: {item['old']:g} -> "
            f"{item['new']:g} min (asked {item['asked']} times)"
        )
    for name, run in data["replay"].items():
        old, new = run["old"], run["new"]
        out.append(f"Replay of {old['cases']} {name} cases at Line 1: {run['verdict'].upper()}")
        for key, label in FIGURES:
            out.append(f"    {label}: {old[key]} -> {new[key]}")
    return "\n".join(out)


SHOWN = 15
FIGURES = (
    ("questions_per_case", "questions per case"),
    ("minutes_per_case", "minutes per case"),
    ("line1_resolution", "Line 1 resolution"),
    ("wrong_first_fixes", "wrong first fixes"),
    ("outcomes_reached", "outcomes reached"),
)


def overlay_diff(
    old: Path | None, new: Path, store_path: str | None, stored: bool
) -> dict[str, Any]:
    """The data of `pack diff` for an overlay (cli.pack_versions hands overlays here)."""
    from cases.overlay_diff import diff_overlays
    from cases.store import open_reader

    kb = load_all((), store_path)
    store = open_reader(store_path) if stored else None
    try:
        return diff_overlays(kb, old, new, store).as_dict()
    finally:
        if store is not None:
            store.close()


def publish_learned(source: Path, store_path: str | None, dry_run: bool) -> str:
    """`pack publish` of an overlay: checked against the live packs, then published."""
    from cases.overlays import publish_overlay, published_overlay
    from cases.store import open_store
    from rules.overlay import overlay_for

    kb = load_all((), store_path)
    overlay = overlay_for(source, kb)
    store = open_store(store_path)
    try:
        before = published_overlay(store)
        if dry_run:
            return f"ok: learned overlay {overlay.version} can be published (dry run)"
        entry = publish_overlay(store, source, kb, terminal_user())
    finally:
        store.close()
    replaced = f" (replacing {before.version}, now archived)" if before else ""
    return f"published learned overlay {entry.version}{replaced}; sessions use it from now on"
