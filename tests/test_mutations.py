"""Mutated packs, answer files and answers never raise anything but a LinewiseError.

Hypothesis starts from real documents (a shipped pack, a golden case) and mutates
them: keys dropped, duplicated, renamed or retyped, values replaced by wrong types,
huge, negative, non-finite or non-ASCII ones. Each result goes through the loader and
the diagnosis in-process, as the CLI would run it; an expected error is fine, any
other exception is a bug (it would reach the user as a traceback).

Examples per test: 150 by default (CI); LINEWISE_HYPOTHESIS_PROFILE=thorough runs 3,000.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.answers import read_case_input, to_facts
from engine.compile import CompiledKnowledge
from engine.diagnose import diagnose
from rules.errors import LinewiseError
from rules.knowledge import load_knowledge
from tests.conftest import ROOT

PROFILE = os.environ.get("LINEWISE_HYPOTHESIS_PROFILE", "ci")
EXAMPLES = {"ci": 150, "thorough": 3000}[PROFILE]
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

PACK = yaml.safe_load((ROOT / "rules" / "line1" / "network_wired.yaml").read_text("utf-8"))
CASE = yaml.safe_load(
    (ROOT / "cases" / "golden" / "network-wired" / "wired-cable-faulty.yaml").read_text("utf-8")
)

Path_ = tuple[str | int, ...]

HOSTILE_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["", " ", "yes", "unknown", "0", "-1", "1e309", "ﬁ", "С", "\x00", "../x"]),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(min_value=-5, max_value=5), max_size=2),
)


def _paths(doc: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every path to a value inside the document (the root excluded)."""
    found: list[Path_] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.append((*prefix, key))
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found.append((*prefix, index))
            found.extend(_paths(value, (*prefix, index)))
    return found


def _parent(doc: Any, path: Path_) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """`base` with one to three mutations at random places."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = _parent(doc, path), path[-1]
        kind = draw(st.sampled_from(["drop", "duplicate", "rename", "replace", "retype"]))
        if kind == "drop":
            del parent[last]
        elif kind == "duplicate" and isinstance(parent, list):
            parent.insert(int(last), copy.deepcopy(parent[last]))
        elif kind == "rename" and isinstance(parent, dict):
            new = draw(st.sampled_from([f"{last}x", str(last)[:-1] or "k", str(last).upper()]))
            parent[new] = parent.pop(last)
        elif kind == "retype":
            value = parent[last]
            parent[last] = draw(st.sampled_from([str(value), [value], {"v": value}]))
        else:
            parent[last] = draw(HOSTILE_VALUES)
    return doc


def _write(tmp_path: Path, name: str, doc: Any) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@SETTINGS
@given(doc=mutated(PACK))
def test_a_mutated_pack_loads_or_is_refused_clearly(doc: dict[str, Any], tmp_path: Path) -> None:
    path = _write(tmp_path, "pack.yaml", doc)
    try:
        kb = load_knowledge([path])
    except LinewiseError:
        return
    assert kb.packs  # it loaded: it must be a usable pack


@pytest.fixture(scope="module")
def compiled(line1: CompiledKnowledge) -> CompiledKnowledge:
    return line1


@SETTINGS
@given(doc=mutated(CASE))
def test_a_mutated_answers_file_diagnoses_or_is_refused_clearly(
    doc: dict[str, Any], tmp_path: Path, compiled: CompiledKnowledge
) -> None:
    path = _write(tmp_path, "answers.yaml", doc)
    try:
        loaded = read_case_input(path)
        facts = to_facts(compiled.kb, loaded.case.intake, loaded.case.answers, loaded.source)
        diagnose(compiled, facts, line=1)
    except LinewiseError:
        return


@SETTINGS
@given(
    answers=st.dictionaries(
        st.one_of(st.sampled_from(sorted(CASE["answers"])), st.text(max_size=12)),
        HOSTILE_VALUES,
        max_size=6,
    ),
    intake=st.dictionaries(
        st.sampled_from(["complaint", "service_form", "channel", "customer", "bogus"]),
        HOSTILE_VALUES,
        max_size=3,
    ),
)
def test_hostile_answers_on_the_command_line_never_crash(
    answers: dict[str, Any], intake: dict[str, Any], compiled: CompiledKnowledge
) -> None:
    try:
        facts = to_facts(compiled.kb, intake, answers)
        diagnose(compiled, facts, line=1)
    except LinewiseError:
        return
