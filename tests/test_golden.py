"""Every golden case in cases/golden replays to its expected outcome (a regression test each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cases.golden import golden_files, load_golden, replay
from engine.compile import CompiledKnowledge, compile_knowledge
from rules.knowledge import KnowledgeBase

FILES = golden_files()
_compiled: dict[int, CompiledKnowledge] = {}


def _for_line(kb: KnowledgeBase, line: int) -> CompiledKnowledge:
    if line not in _compiled:
        _compiled[line] = compile_knowledge(kb.for_line(line), name=f"GoldenLine{line}")
    return _compiled[line]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_case(path: Path, shipped_kb: KnowledgeBase) -> None:
    golden = load_golden(path)
    verdict = replay(golden, _for_line(shipped_kb, golden.case.line))
    assert verdict.ok, (
        f"{path}: expected {verdict.as_dict()['expected']}, got {verdict.actual}; "
        f"rules {verdict.rules}"
    )


def test_every_shipped_fault_has_a_golden_case(shipped_kb: KnowledgeBase) -> None:
    expected = {load_golden(p).expect.fault for p in FILES}
    missing = sorted(set(shipped_kb.faults) - expected)
    assert not missing, f"faults without a golden case: {missing}"
