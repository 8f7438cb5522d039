"""`linewise cases ...`: commands over the whole history of cases (Line 3, managers)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import click

from cases.gaps import find_gaps, write_draft
from cases.simulate import simulate as run_simulation
from cases.store import open_reader, open_store, simulated_store_path
from cli.golden import jobs_option
from cli.guided import store_option
from cli.options import Number, echo_json, json_option, load_all, packs_option
from cli.progress import progress_bar, progress_option


@click.group("cases")
def cases_group() -> None:
    """Work on the history of cases: simulate one, mine it for gaps.

    \b
    Example:
      linewise cases simulate --count 5000 --seed 1 --store history.sqlite3
    """


@cases_group.command("simulate")
@click.option("--count", type=Number(1, 1_000_000, whole=True), default=5000, show_default=True)
@click.option(
    "--seed", type=Number(whole=True), default=1, show_default=True, help="Same seed, same history."
)
@click.option(
    "--days",
    type=Number(1, 3650, whole=True),
    default=90,
    show_default=True,
    help="Days the history spans (from Monday 2026-01-05).",
)
@click.option(
    "--golden",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Golden cases that define the known causes [default: the shipped library].",
)
@click.option(
    "--drift",
    type=Number(0, 3),
    default=0.0,
    show_default=True,
    help="Move the true fault frequencies and question minutes away from the packs' "
    "priors and costs (a seeded log-normal spread; 0: as the packs say).",
)
@store_option
@packs_option
@jobs_option
@progress_option
@json_option
def simulate(
    count: int,
    seed: int,
    days: int,
    golden: tuple[Path, ...],
    drift: float,
    store_path: str | None,
    packs: tuple[Path, ...],
    jobs: int | None,
    progress: bool | None,
    as_json: bool,
) -> None:
    """Simulate a plausible history of cases with the real guided session.

    It goes into its own store (`simulated.sqlite3` in the user data dir) unless --store
    names one; every simulated case is flagged, and `case list` and `report` can tell it
    from real history ($LINEWISE_STORE is not used: a simulation never lands in the real
    store by default).

    Customers have true causes drawn by fault priors (some the packs do not know),
    forms of service and channels; some answer wrongly, some fixes fail, Line 4
    waits on vendors. The same seed gives the same history.

    \b
    Example:
      linewise cases simulate --count 5000 --seed 1 --store history.sqlite3
    """
    store = open_store(store_path or simulated_store_path())
    try:
        batches = (count + 49) // 50
        with progress_bar(batches, "simulating", progress) as step:
            history = run_simulation(
                store,
                count,
                seed,
                days=days,
                packs=list(packs) or None,
                golden=list(golden) or None,
                drift=drift,
                jobs=jobs,
                progress=step,
            )
    finally:
        store.close()
    if as_json:
        echo_json(history.as_dict())
        return
    statuses = ", ".join(f"{n} {status}" for status, n in history.statuses.items())
    click.echo(
        f"simulated {len(history.ids)} cases ({history.ids[0]}..{history.ids[-1]}) into "
        f"{history.location}: {statuses}; {history.hidden} with a cause the packs do not know"
    )


@cases_group.command("gaps")
@click.option(
    "--min-size",
    type=Number(1, whole=True),
    default=5,
    show_default=True,
    help="Smallest group of cases worth a rule.",
)
@click.option(
    "--top",
    type=Number(1, whole=True),
    default=10,
    show_default=True,
    help="Groups to show (and draft).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write a draft pack and golden files per group into this folder.",
)
@store_option
@packs_option
@json_option
def gaps(
    min_size: int,
    top: int,
    out_dir: Path | None,
    store_path: str | None,
    packs: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Group escalated and unresolved cases by shared answers, and draft packs for them.

    Gap cases escalated because no rule applied, the best fault stayed weak, the
    fixes failed or only a fallback rule caught them (or ended unresolved). Each
    group shares a complaint and every answer; with --out, each gets a draft pack
    (status: draft) with those answers as its rule and a placeholder fault, and its
    cases as golden files.

    \b
    Example:
      linewise cases gaps --store history.sqlite3 --min-size 10 --out drafts/
    """
    store = open_reader(store_path)
    try:
        found = find_gaps(store.iter_cases(), min_size)[:top]
    finally:
        store.close()
    written: dict[str, list[str]] = {}
    if out_dir is not None:
        kb = load_all(packs)
        for gap in found:
            written[gap.pack_id] = [str(p) for p in write_draft(gap, kb, out_dir)]
    if as_json:
        data = [dict(g.as_dict(), written=written.get(g.pack_id, [])) for g in found]
        echo_json(data)
        return
    if not found:
        click.echo(f"no group of at least {min_size} gap cases")
        return
    for gap in found:
        shared = ", ".join(f"{q}={_shown(v)}" for q, v in gap.signature)
        ids = ", ".join(c.case_id for c in gap.cases[:8]) + (", ..." if len(gap.cases) > 8 else "")
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(Counter(c.kind for c in gap.cases).items()))
        click.echo(
            f"#{gap.rank}  {len(gap.cases)} cases  Line {gap.line}  {gap.complaint}  ({kinds})"
        )
        click.echo(f"    shared: {shared}")
        click.echo(f"    cases:  {ids}")
        if gap.pack_id in written:
            files = written[gap.pack_id]
            click.echo(f"    draft:  {files[0]} (+{len(files) - 1} golden cases)")


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
