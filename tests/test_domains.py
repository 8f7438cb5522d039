"""`pack check` judges its domains (W112, W109) in worker processes when there are many:
the results, in order, are the same as judging them one after another in one process."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from cases.pool import run_all
from cli.pack import on_every_core
from engine.compile import compile_knowledge
from engine.domains import PARALLEL_FROM, Domain, Judged, judge_domains, workers
from engine.verify import load_for_check, render_report, verify

ROOT = Path(__file__).resolve().parent.parent


def test_forked_workers_judge_every_domain_as_one_process_does() -> None:
    compiled = compile_knowledge(load_for_check([ROOT / "rules"]), name="Domains")
    ticks: list[int] = []

    def two(
        func: Callable[[Domain], Judged],
        items: Sequence[Domain],
        progress: Callable[[int], None] | None,
    ) -> list[Judged]:
        return run_all(func, items, jobs=2, progress=progress, serial_below=0)

    alone = judge_domains(compiled)
    shared = judge_domains(compiled, run=two, step=ticks.append)
    assert len(alone) >= PARALLEL_FROM
    assert [(m, ok, c.as_dict()) for m, ok, c in shared] == [
        (m, ok, c.as_dict()) for m, ok, c in alone
    ]
    assert sum(ticks) == 2 * len(alone)


def test_the_report_does_not_depend_on_the_number_of_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kb = load_for_check([ROOT / "rules"])
    monkeypatch.setenv("LINEWISE_CHECK_WORKERS", "1")
    one = verify(kb, run=on_every_core)
    monkeypatch.setenv("LINEWISE_CHECK_WORKERS", "2")
    two = verify(kb, run=on_every_core)
    assert render_report(verify(kb), strict=True) == render_report(one, strict=True)
    assert render_report(one, strict=True) == render_report(two, strict=True)
    assert one.as_dict() == two.as_dict()


def test_few_domains_are_judged_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINEWISE_CHECK_WORKERS", "8")
    assert workers(PARALLEL_FROM - 1, 8) == 1
    monkeypatch.setenv("LINEWISE_CHECK_WORKERS", "1")
    assert workers(10 * PARALLEL_FROM, 8) == 1


def test_pack_check_with_workers_ends_cleanly() -> None:
    """The pool's workers end quietly (no traceback from their SIGTERM at shutdown)."""
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "pack", "check", "--strict", str(ROOT / "rules")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "LINEWISE_CHECK_WORKERS": "2", "PYTHONPATH": str(ROOT)},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Terminated" not in done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("ok: 0 errors, 0 warnings")
