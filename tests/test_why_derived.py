"""WHY follows derived facts (issue 16 item 10): a fault that a derived fact ruled out is
not weighed, and WHY names the fact, the rule that set it and the answers behind it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.api import Linewise
from engine.session import Session
from present.explain import why_document

PACK = Path(__file__).parent / "data" / "why_derived.yaml"


@pytest.fixture(scope="module")
def lw() -> Linewise:
    return Linewise.load([PACK])


def session(lw: Linewise, answers: dict[str, str], lang: str = "en") -> Session:
    found = lw.session(lang=lang).session
    for question, value in answers.items():
        found.answer(question, value)
    return found


def why(lw: Linewise, answers: dict[str, str]) -> dict[str, Any]:
    data = session(lw, answers).why()
    assert data is not None
    return data


def weighed(data: dict[str, Any]) -> set[str]:
    return {h["id"] for h in data["hypotheses"]}


def test_before_the_score_is_known_worn_out_is_weighed(lw: Linewise) -> None:
    data = why(lw, {"jams": "sometimes"})  # blank print would still make the score 6
    assert "worn_out" in weighed(data)
    assert data["excluded"] == []


def test_a_low_score_rules_worn_out_out_and_why_says_which_fact(lw: Linewise) -> None:
    data = why(lw, {"jams": "sometimes", "fading": "faded"})  # 2 + 2 < 6
    assert "worn_out" not in weighed(data)
    assert all("worn_out" not in kept for kept in data["splits"].values())
    [excluded] = data["excluded"]
    assert excluded["fault"] == "worn_out"
    [because] = excluded["because"]
    assert because["rule"] == "wear/worn"
    assert (because["fact"], because["value"], because["by"]) == (
        "heavy_wear",
        False,
        "wear/wear_low",
    )
    # followed through the expression's own derived fact back to the two answers
    assert because["from"] == [
        {"key": "jams", "value": "sometimes"},
        {"key": "fading", "value": "faded"},
    ]


def test_a_fact_that_can_no_longer_be_derived_names_the_answer_that_stops_it(
    lw: Linewise,
) -> None:
    data = why(lw, {"jams": "sometimes", "fading": "unknown"})
    assert "worn_out" not in weighed(data)
    [excluded] = data["excluded"]
    [because] = excluded["because"]
    assert because["fact"] == "heavy_wear" and because["by"] is None
    assert [a["key"] for a in because["from"]] == ["fading"]


def test_a_fault_excluded_by_an_answer_alone_is_not_put_on_a_derived_fact(lw: Linewise) -> None:
    data = why(lw, {"jams": "sometimes", "fading": "clear"})
    assert {e["fault"] for e in data["excluded"]} == {"worn_out"}  # not the cartridge


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            [
                "Ruled out by facts derived from the answers",
                "The printer is worn out",
                "“The printer shows heavy wear” is no, established by "
                "Jams and fading add up to less than 6",
                "How often does the paper jam? — Sometimes",
                "How faded is the print? — Faded",
            ],
        ),
        (
            "ru",
            [
                "Исключено фактами, выведенными из ответов",
                "«The printer shows heavy wear» — нет; это установлено",
                "по ответам: How often does the paper jam? — Sometimes",
            ],
        ),
    ],
)
def test_the_why_text_names_the_fact_and_its_answers(
    lw: Linewise, lang: str, words: list[str]
) -> None:
    found = session(lw, {"jams": "sometimes", "fading": "faded"}, lang)
    doc = why_document(found, "light")
    [section] = [s for s in doc.sections if s.key == "excluded"]
    text = " ".join(
        [section.title]
        + [i.text for i in section.items]
        + [sub.text for i in section.items for sub in i.items]
    )
    for expected in words:
        assert expected in text
    assert "worn out" not in " ".join(
        i.text for s in doc.sections if s.key == "likely" for i in s.items
    )


def test_why_not_counts_a_rule_waiting_on_an_unknown_answer_as_unable_to_derive(
    lw: Linewise,
) -> None:
    from engine.explain import why_not

    diagnosis = lw.diagnose({}, {"jams": "sometimes", "fading": "unknown"})
    [entry] = why_not(lw.compiled(1), diagnosis, "worn_out")["rules"]
    assert entry["status"] == "false" and entry["blocker"]["key"] == "heavy_wear"
    assert "heavy_wear can no longer be derived" in entry["detail"]


def test_a_score_that_can_no_longer_reach_the_threshold_rules_worn_out_out(lw: Linewise) -> None:
    # jams = never: even blank print (4) keeps the score under 6, so heavy wear can only
    # be derived as "no" before the print is asked about
    data = why(lw, {"jams": "never"})
    assert "worn_out" not in weighed(data)
    assert data["question"] != "grinding"  # it only mattered for worn out
    [excluded] = data["excluded"]
    [because] = excluded["because"]
    assert because["fact"] == "heavy_wear" and because["cannot"] is True
    assert because["from"] == [{"key": "jams", "value": "never"}]
    doc = why_document(session(lw, {"jams": "never"}), data["question"])
    [section] = [s for s in doc.sections if s.key == "excluded"]
    [item] = section.items
    assert "can no longer come out as needed" in item.items[0].text
    assert "How often does the paper jam? — Never" in item.items[0].text
