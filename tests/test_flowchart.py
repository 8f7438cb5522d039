"""Generated procedural knowledge (issue 16): a seeded flowchart with numbered menus,
computed scores and shared sub-flows (bench/flowchart.py), written as a pack; every path
replayed non-interactively, and a seeded sample guided, with the chart's order (`next:`
links) and without any declared order (the priced policy with its look-ahead), each
compared with the chart's own answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.flowchart import Flowchart, chart, sample, stats
from bench.flowchart_play import compiled_chart, guided, replay, worlds
from engine.compile import CompiledKnowledge
from engine.procedure_check import dead_links, orphans

LEVELS, WIDTH = 10, 40


@pytest.fixture(scope="module")
def flow() -> Flowchart:
    return chart(levels=LEVELS, width=WIDTH)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("flowchart")


@pytest.fixture(scope="module")
def procedure(flow: Flowchart, folder: Path) -> CompiledKnowledge:
    return compiled_chart(flow, folder, procedure=True)


@pytest.fixture(scope="module")
def bare(flow: Flowchart, folder: Path) -> CompiledKnowledge:
    return compiled_chart(flow, folder, procedure=False)


def test_the_chart_is_big_and_has_every_feature(flow: Flowchart) -> None:
    size = stats(flow)
    assert size["steps"] >= 100 and size["paths"] >= 1000
    assert size["shared_steps"] >= 10 and size["score_blocks"] >= 5 and size["menus"] >= 30
    assert chart(levels=LEVELS, width=WIDTH) == flow  # seeded: the same chart every time
    outcomes = {p.outcome for p in flow.paths()}
    assert "escalate" in outcomes and len(outcomes) > 10


@pytest.mark.slow
def test_every_path_non_interactively(flow: Flowchart, procedure: CompiledKnowledge) -> None:
    wrong = [(p, got) for p in flow.paths() if (got := replay(procedure, p)) != p.outcome]
    assert not wrong[:3], f"{len(wrong)} paths differ"


def test_guided_with_the_charts_order_asks_exactly_the_path(
    flow: Flowchart, procedure: CompiledKnowledge
) -> None:
    paths = sample(flow, 60, seed=3)
    for path, world in zip(paths, worlds(flow, paths), strict=True):
        played = guided(procedure, world)
        assert (played.outcome, played.asked) == (path.outcome, len(path.answers)), path


@pytest.mark.slow
def test_guided_without_any_order_reaches_the_charts_answer(
    flow: Flowchart, bare: CompiledKnowledge
) -> None:
    paths = sample(flow, 40, seed=4)
    asked = chart_asked = 0
    for path, world in zip(paths, worlds(flow, paths), strict=True):
        played = guided(bare, world)
        assert played.outcome == path.outcome, path
        asked += played.asked
        chart_asked += len(path.answers)
    assert asked <= 1.5 * chart_asked  # measured in bench/questions.py


def test_the_generated_pack_passes_the_procedure_checks(
    flow: Flowchart, procedure: CompiledKnowledge
) -> None:
    """No orphan step (W118), no dead link (W119); cycles would not have loaded (E019)."""
    assert procedure.kb.questions[flow.root].order == 1
    assert orphans(procedure.kb) == []
    assert dead_links(procedure) == []
