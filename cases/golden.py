"""Golden cases: case files with an expected outcome, replayed as regression tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.answers import CaseInput, read_case_input, to_facts
from engine.compile import CompiledKnowledge
from engine.diagnose import DEFAULT_THRESHOLD, diagnose
from engine.result import Diagnosis
from rules.errors import InputError
from rules.loader import GOLDEN_FOLDER, PACK_SUFFIXES, data_files, pydantic_diagnostics
from rules.source import SourceMap

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


class Expectation(BaseModel):
    """The expected outcome: a fault (the firm top one), or an escalation to a line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fault: str | None = None
    escalate: int | None = Field(default=None, ge=2, le=4)
    reason_contains: str | None = None
    kind: str | None = Field(default=None, description="escalation kind, e.g. rule or needs_line")

    @model_validator(mode="after")
    def _one(self) -> Expectation:
        if (self.fault is None) == (self.escalate is None):
            raise ValueError("expect exactly one of 'fault' or 'escalate'")
        return self

    def describe(self) -> str:
        if self.fault is not None:
            return f"fault {self.fault}"
        text = f"escalate to Line {self.escalate}"
        text += f" ({self.kind})" if self.kind else ""
        return text + (
            f", reason containing “{self.reason_contains}”" if self.reason_contains else ""
        )


@dataclass(frozen=True)
class GoldenCase:
    path: Path
    case: CaseInput
    expect: Expectation
    source: SourceMap

    @property
    def id(self) -> str:
        return self.case.id or self.path.stem


def golden_files(paths: Iterable[Path] | None = None) -> list[Path]:
    """Case files under the given files/folders (default: the shipped golden library); a
    pack folder stands for the golden cases in its `golden/` folder (docs/packs.md)."""
    folders = [_golden_of(p) for p in paths] if paths else [GOLDEN_DIR]
    return data_files(folders, PACK_SUFFIXES)


def _golden_of(path: Path) -> Path:
    inside = path / GOLDEN_FOLDER
    return inside if path.is_dir() and inside.is_dir() else path


def load_golden(path: Path) -> GoldenCase:
    loaded = read_case_input(path)
    if loaded.case.expect is None:
        raise InputError([loaded.source.diagnostic((), "a golden case needs 'expect'")])
    try:
        expect = Expectation.model_validate(loaded.case.expect)
    except ValidationError as err:
        diags = pydantic_diagnostics(err, loaded.source, Expectation)
        shifted = [
            loaded.source.diagnostic(("expect", *_path_parts(d.path)), d.message, hint=d.hint)
            for d in diags
        ]
        raise InputError(shifted) from err
    return GoldenCase(path, loaded.case, expect, loaded.source)


def _path_parts(path: str) -> list[str]:
    return [p for p in path.split(".") if p]


@dataclass(frozen=True)
class Verdict:
    """The result of replaying one golden case."""

    case: GoldenCase
    diagnosis: Diagnosis
    ok: bool
    actual: str
    rules: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case.id,
            "file": str(self.case.path),
            "ok": self.ok,
            "expected": self.case.expect.describe(),
            "actual": self.actual,
            "rules": self.rules,
        }


def actual_outcome(diagnosis: Diagnosis, *, reason: bool = False) -> str:
    """The outcome in a few words; `reason`: an escalation's reason too (`linewise test`)."""
    outcome = diagnosis.outcome
    if outcome.kind == "fault":
        return f"fault {outcome.fault}"
    if outcome.escalation is not None and outcome.kind == "escalate":
        esc = outcome.escalation
        said = f"escalate to Line {esc.to_line} ({esc.kind})"
        return said + (f": “{esc.reason}”" if reason else "")
    if outcome.kind == "unresolved":
        return "unresolved at Line 4" + (f", best fault {outcome.fault}" if outcome.fault else "")
    return "incomplete: still open " + ", ".join(outcome.open_questions)


def check(golden: GoldenCase, diagnosis: Diagnosis) -> Verdict:
    expect, outcome = golden.expect, diagnosis.outcome
    if expect.fault is not None:
        top = diagnosis.top
        ok = (
            outcome.kind in ("fault", "unresolved")
            and top is not None
            and top.id == expect.fault
            and top.firm
        ) or (
            # the expected fault is firm but needs a higher line: the case goes up with it
            outcome.kind == "escalate"
            and outcome.escalation is not None
            and outcome.escalation.kind in ("needs_line", "rule")
            and outcome.fault == expect.fault
            and top is not None
            and top.firm
        )
    else:
        esc = outcome.escalation
        ok = (
            outcome.kind == "escalate"
            and esc is not None
            and esc.to_line == expect.escalate
            and (expect.kind is None or esc.kind == expect.kind)
            and (
                expect.reason_contains is None
                or expect.reason_contains.lower() in esc.reason.lower()
            )
        )
    rules = [f.rule for f in diagnosis.trace if f.status == "applied"]
    return Verdict(golden, diagnosis, ok, actual_outcome(diagnosis, reason=True), rules)


def replay(
    golden: GoldenCase, compiled: CompiledKnowledge, threshold: float = DEFAULT_THRESHOLD
) -> Verdict:
    """Diagnose the case's answers on `compiled` (the packs of the case's line) and compare."""
    case = golden.case
    facts = to_facts(compiled.kb, case.intake, case.answers, golden.source, fixes=case.fixes)
    diagnosis = diagnose(compiled, facts, line=golden.case.line, threshold=threshold)
    return check(golden, diagnosis)
