"""Subsumed (W103) and conflicting (E104) rules: judging only the pairs that share a key
(engine.conflict's index) finds exactly what judging every pair of a line finds."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import engine.conflict
from engine.compile import CompiledRule, compile_knowledge
from engine.constraint import build_space
from engine.finding import Checker
from engine.graph import build_graph
from engine.verify import load_for_check
from tests.test_exact_coverage import random_pack


def _every_pair(chk: Checker) -> Iterator[tuple[CompiledRule, CompiledRule]]:
    """The old way: every earlier rule of the same line and kind, for every rule."""
    rules = chk.compiled.rules
    for later in rules:
        for earlier in rules[: later.index]:
            if chk.line_of(earlier.ref.pack_id) != chk.line_of(later.ref.pack_id):
                continue
            if earlier.ref.rule.fallback != later.ref.rule.fallback:
                continue
            if not {earlier.index, later.index} & chk.contradictory:
                yield earlier, later


def _findings(path: Path, every: bool) -> list[tuple[str, str, int | None]]:
    kb = load_for_check([path])
    compiled = compile_knowledge(kb, name="Pairs")
    chk = Checker(compiled, build_graph(compiled), build_space(kb, compiled.rules))
    engine.conflict.check_rules(chk)
    with pytest.MonkeyPatch.context() as patch:
        if every:
            patch.setattr(engine.conflict, "_pairs", _every_pair)
        engine.conflict.check_pairs(chk)
    return sorted((f.code, f.message, f.line) for f in chk.out)


@settings(max_examples=80, deadline=None)
@given(rng=st.randoms(use_true_random=False))
def test_indexed_pairs_find_what_every_pair_finds(rng: random.Random) -> None:
    pack = random_pack(rng)
    for rule in pack["rules"]:  # duplicates and same-priority twins, so findings do occur
        if rng.random() < 0.3:
            twin = {**rule, "id": rule["id"] + "_twin"}
            if rng.random() < 0.5:
                twin["then"] = [{"conclude": "x0", "certainty": 0.5}]
            pack["rules"] = [*pack["rules"], twin]
    pack["rules"].append(
        {"id": "always", "fallback": True, "then": [{"conclude": "x1", "certainty": 0.5}]}
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_text(yaml.safe_dump(pack, sort_keys=False), encoding="utf-8")
        assert _findings(path, every=False) == _findings(path, every=True)
