"""The per-domain checks of `pack check` (moot questions W112, coverage W109), on every core.

Each coverage domain (`engine.coverage.domains`) is judged on its own, so for `pack check`
(a command of its own, never a server, which keeps one process) a knowledge base of many
domains is shared out to worker processes, through the runner it is given (`cases.pool`'s
`run_all`, which forks on Linux): the workers inherit the compiled knowledge after it is
built, and nothing is pickled but the domain's name and its results. Results come back in
domain order, so the report is the same whichever number of workers ran it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from engine.compile import CompiledKnowledge
from engine.coverage import DomainCoverage, domain_coverage, domain_index, domains
from engine.moot import MootAt, moot_domain

PARALLEL_FROM = 16  # domains; below this a pool costs more than it saves
Judged = tuple[list[MootAt], bool, DomainCoverage]
Domain = tuple[str, int | None, str | None]
# (function, items, progress) -> results in order, on worker processes forked from here
Runner = Callable[
    [Callable[[Domain], Judged], Sequence[Domain], Callable[[int], None] | None], list[Judged]
]

_SHARED: CompiledKnowledge | None = None  # what forked workers judge


def workers(count: int, cores: int) -> int:
    """How many processes judge `count` domains: one per usable core (at most
    $LINEWISE_CHECK_WORKERS), and only one for a few domains."""
    wanted = os.environ.get("LINEWISE_CHECK_WORKERS", "")
    limit = int(wanted) if wanted.isdigit() and int(wanted) > 0 else cores
    return 1 if count < PARALLEL_FROM else max(1, min(cores, limit))


def judge(compiled: CompiledKnowledge, domain: Domain) -> Judged:
    pack_id, _index, symptom = domain
    found, judged = moot_domain(compiled, pack_id, symptom)
    return found, judged, domain_coverage(compiled, pack_id, symptom)


def _judge_shared(domain: Domain) -> Judged:
    assert _SHARED is not None  # set before the runner forks
    return judge(_SHARED, domain)


def judge_domains(
    compiled: CompiledKnowledge,
    *,
    step: Callable[[int], None] | None = None,
    run: Runner | None = None,
) -> list[Judged]:
    """Every domain judged, in `domains` order, here or through `run`; `step(2)` after each
    (a progress bar counts one step for its moot questions and one for its coverage)."""
    global _SHARED
    todo = domains(compiled.kb)
    progress = (lambda done: step(2 * done)) if step is not None else None
    if run is None:
        out: list[Judged] = []
        for domain in todo:
            out.append(judge(compiled, domain))
            if progress is not None:
                progress(1)
        return out
    for pack_id, _index, _symptom in todo:  # built once here, inherited by every worker
        domain_index(compiled, pack_id)
    _SHARED = compiled
    try:
        return run(_judge_shared, todo, progress)
    finally:
        _SHARED = None
