"""Answer files (YAML/JSON): intake plus answers, checked against the knowledge base.

The same format is the body of a golden case; an answer file may also be a
flat mapping of question -> answer. Besides questions, `answers` may give the outcome
of a fix: a fact declared with `fix_of: FAULT` answered `worked` or `failed`, as the
guided session records "Did the fix work?" (docs/packs.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.facts import FactSet, KnownFact, now
from rules.errors import (
    Diagnostic,
    InputError,
    InvalidInput,
    LinewiseError,
    UnknownIdError,
    explain_empty,
    suggest,
)
from rules.intake import INTAKE_FIELDS
from rules.knowledge import KnowledgeBase
from rules.loader import pydantic_diagnostics
from rules.schema_ask import FIX_OUTCOMES
from rules.source import DataFileError, SourceMap, read_data_file

_SECTIONS = {"id", "title", "line", "intake", "answers", "expect", "notes"}


class CaseInput(BaseModel):
    """A case file: intake (who, what, how), the answers, and optionally the expected outcome."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str | None = None
    line: int = Field(default=1, ge=1, le=4)
    intake: dict[str, Any] = Field(default_factory=dict)
    answers: dict[str, Any] = Field(default_factory=dict)
    expect: dict[str, Any] | None = None
    notes: str | None = None


_MAPPING_HINT = "an answers file is a YAML mapping with 'intake' and 'answers'"


@dataclass
class LoadedInput:
    case: CaseInput
    source: SourceMap


def read_case_input(path: Path) -> LoadedInput:
    """Parse an answer/case file (structure only; values are checked by `to_facts`)."""
    try:
        data, smap = read_data_file(path)
    except DataFileError as err:
        raise InputError(explain_empty(err.diagnostics, _MAPPING_HINT)) from err
    return case_input(data, smap)


def case_input(data: Any, smap: SourceMap) -> LoadedInput:
    """A case from parsed data (a file's, or one line of JSON Lines)."""
    if isinstance(data, dict) and data and not (set(data) & _SECTIONS):
        # a flat mapping of answers: shift the source positions under 'answers'
        smap.values.update({("answers", *k): v for k, v in list(smap.values.items())})
        smap.keys.update({("answers", *k): v for k, v in list(smap.keys.items())})
        data = {"answers": data}
    if not isinstance(data, dict):
        raise InputError([smap.diagnostic((), "expected a mapping", hint=_MAPPING_HINT)])
    try:
        case = CaseInput.model_validate(data)
    except ValidationError as err:
        raise InputError(pydantic_diagnostics(err, smap, CaseInput)) from err
    return LoadedInput(case, smap)


def to_facts(
    kb: KnowledgeBase,
    intake: Mapping[str, Any],
    answers: Mapping[str, Any],
    source: SourceMap | None = None,
    *,
    at: str = "",
    origin: str = "command line",
) -> FactSet:
    """Check every intake field and answer, reporting all problems at once.

    In a file (`source` given) every problem makes the file broken: exit 2. On the
    command line, ids that name nothing are unknown ids: exit 3 when that is all that
    is wrong, else 2 (a bad value too).
    """
    facts = FactSet()
    problems: list[Diagnostic] = []
    unknown_ids = 0

    def report(path: tuple[str, ...], err: LinewiseError, key: bool = False) -> None:
        nonlocal unknown_ids
        unknown_ids += isinstance(err, UnknownIdError)
        if source is None:
            option = "--intake" if path[0] == "intake" else "--answer"
            problems.append(Diagnostic(origin, 0, 0, f"{option} {path[-1]}", err.message, err.hint))
        else:
            problems.append(source.diagnostic(path, err.message, hint=err.hint, key=key))

    for name, raw in intake.items():
        if name not in INTAKE_FIELDS:
            unknown = UnknownIdError(
                f"unknown intake field '{name}'",
                hint=suggest(name, INTAKE_FIELDS.keys(), problems),
            )
            report(("intake", name), unknown, key=True)
            continue
        if raw is None or raw == "":
            continue
        try:
            facts.intake(kb, name, raw, at=at)
        except LinewiseError as err:
            report(("intake", name), err)
    fixes = {d.id: d.fix_of for d in kb.facts.values() if d.fix_of is not None}
    for name, raw in answers.items():
        if name in fixes and name not in kb.questions:
            try:
                facts.put(fix_outcome(name, fixes[name], raw, at))
            except LinewiseError as err:
                report(("answers", name), err)
            continue
        if name not in kb.questions:
            hint = suggest(name, [*kb.questions, *fixes], problems)
            where = "" if hint else " in the loaded packs"
            report(
                ("answers", name),
                UnknownIdError(f"unknown question '{name}'{where}", hint=hint),
                key=True,
            )
            continue
        try:
            facts.answer(kb, name, raw, at=at)
        except LinewiseError as err:
            report(("answers", name), err)
    if problems:
        only_ids = source is None and unknown_ids == len(problems)
        raise InputError(problems, exit_code=UnknownIdError.exit_code if only_ids else None)
    return facts


def fix_outcome(fact_id: str, fault_id: str, raw: Any, at: str = "") -> KnownFact:
    """The outcome of the fix of `fault_id` held by the `fix_of` fact `fact_id`."""
    value = raw.strip().lower() if isinstance(raw, str) else None
    if value not in FIX_OUTCOMES:
        shown = f"'{raw}'" if isinstance(raw, str | int | float) else f"a {type(raw).__name__}"
        raise InvalidInput(
            f"{shown} is not an outcome of the fix of '{fault_id}'",
            hint="answer worked or failed; leave it out when the fix was not tried",
        )
    return KnownFact(fact_id, value, "fix", "", at or now())


def failed_fixes(kb: KnowledgeBase, facts: FactSet) -> set[str]:
    """Faults whose fix failed (a `fix_of` fact answered 'failed'): ruled out, as in a
    guided session."""
    return {
        d.fix_of
        for d in kb.facts.values()
        if d.fix_of is not None and (f := facts.get(d.id)) is not None and f.value == "failed"
    }


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """`--answer q=v` options into a mapping; malformed ones raise with a hint."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(
                f"'{pair}' is not QUESTION=VALUE", hint="for example --answer wired_link_light=no"
            )
        out[name.strip()] = value.strip()
    return out
