"""Positions before the table is filled: walking the node tree along one path
(`rules.nodes.descend`) finds what the full table (`rules.nodes.positions`) holds, for
every value and key of every shipped pack and the bad-pack corpus, and for paths that
stop part-way (the nearest ancestor)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.source import SourceMap

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("rules/**/*.yaml"), *ROOT.glob("tests/data/check/*.yaml")])


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_walking_one_path_finds_what_the_table_holds(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    table = SourceMap(str(path), text)
    probes = [*table.values, *table.keys]
    probes += [(*p, "no_such_key") for p in probes[:50]] + [(*p, 999) for p in probes[:50]]
    assert probes
    walked = SourceMap(str(path), text)  # nothing filled: every lookup walks the tree
    for probe in probes:
        for key in (False, True):
            assert walked.locate(probe, key=key) == table.locate(probe, key=key), probe
    assert walked.lazy  # walking did not fill the table


def test_the_table_can_be_filled_after_lookups_by_walking() -> None:
    path = ROOT / "rules" / "line1" / "wifi.yaml"
    text = path.read_text(encoding="utf-8")
    smap = SourceMap(str(path), text)
    walked = smap.locate(("rules", 0, "when"))
    assert smap.lazy and smap.values[("rules", 0, "when")] == walked
    assert not smap.lazy and smap.locate(("rules", 0, "when")) == walked
