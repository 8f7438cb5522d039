"""People see a rule by what it does: a rule that asks a question again and then
concludes is named by its conclusion; one that only asks again says so (EN and RU)."""

from __future__ import annotations

from pathlib import Path

from present.names import Namer
from rules.knowledge import load_knowledge

PACK = Path(__file__).resolve().parent / "data" / "dialogue" / "conclusions.yaml"


def test_a_repeating_rule_is_named_by_what_it_concludes() -> None:
    kb = load_knowledge([PACK])
    for lang in ("en", "ru"):
        name = Namer(kb, lang).rule("dialogue-demo/light_retry")
        assert "Line None" not in name and "None" not in name
        assert kb.faults["demo_board"].title.get(lang) in name


def test_a_rule_that_only_repeats_says_it_asks_again(tmp_path: Path) -> None:
    text = PACK.read_text(encoding="utf-8").replace(
        "then: [{repeat: demo_light, at_most: 3}, {conclude: demo_board}]",
        "then: [{repeat: demo_light, at_most: 3}]",
    )
    assert "then: [{repeat: demo_light, at_most: 3}]" in text
    pack = tmp_path / "conclusions.yaml"
    pack.write_text(text, encoding="utf-8")
    kb = load_knowledge([pack])
    question = kb.questions["demo_light"].text
    assert Namer(kb, "en").rule("dialogue-demo/light_retry") == (
        f"the rule that asks “{question.get('en')}” again"
    )
    assert Namer(kb, "ru").rule("dialogue-demo/light_retry") == (
        f"правило, которое снова задаёт вопрос «{question.get('ru')}»"
    )
