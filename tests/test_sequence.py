"""`sequences`: ordered checks where the first that holds concludes, compiled into rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.api import Linewise
from rules.errors import PackError

PACK = """\
id: seq
version: 1.0.0
line: 1
title: Sequence
questions:
  - {id: powered, text: Is it on?, type: yesno}
  - {id: jam, text: Paper jam?, type: yesno}
  - {id: toner, text: Toner left, type: number}
faults:
  - {id: jammed, title: Jammed, fix: [Clear it], line: 1}
  - {id: empty, title: Empty, fix: [Refill], line: 1}
sequences:
  - id: checks
    when: {question: powered, equals: yes}
    first_of:
      - when: {question: jam, equals: yes}
        then: [{conclude: jammed}]
      - when: {question: toner, less_than: 5}
        then: [{conclude: empty}]
    otherwise: [{escalate: 2, reason: Nothing found}]
"""


@pytest.fixture
def lw(tmp_path: Path) -> Linewise:
    (tmp_path / "seq.yaml").write_text(PACK)
    return Linewise.load([tmp_path / "seq.yaml"])


def test_the_sequence_becomes_ordinary_rules(lw: Linewise) -> None:
    rules = {ref.rule.id: ref.rule for ref in lw.kb.rules}
    assert sorted(rules) == ["checks_1", "checks_2", "checks_otherwise"]
    second = rules["checks_2"].when
    assert second is not None and second.all is not None and len(second.all) == 3
    assert second.all[1].not_ is not None and second.all[1].not_.subject == ("question", "jam")


def test_the_first_check_that_holds_concludes(lw: Linewise) -> None:
    both = lw.diagnose({}, {"powered": "yes", "jam": "yes", "toner": 1})
    assert both.outcome.fault == "jammed"  # the later check holds too, but comes second
    second = lw.diagnose({}, {"powered": "yes", "jam": "no", "toner": 1})
    assert second.outcome.fault == "empty"
    waiting = lw.diagnose({}, {"powered": "yes", "toner": 1})
    assert waiting.outcome.kind == "incomplete"  # the first check is not settled yet
    none = lw.diagnose({}, {"powered": "yes", "jam": "no", "toner": 50})
    assert none.outcome.escalation is not None and none.outcome.escalation.kind == "rule"
    off = lw.diagnose({}, {"powered": "no"})
    assert off.outcome.fault is None and "checks_1" not in [f.rule for f in off.trace]


def test_errors_in_a_sequence_name_the_line_it_was_written_on(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        PACK.replace("{question: toner, less", "{question: tonr, less")
    )
    with pytest.raises(PackError) as caught:
        Linewise.load([tmp_path / "bad.yaml"])
    lines = caught.value.render().splitlines()
    assert next(line for line in lines if "unknown question 'tonr'" in line).startswith(
        str(tmp_path / "bad.yaml") + ":18:26: "
    )
    assert lines[-1] == "1 problem in rule packs"  # once, though two rules hold it
    (tmp_path / "shape.yaml").write_text(
        PACK.replace("      - when: {question: jam", "      - wen: {question: jam")
    )
    with pytest.raises(PackError, match=r"shape\.yaml:16:\d+: sequences\[0\]\.first_of\[0\]"):
        Linewise.load([tmp_path / "shape.yaml"])
