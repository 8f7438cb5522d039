"""Loading keeps less: positions are read again on demand, models are compacted.

Both must be invisible: the same positions, the same models.
"""

from __future__ import annotations

from pathlib import Path

from rules.compact import compact
from rules.knowledge import KnowledgeBase
from rules.loader import shipped_pack_files
from rules.schema import Pack
from rules.source import SourceMap, parse_data, read_data_file


def _eager(path: Path) -> SourceMap:
    """The source map as it was built before positions became lazy: with the data."""
    smap = SourceMap(path.name)
    smap.values.update(SourceMap(path.name, path.read_text(encoding="utf-8")).values)
    return smap


def test_a_source_map_reads_its_positions_on_first_use() -> None:
    path = shipped_pack_files()[0]
    data, smap = parse_data(path.read_bytes(), path.name)
    assert isinstance(data, dict)
    assert smap._values is None  # nothing recorded while loading
    assert smap.locate(("rules", 0, "when")) == _eager(path).locate(("rules", 0, "when"))
    assert smap.keys and smap._text is None  # read once, text dropped


def test_positions_of_every_value_and_key_are_found(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("id: a\nrules:\n  - id: r1\n    when: {question: q, equals: true}\n")
    _, smap = read_data_file(path)
    assert smap.values[("rules", 0, "when", "equals")] == (4, 33)
    assert smap.keys[("rules", 0, "id")] == (3, 5)


def test_compacted_packs_equal_the_validated_ones(shipped_kb: KnowledgeBase) -> None:
    for item in shipped_kb.packs.values():
        data = item.pack.model_dump(by_alias=True, exclude_none=True)
        fresh = Pack.model_validate(data)
        small = compact(fresh)
        assert small == fresh
        assert small.model_dump() == fresh.model_dump()
        assert small.model_fields_set == fresh.model_fields_set
        assert Pack.model_validate(small.model_dump(by_alias=True)) == fresh
