"""Packs are data: they survive a JSON round trip, and the shipped ones are real knowledge."""

from __future__ import annotations

import json
from pathlib import Path

from rules.knowledge import KnowledgeBase, load_knowledge
from rules.schema import Pack


def test_every_shipped_pack_survives_a_json_round_trip(shipped_kb: KnowledgeBase) -> None:
    for item in shipped_kb.packs.values():
        data = json.loads(item.pack.model_dump_json(by_alias=True, exclude_none=True))
        assert Pack.model_validate(data) == item.pack


def test_the_shipped_packs_written_as_json_load_the_same(
    shipped_kb: KnowledgeBase, tmp_path: Path
) -> None:
    for item in shipped_kb.packs.values():
        (tmp_path / f"{item.pack.id}.json").write_text(
            item.pack.model_dump_json(by_alias=True, exclude_none=True), encoding="utf-8"
        )
    again = load_knowledge([tmp_path])
    assert {k: v.pack for k, v in again.packs.items()} == {
        k: v.pack for k, v in shipped_kb.packs.items()
    }


def test_shipped_knowledge_is_substantial(shipped_kb: KnowledgeBase) -> None:
    line1 = shipped_kb.for_line(1)
    assert len(line1.symptoms) >= 10
    assert len(line1.faults) >= 60
    assert {2, 4} <= set(shipped_kb.lines())
    for question in shipped_kb.questions.values():
        assert question.help is not None, f"question {question.id} has no help text"
        assert question.text.ru, f"question {question.id} has no Russian text"
    for fault in shipped_kb.faults.values():
        assert fault.title.ru and all(step.ru for step in fault.fix), fault.id
