"""Progress for long work on stderr, so that it never mixes with --json on stdout.

At a terminal it is click's progress bar; when asked for elsewhere (a log, a CI
job) it is one line per tenth of the work, which reads well in a file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def progress_option(func: F) -> F:
    return click.option(
        "--progress/--no-progress",
        "progress",
        default=None,
        help="Show progress on stderr [default: when stderr is a terminal].",
    )(func)


@contextmanager
def progress_bar(
    length: int, label: str, wanted: bool | None
) -> Iterator[Callable[[int], None] | None]:
    """A callback advancing the progress of `length` steps, or None when none is shown."""
    tty = sys.stderr.isatty()
    show = wanted if wanted is not None else tty
    if not show or length == 0:
        yield None
        return
    if tty:
        with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
            yield bar.update
        return
    done = 0
    shown = -1

    def step(count: int) -> None:
        nonlocal done, shown
        done += count
        tenth = done * 10 // length
        if tenth != shown:
            shown = tenth
            click.echo(f"{label}: {done}/{length} ({tenth * 10}%)", err=True)

    yield step
