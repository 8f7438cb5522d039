"""What a new version of a pack would change for past cases: replay each with OLD and NEW.

The knowledge for each side is the base set of pack files with the pack swapped
for OLD or NEW, so that packs it requires (or that require it) take part as they
will in production. Every case is replayed on both sides; the cases whose
outcome or number of questions changes are listed with the kind of change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cases import cache
from cases.golden import actual_outcome, load_golden, replay
from cases.model import Case
from cases.pool import run_all
from cases.rerun import CaseAnswers, case_answers, rerun
from cases.sla import ServiceLevels, load_service_levels
from engine.diagnose import DEFAULT_THRESHOLD
from rules.diff import PackDiff, diff_packs
from rules.errors import InvalidInput, LinewiseError
from rules.loader import load_pack_file
from rules.paths import resolved
from rules.schema import Pack

CHANGE_KINDS: tuple[str, ...] = (
    "now_resolved",  # escalated before, a fault now
    "now_escalated",  # a fault before, escalated now
    "fault_changed",  # another fault
    "escalation_changed",  # escalated elsewhere or for another reason
    "fewer_questions",  # same outcome, fewer questions
    "more_questions",  # same outcome, more questions
)


@dataclass(frozen=True)
class Replayed:
    """One side of a replay: the outcome, questions asked (when known), expectation met."""

    outcome: str
    kind: str
    questions: int | None = None
    expected_ok: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "kind": self.kind,
            "questions": self.questions,
            "expected_ok": self.expected_ok,
        }


@dataclass(frozen=True)
class CaseChange:
    case: str
    source: str
    change: str
    old: Replayed
    new: Replayed

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "source": self.source,
            "change": self.change,
            "old": self.old.as_dict(),
            "new": self.new.as_dict(),
        }


@dataclass
class Impact:
    """The cases replayed, those that change, and totals per change kind."""

    replayed: int
    changes: list[CaseChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    questions_compared: bool = False

    def totals(self) -> dict[str, int]:
        counts = Counter(c.change for c in self.changes)
        return {kind: counts.get(kind, 0) for kind in CHANGE_KINDS}

    def as_dict(self) -> dict[str, Any]:
        return {
            "replayed": self.replayed,
            "changed": len(self.changes),
            "questions_compared": self.questions_compared,
            "totals": self.totals(),
            "changes": [c.as_dict() for c in self.changes],
            "errors": self.errors,
        }


def classify(old: Replayed, new: Replayed) -> str | None:
    """The kind of change from OLD to NEW, or None when nothing a user sees changes."""
    if old.outcome != new.outcome:
        if old.kind == "fault" and new.kind == "fault":
            return "fault_changed"
        if new.kind == "fault":
            return "now_resolved"
        if old.kind == "fault":
            return "now_escalated"
        return "escalation_changed"
    if old.questions is not None and new.questions is not None:
        if new.questions < old.questions:
            return "fewer_questions"
        if new.questions > old.questions:
            return "more_questions"
    return None


def swapped(base: cache.PackFiles, pack_file: Path) -> tuple[Pack, cache.PackFiles]:
    """The base files with every file of the same pack id replaced by `pack_file`."""
    pack = load_pack_file(pack_file).pack
    keep = [f for f in base if load_pack_file(Path(f)).pack.id != pack.id]
    return pack, tuple(sorted([*keep, str(resolved(pack_file))]))


@dataclass(frozen=True)
class ImpactTask:
    """One case to replay on both sides (plain data: it crosses processes): a golden file,
    or the answers of a stored case."""

    old: cache.PackFiles
    new: cache.PackFiles
    file: str | None = None
    stored: CaseAnswers | None = None
    threshold: float = DEFAULT_THRESHOLD

    @property
    def source(self) -> str:
        return self.file if self.file is not None else f"store:{self.stored.case_id}"  # type: ignore[union-attr]


def _replay_golden(path: str, files: cache.PackFiles, threshold: float) -> Replayed:
    """Outcome: the diagnosis from every answer (what the golden file checks); questions:
    the guided session answering from the file."""
    golden = load_golden(Path(path))
    line = golden.case.line
    compiled = cache.compiled(files, line)
    verdict = replay(golden, compiled, threshold)
    guided = rerun(
        compiled,
        line,
        golden.case.intake,
        golden.case.answers,
        levels=_levels(),
    )
    outcome = verdict.diagnosis.outcome
    return Replayed(actual_outcome(verdict.diagnosis), outcome.kind, guided.questions, verdict.ok)


def _replay_stored(case: CaseAnswers, files: cache.PackFiles) -> Replayed:
    """Outcome and questions: the guided session answering from the stored case."""
    compiled = cache.compiled(files, case.line)
    guided = rerun(
        compiled,
        case.line,
        case.intake,
        case.answers,
        earlier=case.earlier,
        failed=case.failed,
        levels=_levels(),
    )
    return Replayed(guided.outcome, guided.kind, guided.questions, None)


_LEVELS: list[ServiceLevels] = []


def _levels() -> ServiceLevels:
    if not _LEVELS:
        _LEVELS.append(load_service_levels())
    return _LEVELS[0]


def compare_one(task: ImpactTask) -> tuple[str, Replayed, Replayed] | str:
    """(case id, old, new), or an error message for a case that cannot be replayed."""
    try:
        if task.stored is not None:
            old = _replay_stored(task.stored, task.old)
            new = _replay_stored(task.stored, task.new)
            return task.stored.case_id, old, new
        assert task.file is not None
        old = _replay_golden(task.file, task.old, task.threshold)
        new = _replay_golden(task.file, task.new, task.threshold)
    except LinewiseError as err:
        return f"{task.source}: {err.render()}"
    return Path(task.file).stem, old, new


def replay_impact(
    files: Sequence[str],
    old: cache.PackFiles,
    new: cache.PackFiles,
    *,
    stored: Sequence[CaseAnswers] = (),
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Impact:
    """Replay golden files and stored cases on OLD and NEW knowledge; keep those that change."""
    tasks = [ImpactTask(old, new, file=f) for f in files]
    # stored cases that know the same things re-run the same way: run one of each
    fields = _intake_fields(old, new)
    first: dict[tuple[Any, ...], int] = {}
    same_as: list[int] = []
    for case in stored:
        key = _signature(case, fields)
        if key not in first:
            first[key] = len(tasks)
            tasks.append(ImpactTask(old, new, stored=case))
        same_as.append(first[key])
    impact = Impact(replayed=len(files) + len(stored), questions_compared=True)
    results = run_all(compare_one, tasks, jobs=jobs, progress=progress)
    if progress is not None and len(stored) > len(first):
        progress(len(stored) - len(first))
    outcomes: list[tuple[str, tuple[str, Replayed, Replayed] | str]] = [
        (task.source, result) for task, result in zip(tasks[: len(files)], results, strict=False)
    ]
    for case, index in zip(stored, same_as, strict=True):
        result = results[index]
        if not isinstance(result, str):
            result = (case.case_id, result[1], result[2])
        outcomes.append((f"store:{case.case_id}", result))
    for source, result in outcomes:
        if isinstance(result, str):
            impact.errors.append(result)
            continue
        case_id, before, after = result
        change = classify(before, after)
        if change is not None:
            impact.changes.append(CaseChange(case_id, source, change, before, after))
    return impact


def _intake_fields(*knowledge: cache.PackFiles) -> frozenset[str]:
    """Intake fields a rule of either side tests, plus what sets budgets and focus."""
    fields = {"service_form", "complaint"}
    for files in knowledge:
        fields |= {
            cond.subject[1]
            for _, cond in cache.knowledge(files).conditions()
            if cond.subject[0] == "intake"
        }
    return frozenset(fields)


def _signature(case: CaseAnswers, fields: frozenset[str]) -> tuple[Any, ...]:
    def items(values: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((k, repr(v)) for k, v in values.items()))

    intake = {k: v for k, v in case.intake.items() if k in fields}
    return (
        case.line,
        items(intake),
        items(case.answers),
        items(case.earlier),
        tuple(sorted(case.failed)),
    )


def stored_answers(cases: Iterable[Case], line: int) -> list[CaseAnswers]:
    """The stored cases that reached `line`, as answers to re-run there."""
    return [a for a in (case_answers(c, line) for c in cases) if a is not None]


@dataclass(frozen=True)
class StoredScope:
    """How many stored cases reached the pack's line, and how many the change can touch
    (only those are re-run: `cases.scope`)."""

    line: int
    reached: int
    touched: int
    everything: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "reached": self.reached,
            "replayed": self.touched,
            "skipped": self.reached - self.touched,
            "everything": self.everything,
        }


@dataclass
class VersionDiff:
    """`linewise pack diff`: the structural diff and the impact on past cases."""

    structure: PackDiff
    impact: Impact
    stored: StoredScope | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "structure": self.structure.as_dict(),
            "impact": self.impact.as_dict(),
        }
        data["stored"] = self.stored.as_dict() if self.stored is not None else None
        return data


@dataclass(frozen=True)
class Versions:
    """The two sides of a pack diff: each version and the knowledge it takes part in."""

    old_pack: Pack
    new_pack: Pack
    old_files: cache.PackFiles
    new_files: cache.PackFiles

    @property
    def structure(self) -> PackDiff:
        return diff_packs(self.old_pack, self.new_pack)


def pack_versions(old_file: Path | None, new_file: Path, base: cache.PackFiles) -> Versions:
    """Both versions of one pack, each swapped into the base knowledge (which must validate).

    Without OLD the pack is new: everything in it is added, and OLD is the knowledge
    without it.
    """
    new_pack, new_files = swapped(base, new_file)
    if old_file is None:
        old_pack = Pack(id=new_pack.id, version="0.0.0", line=new_pack.line, title=new_pack.title)
        old_files = tuple(f for f in new_files if f != str(resolved(new_file)))
    else:
        old_pack, old_files = swapped(base, old_file)
    if old_pack.id != new_pack.id:
        raise InvalidInput(
            f"OLD is pack '{old_pack.id}' but NEW is pack '{new_pack.id}'",
            hint="pack diff compares two versions of the same pack",
        )
    cache.knowledge(old_files)  # a knowledge set that does not validate fails here, once
    cache.knowledge(new_files)
    return Versions(old_pack, new_pack, old_files, new_files)


def diff_versions(
    versions: Versions,
    case_files: Sequence[str],
    *,
    stored: Sequence[CaseAnswers] = (),
    scope: StoredScope | None = None,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> VersionDiff:
    """Compare two versions of one pack, then replay the cases on each."""
    impact = replay_impact(
        case_files,
        versions.old_files,
        versions.new_files,
        stored=stored,
        jobs=jobs,
        progress=progress,
    )
    return VersionDiff(versions.structure, impact, scope)
