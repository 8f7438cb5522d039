"""One process parses a pack file once per content: the same bytes at the same path give
the same loaded pack; an edit (even of the same size, within the same clock tick) is seen."""

from __future__ import annotations

from pathlib import Path

from rules.loader import load_pack_file

PACK = """id: demo
version: 1.0.0
line: 1
title: Demo {n}
questions:
  - {{id: light, text: Is the light on?, type: yesno}}
faults:
  - {{id: cable, title: Cable, fix: [Plug it in], line: 1}}
rules:
  - id: dark
    when: {{question: light, equals: false}}
    then: [{{conclude: cable}}]
"""


def test_the_same_file_is_parsed_once_and_an_edit_is_always_seen(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(PACK.format(n=1), encoding="utf-8")
    first = load_pack_file(path)
    assert load_pack_file(path) is first
    for n in range(2, 6):  # same size, rewritten at once: the clock may not have moved
        path.write_text(PACK.format(n=n), encoding="utf-8")
        loaded = load_pack_file(path)
        assert loaded.pack.title.get("en") == f"Demo {n}"
    copy = tmp_path / "copy.yaml"
    copy.write_text(PACK.format(n=5), encoding="utf-8")
    assert load_pack_file(copy).path == copy  # a loaded pack always names its own file
