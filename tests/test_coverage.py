"""Coverage analysis runs the rules without experta; it must fire exactly what experta fires."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.compile import CompiledKnowledge
from engine.constraint import build_space
from engine.coverage import forward
from engine.logic import FactValue


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_forward_chaining_fires_what_experta_fires(
    line1: CompiledKnowledge, data: st.DataObject
) -> None:
    space = build_space(line1.kb, line1.rules)
    keys = sorted(k for k in space.keys if k in line1.kb.questions or k.startswith("intake."))
    chosen = data.draw(st.lists(st.sampled_from(keys), unique=True))
    known: dict[str, FactValue] = {k: data.draw(st.sampled_from(space[k].values)) for k in chosen}
    by_priority = sorted(line1.rules, key=lambda r: (-r.priority, r.index))
    ours = forward(line1, by_priority, known)
    theirs = line1.run(sorted(known.items()))
    assert {i for i, _ in ours.fired} == {i for i, _ in theirs.fired}
    assert ours.known == theirs.known


def test_generated_packs_are_decided_exactly(tmp_path: Path) -> None:
    from bench.generate import generate
    from engine.verify import check_paths, render_report

    generated = generate(100, tmp_path, cases=1)  # two domains of 30 questions each
    report = check_paths([generated.packs_dir])
    assert len(report.coverage) == 2
    assert all(d.mode == "exhaustive" and d.checked == d.total > 10**12 for d in report.coverage)
    assert "every answer combination decided" in render_report(report)
