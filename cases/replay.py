"""Replaying golden case files in bulk: a verdict per file, the rules involved in each mismatch.

This is `linewise test`. The files are replayed on all cores (`pool.py`) with the
compiled knowledge cached per process (`cache.py`); results keep the file order.
A file that does not load is reported as an error beside the others, never
stopping the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cases import cache
from cases.golden import golden_files, load_golden, replay
from cases.pool import run_all
from engine.compile import CompiledKnowledge
from engine.diagnose import DEFAULT_THRESHOLD
from engine.explain import why_not
from engine.result import Diagnosis
from rules.errors import LinewiseError
from rules.source import display_path


@dataclass(frozen=True)
class CaseResult:
    """The replay of one golden file (plain data, so that it crosses process boundaries)."""

    file: str
    case: str
    line: int
    ok: bool
    expected: str = ""
    actual: str = ""
    rules: tuple[str, ...] = ()
    why_not: tuple[str, ...] = ()
    error: str | None = None
    # escalations: what the case expects of the reason (kind, words) and what came out
    expected_kind: str | None = None
    expected_reason: str | None = None
    actual_kind: str | None = None
    actual_reason: str | None = None
    reason_matches: bool | None = None

    @property
    def status(self) -> str:
        return "error" if self.error is not None else ("pass" if self.ok else "fail")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rules"] = list(self.rules)
        data["why_not"] = list(self.why_not)
        data["status"] = self.status
        return data


@dataclass(frozen=True)
class ReplayTask:
    file: str
    packs: cache.PackFiles
    threshold: float = DEFAULT_THRESHOLD


def replay_one(task: ReplayTask) -> CaseResult:
    """Replay one file; expected errors become an 'error' result with the message."""
    try:
        golden = load_golden(Path(task.file))
        compiled = cache.compiled(task.packs, golden.case.line)
        verdict = replay(golden, compiled, task.threshold)
    except LinewiseError as err:
        name = Path(task.file).stem
        return CaseResult(file=task.file, case=name, line=0, ok=False, error=err.render())
    blockers: list[str] = []
    expected_fault = golden.expect.fault
    if not verdict.ok and expected_fault is not None and expected_fault in compiled.kb.faults:
        explained = why_not(compiled, verdict.diagnosis, expected_fault)
        blockers = [f"{entry['rule']}: {entry['detail']}" for entry in explained["rules"]]
        blockers.extend(_ranking(compiled, verdict.diagnosis, expected_fault))
    expect, esc = golden.expect, verdict.diagnosis.outcome.escalation
    reason_matches = None
    if expect.escalate is not None:
        reason_matches = (
            esc is not None
            and (expect.kind is None or esc.kind == expect.kind)
            and (
                expect.reason_contains is None
                or expect.reason_contains.lower() in esc.reason.lower()
            )
        )
    return CaseResult(
        file=task.file,
        case=golden.id,
        line=golden.case.line,
        ok=verdict.ok,
        expected=expect.describe(),
        actual=verdict.actual,
        rules=tuple(verdict.rules),
        why_not=tuple(blockers),
        expected_kind=expect.kind,
        expected_reason=expect.reason_contains,
        actual_kind=esc.kind if esc is not None else None,
        actual_reason=esc.reason if esc is not None else None,
        reason_matches=reason_matches,
    )


def _ranking(compiled: CompiledKnowledge, diagnosis: Diagnosis, expected: str) -> list[str]:
    """Why a concluded fault still lost: faults rank by certainty, then best rule priority."""
    scores = {f.id: f for f in diagnosis.faults}
    top = diagnosis.top
    if expected not in scores or top is None or top.id == expected:
        return []
    priority = {r.qualified: r.priority for r in compiled.rules}

    def describe(fault_id: str) -> str:
        score = scores[fault_id]
        best = max((priority.get(r, 0) for r in score.rules), default=0)
        firm = "firm" if score.firm else "weak"
        return f"{fault_id} (certainty {score.certainty:.2f}, {firm}, best rule priority {best})"

    return [
        f"ranked below: {describe(expected)} comes after {describe(top.id)}; faults rank by "
        "certainty, then by the priority of the rules that concluded them"
    ]


@dataclass
class TestRun:
    """Every verdict of one `linewise test`, in file order."""

    results: list[CaseResult]
    packs: dict[str, str] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def ok(self) -> bool:
        return all(r.status == "pass" for r in self.results)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "total": len(self.results),
            "passed": self.count("pass"),
            "failed": self.count("fail"),
            "errors": self.count("error"),
            "packs": self.packs,
            "results": [r.as_dict() for r in self.results],
        }


def run_golden(
    paths: Iterable[Path] | None = None,
    packs: Iterable[Path] | None = None,
    *,
    jobs: int | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Callable[[int], None] | None = None,
) -> TestRun:
    """Replay golden files (default: the shipped library) on the packs (default: shipped)."""
    files = golden_files(list(paths) if paths else None)
    pack_set = cache.resolve_files(packs)
    kb = cache.knowledge(pack_set)  # loads once here: a broken pack fails before the pool
    tasks = [ReplayTask(display_path(f), pack_set, threshold) for f in files]
    return TestRun(run_all(replay_one, tasks, jobs=jobs, progress=progress), kb.versions())


def count_golden(paths: Iterable[Path] | None = None) -> int:
    return len(golden_files(list(paths) if paths else None))
