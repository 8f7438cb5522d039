"""The per-domain checks of `pack check` (moot questions W112, coverage W109), on every core.

Each coverage domain (`engine.coverage.domains`) is judged on its own, so for `pack check`
(a command of its own, never a server, which keeps one process) a knowledge base of many
domains is shared out to worker processes forked after compiling (they inherit the
compiled knowledge; nothing is pickled but the domain's name and its results). Results come
back in domain order, so the report is the same whichever number of workers ran it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable

from engine.compile import CompiledKnowledge
from engine.coverage import DomainCoverage, domain_coverage, domain_index, domains
from engine.moot import MootAt, moot_domain

PARALLEL_FROM = 16  # domains; below this a pool costs more than it saves
Judged = tuple[list[MootAt], bool, DomainCoverage]
Domain = tuple[str, int | None, str | None]

_SHARED: CompiledKnowledge | None = None  # what forked workers judge


def workers(count: int) -> int:
    """How many processes judge `count` domains: one per usable core (at most
    $LINEWISE_CHECK_WORKERS), and only one for a few domains."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    wanted = os.environ.get("LINEWISE_CHECK_WORKERS", "")
    limit = int(wanted) if wanted.isdigit() and int(wanted) > 0 else cores
    return 1 if count < PARALLEL_FROM else max(1, min(cores, limit))


def judge(compiled: CompiledKnowledge, domain: Domain) -> Judged:
    pack_id, _index, symptom = domain
    found, judged = moot_domain(compiled, pack_id, symptom)
    return found, judged, domain_coverage(compiled, pack_id, symptom)


def _worker_signals() -> None:
    """A worker leaves signals to the parent: Ctrl-C reaches the whole terminal's process
    group, and the parent then stops the pool (SIGTERM ends a worker quietly)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _judge_shared(domain: Domain) -> Judged:
    assert _SHARED is not None  # set before the pool forks
    return judge(_SHARED, domain)


def judge_domains(
    compiled: CompiledKnowledge,
    *,
    step: Callable[[int], None] | None = None,
    processes: int | None = None,
) -> list[Judged]:
    """Every domain judged, in `domains` order; `step(2)` after each (a progress bar counts
    one step for its moot questions and one for its coverage). `processes`: None for one
    per core (`workers`)."""
    global _SHARED
    todo = domains(compiled.kb)
    processes = workers(len(todo)) if processes is None else processes
    if multiprocessing.current_process().daemon:
        processes = 1  # a pool's own worker may not start processes
    out: list[Judged] = []
    if processes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for domain in todo:
            out.append(judge(compiled, domain))
            if step is not None:
                step(2)
        return out
    for pack_id, _index, _symptom in todo:  # built once here, inherited by every worker
        domain_index(compiled, pack_id)
    _SHARED = compiled
    try:
        with multiprocessing.get_context("fork").Pool(processes, _worker_signals) as pool:
            for result in pool.imap(_judge_shared, todo, chunksize=2):
                out.append(result)
                if step is not None:
                    step(2)
    finally:
        _SHARED = None
    return out
