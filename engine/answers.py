"""Answer files (YAML/JSON): intake plus answers, checked against the knowledge base.

The same format is the body of a golden case; an answer file may also be a
flat mapping of question -> answer. Besides questions, `answers` may give the outcome
of a fix: a fact declared with `fix_of: FAULT` answered `worked` or `failed`, as the
guided session records "Did the fix work?" (docs/packs.md). `fixes` gives it for any
fault, by fault id, with the line it was tried on when that is an earlier line
(`case export` writes it), so that given answers end where the session ended.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.facts import FactSet, FixTried, KnownFact, now
from rules.errors import (
    Diagnostic,
    InputError,
    InvalidInput,
    LinewiseError,
    UnknownIdError,
    did_you_mean,
    explain_empty,
    suggest,
)
from rules.intake import INTAKE_FIELDS
from rules.knowledge import KnowledgeBase
from rules.loader import pydantic_diagnostics
from rules.schema_ask import FIX_OUTCOMES
from rules.source import DataFileError, SourceMap, read_data_file

_SECTIONS = {"id", "title", "line", "intake", "answers", "fixes", "expect", "notes"}


class CaseInput(BaseModel):
    """A case file: intake (who, what, how), the answers, and optionally the expected outcome."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str | None = None
    line: int = Field(default=1, ge=1, le=4)
    intake: dict[str, Any] = Field(default_factory=dict)
    answers: dict[str, Any] = Field(default_factory=dict)
    # fault -> worked | failed (tried on the case's line), or {outcome: ..., line: N}
    fixes: dict[str, Any] = Field(default_factory=dict)
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
    fixes: Mapping[str, Any] | None = None,
    at: str = "",
    origin: str = "command line",
) -> FactSet:
    """Check every intake field, answer and fix tried, reporting all problems at once.

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
            option = {"intake": "--intake", "fixes": "fix"}.get(path[0], "--answer")
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
    fix_facts = {d.id: d.fix_of for d in kb.facts.values() if d.fix_of is not None}
    for name, raw in answers.items():
        if name in fix_facts and name not in kb.questions:
            try:
                fact = fix_outcome(name, fix_facts[name], raw, at)
            except LinewiseError as err:
                report(("answers", name), err)
                continue
            facts.put(fact)
            facts.fixes[fix_facts[name]] = FixTried(str(fact.value))
            continue
        if name not in kb.questions:
            hint = suggest(name, [*kb.questions, *fix_facts], problems)
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
    for fault_id, raw in (fixes or {}).items():
        try:
            tried = given_fix(kb, fault_id, raw)
            said = facts.fixes.get(fault_id)
            if said is not None and said.outcome != tried.outcome:
                raise InvalidInput(
                    f"the fix of '{fault_id}' {tried.outcome} here, but its answers say "
                    f"it {said.outcome}",
                    hint="give the outcome of a fix once",
                )
        except LinewiseError as err:
            report(("fixes", fault_id), err, key=isinstance(err, UnknownIdError))
            continue
        facts.fixes[fault_id] = tried
        for name, fault_of in fix_facts.items():  # as a guided session records it
            if fault_of == fault_id and name not in facts:
                facts.put(KnownFact(name, tried.outcome, "fix", "", at or now()))
    if problems:
        only_ids = source is None and unknown_ids == len(problems)
        raise InputError(problems, exit_code=UnknownIdError.exit_code if only_ids else None)
    return facts


def fix_outcome(fact_id: str, fault_id: str, raw: Any, at: str = "") -> KnownFact:
    """The outcome of the fix of `fault_id` held by the `fix_of` fact `fact_id`."""
    return KnownFact(fact_id, _outcome(fault_id, raw), "fix", "", at or now())


def _outcome(fault_id: str, raw: Any) -> str:
    value = raw.strip().lower() if isinstance(raw, str) else None
    if value not in FIX_OUTCOMES:
        shown = f"'{raw}'" if isinstance(raw, str | int | float) else f"a {type(raw).__name__}"
        raise InvalidInput(
            f"{shown} is not an outcome of the fix of '{fault_id}'",
            hint="answer worked or failed; leave it out when the fix was not tried",
        )
    return value


_TRIED_HINT = "write worked or failed, or {outcome: failed, line: 1} for an earlier line"


def given_fix(kb: KnowledgeBase, fault_id: str, raw: Any) -> FixTried:
    """A fix tried, from `fixes`: `worked`/`failed` (on the line diagnosed), or
    `{outcome: ..., line: N}` (tried on line N: a failure elsewhere only rules it out)."""
    fault = kb.faults.get(fault_id)
    if fault is None:
        raise UnknownIdError(
            f"unknown fault '{fault_id}'", hint=did_you_mean(fault_id, kb.faults.keys())
        )
    if fault.confirming == "none":
        raise InvalidInput(
            f"'{fault_id}' is a conclusion nobody confirms (confirm: none): no fix of it is tried",
            hint="leave it out of 'fixes'",
        )
    if not isinstance(raw, dict):
        return FixTried(_outcome(fault_id, raw))
    if set(raw) - {"outcome", "line"} or "outcome" not in raw:
        raise InvalidInput(f"the fix of '{fault_id}' is not understood", hint=_TRIED_HINT)
    line = raw.get("line")
    if line is not None and (type(line) is not int or not 1 <= line <= 4):
        small = type(line) is int and len(str(line)) < 20
        shown = f"line {line}" if small else f"a {type(line).__name__}"
        raise InvalidInput(
            f"the fix of '{fault_id}': {shown} is not a support line",
            hint="a line from 1 to 4, or leave 'line' out for the line diagnosed",
        )
    return FixTried(_outcome(fault_id, raw["outcome"]), line)


def failed_fixes(kb: KnowledgeBase, facts: FactSet) -> set[str]:
    """Faults whose fix failed (a `fix_of` fact answered 'failed', or a failed fix in given
    answers' `fixes`): ruled out, as in a guided session."""
    return {
        d.fix_of
        for d in kb.facts.values()
        if d.fix_of is not None and (f := facts.get(d.id)) is not None and f.value == "failed"
    } | {fault for fault, tried in facts.fixes.items() if tried.outcome == "failed"}


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
