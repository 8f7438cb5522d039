"""The learned overlay: what `linewise learn` estimated from the case history, as a file.

It is knowledge like a pack (a versioned, diffable YAML text that goes through `pack diff`
and `pack publish`), but it declares no questions, faults or rules: it only re-weighs the
packs' own ones. Per complaint it holds each fault's share of the confirmed causes (with
its evidence, so WHY can say "the cause in 41 of 120 similar cases"), per fault the share
of its fixes that worked, and per question the minutes it really took. Every estimate
keeps the pack's value beside it, so that a diff reads both. docs/learning.md states
the estimates and their pseudo-counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from rules.errors import Diagnostic, DiagnosticsError, did_you_mean
from rules.knowledge import KnowledgeBase
from rules.schema_base import Id, SemVer, _Model
from rules.source import DataFileError, SourceMap, read_data_file

Share = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0)]
Minutes = Annotated[float, Field(gt=0, le=10_000)]
OVERLAY_KEY = "overlay"  # the key that tells an overlay file from a pack


class FaultEstimate(_Model):
    """One fault's share of the confirmed causes of a complaint."""

    prior: Share  # the pack's prior, as a share among the complaint's faults
    learned: Share  # the posterior mean
    cases: Count  # cases of the complaint whose confirmed cause it was


class ComplaintEstimate(_Model):
    """The causes confirmed for one complaint (and per form of service, where enough)."""

    cases: Count  # cases of the complaint with a confirmed cause
    faults: dict[Id, FaultEstimate]
    service_forms: dict[Id, ComplaintEstimate] = Field(default_factory=dict)


class FixEstimate(_Model):
    """How often a fault's fix worked when it was tried."""

    tried: Count
    worked: Count
    prior: Share
    learned: Share


class QuestionEstimate(_Model):
    """The minutes a question really took (from one event to its answer)."""

    asked: Count
    pack_minutes: float = Field(ge=0)
    minutes: Minutes


class PseudoCounts(_Model):
    """How many cases' worth of weight the pack's own values get (docs/learning.md)."""

    faults: float = Field(gt=0)
    fixes: float = Field(gt=0)
    minutes: float = Field(gt=0)


class LearnedFrom(_Model):
    """Where the estimates come from."""

    store: str
    since: str | None = None
    cases: Count
    first: str | None = None
    last: str | None = None


class Overlay(_Model):
    """A learned overlay (format 1)."""

    overlay: Literal[1]
    version: SemVer
    learned_from: LearnedFrom
    pseudo_counts: PseudoCounts
    packs: dict[str, str] = Field(default_factory=dict)  # pack versions learned under
    complaints: dict[Id, ComplaintEstimate] = Field(default_factory=dict)
    fixes: dict[Id, FixEstimate] = Field(default_factory=dict)
    questions: dict[Id, QuestionEstimate] = Field(default_factory=dict)


class OverlayError(DiagnosticsError):
    """A learned overlay that is not valid, or names what the packs do not have."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(diagnostics, "learned overlay")


def is_overlay_file(path: Path) -> bool:
    """Whether a YAML file is a learned overlay (its first key is `overlay:`)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                stripped = line.strip()
                if stripped and not stripped.startswith(("#", "---")):
                    return stripped.startswith(OVERLAY_KEY + ":")
    except OSError:
        return False
    return False


def read_overlay(path: Path) -> tuple[Overlay, SourceMap]:
    """Read and validate an overlay file on its own; errors at file:line:col."""
    from rules.loader import pydantic_diagnostics

    try:
        data, smap = read_data_file(path)
    except DataFileError as err:
        raise OverlayError(err.diagnostics) from err
    if not isinstance(data, dict):
        raise OverlayError(
            [
                smap.diagnostic(
                    (), "an overlay must be a YAML mapping", hint="start with 'overlay: 1'"
                )
            ]
        )
    try:
        return Overlay.model_validate(data), smap
    except ValidationError as err:
        raise OverlayError(pydantic_diagnostics(err, smap, Overlay)) from err


def load_overlay(
    path: Path, faults: Iterable[str], questions: Iterable[str], complaints: Iterable[str]
) -> Overlay:
    """An overlay whose every id names a fault, question or complaint of the knowledge."""
    overlay, smap = read_overlay(path)
    known_faults, known_questions = set(faults), set(questions)
    known_complaints = set(complaints)
    problems: list[Diagnostic] = []

    def unknown(loc: tuple[str | int, ...], what: str, ident: str, ids: set[str]) -> None:

        problems.append(
            smap.diagnostic(
                loc,
                f"unknown {what} '{ident}'",
                hint=did_you_mean(ident, ids) or "learn again against the current packs",
                key=True,
                code="E010",
            )
        )

    for complaint, estimate in overlay.complaints.items():
        if complaint not in known_complaints:
            unknown(("complaints", complaint), "complaint", complaint, known_complaints)
        for fault in estimate.faults:
            if fault not in known_faults:
                unknown(("complaints", complaint, "faults", fault), "fault", fault, known_faults)
    for fault, fix in overlay.fixes.items():
        if fault not in known_faults:
            unknown(("fixes", fault), "fault", fault, known_faults)
        if fix.worked > fix.tried:
            problems.append(
                smap.diagnostic(
                    ("fixes", fault, "worked"),
                    f"worked {fix.worked} is more than tried {fix.tried}",
                    code="E004",
                )
            )
    for question in overlay.questions:
        if question not in known_questions:
            unknown(("questions", question), "question", question, known_questions)
    if problems:
        raise OverlayError(problems)
    return overlay


def overlay_for(path: Path, kb: KnowledgeBase) -> Overlay:
    """An overlay file checked against a knowledge base's faults, questions and complaints."""
    return load_overlay(path, kb.faults, kb.questions, kb.symptoms)
