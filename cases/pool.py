"""Running one function over many cases on every core, in a stable order.

Replaying thousands of cases is CPU-bound (one engine run each), so it is spread
over worker processes. Each worker keeps its own cache of compiled knowledge
(`knowledge.py`), keyed by the pack files, so the packs are loaded and compiled
once per process, never once per case. Results come back in input order, so the
output is the same for any number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# below this many items a pool costs more than it saves
SERIAL_BELOW = 64


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_all(
    func: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    serial_below: int = SERIAL_BELOW,
) -> list[Result]:
    """`[func(item) for item in items]`, on `jobs` processes, results in input order.

    `func` must be a module-level function (it is pickled by name). `progress` is
    called with the number of items finished since the last call.
    """
    jobs = default_jobs() if jobs is None else max(1, jobs)
    if jobs == 1 or len(items) < serial_below:
        out: list[Result] = []
        for item in items:
            out.append(func(item))
            if progress is not None:
                progress(1)
        return out
    method = "fork" if sys.platform == "linux" else "spawn"
    chunk = max(1, min(64, len(items) // (jobs * 8)))
    results: list[Result] = []
    context = multiprocessing.get_context(method)
    with context.Pool(processes=jobs, initializer=_worker_signals) as pool:
        for result in pool.imap(func, items, chunksize=chunk):
            results.append(result)
            if progress is not None:
                progress(1)
    return results


def _worker_signals() -> None:
    """Workers take the default signal actions: a forked worker inherits the command
    line's handlers (cli.signals), which turned the pool's SIGTERM at shutdown into a
    `Terminated` traceback on stderr; Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
