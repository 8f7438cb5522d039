"""`linewise cases ...`: commands over the whole history of cases (Line 3, managers)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cases.simulate import simulate as run_simulation
from cases.store import ENV_VAR, open_store
from cli.golden import jobs_option
from cli.options import json_option, packs_option
from cli.progress import progress_bar, progress_option

F = TypeVar("F", bound=Callable[..., Any])


def store_option(func: F) -> F:
    return click.option(
        "--store",
        "store_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"The case store (SQLite file) [default: ${ENV_VAR}, else the user data folder].",
    )(func)


@click.group("cases")
def cases_group() -> None:
    """Work on the history of cases: simulate one, mine it for gaps.

    \b
    Example:
      linewise cases simulate --count 5000 --seed 1 --store history.sqlite3
    """


@cases_group.command("simulate")
@click.option("--count", type=click.IntRange(1, 1_000_000), default=5000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same history.")
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
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
    store_path: Path | None,
    packs: tuple[Path, ...],
    jobs: int | None,
    progress: bool | None,
    as_json: bool,
) -> None:
    """Simulate a plausible history of cases with the real guided session, into the store.

    Customers have true causes drawn by fault priors (some the packs do not know),
    forms of service and channels; some answer wrongly, some fixes fail, Line 4
    waits on vendors. The same seed gives the same history.

    \b
    Example:
      linewise cases simulate --count 5000 --seed 1 --store history.sqlite3
    """
    store = open_store(store_path)
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
                jobs=jobs,
                progress=step,
            )
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(history.as_dict(), indent=2))
        return
    statuses = ", ".join(f"{n} {status}" for status, n in history.statuses.items())
    click.echo(
        f"simulated {len(history.ids)} cases ({history.ids[0]}..{history.ids[-1]}) into "
        f"{history.location}: {statuses}; {history.hidden} with a cause the packs do not know"
    )
