"""The benchmark's generator: seeded, valid packs of exactly R rules, complete cases."""

from __future__ import annotations

from pathlib import Path

from bench.generate import QUESTIONS, generate
from engine.answers import read_case_input, to_facts
from engine.compile import compile_knowledge
from rules.knowledge import load_knowledge


def test_generated_knowledge_loads_with_exactly_r_rules(tmp_path: Path) -> None:
    gen = generate(120, tmp_path, cases=4, seed=1)
    kb = load_knowledge([gen.packs_dir])
    assert len(kb.rules) == 120 and len(kb.packs) == 2
    compiled = compile_knowledge(kb.for_line(1))
    fired = 0
    for path in gen.cases:
        loaded = read_case_input(path)
        assert len(loaded.case.answers) == QUESTIONS
        facts = to_facts(kb, loaded.case.intake, loaded.case.answers, loaded.source)
        fired += len(compiled.run(facts.canonical()).fired)
    assert fired > 0


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    one = generate(60, tmp_path / "one", cases=2, seed=3)
    two = generate(60, tmp_path / "two", cases=2, seed=3)
    other = generate(60, tmp_path / "other", cases=2, seed=4)
    files = sorted(p.name for p in one.packs_dir.glob("*.yaml"))
    for name in files:
        assert (one.packs_dir / name).read_bytes() == (two.packs_dir / name).read_bytes()
    assert (one.packs_dir / files[0]).read_bytes() != (other.packs_dir / files[0]).read_bytes()
