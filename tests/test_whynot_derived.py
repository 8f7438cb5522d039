"""WHY NOT follows derived facts to the condition that really decides (issue 16 item 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.api import Linewise
from engine.explain import why_not

PACK = """\
id: power
version: 1.0.0
line: 1
title: Power
questions:
  - {id: lights_on, text: Lights on?, type: yesno}
  - {id: fan_spins, text: Fan spins?, type: yesno}
facts:
  - {id: no_power, text: The unit gets no power}
faults:
  - {id: psu, title: Power supply, fix: [Replace it], line: 1}
  - {id: fine, title: Power is fine, fix: [Look elsewhere], line: 1}
  - {id: other, title: Something else, fix: [Ask Line 2], line: 1}
rules:
  - id: derive_no_power
    when: {question: lights_on, equals: no}
    then: [{derive: no_power, value: yes}]
  - id: conclude_psu
    when:
      all:
        - {fact: no_power, equals: yes}
        - {question: fan_spins, equals: no}
    then: [{conclude: psu}]
  - id: conclude_fine
    when: {fact: no_power, equals: no}
    then: [{conclude: fine}]
  - id: conclude_other
    when: {question: lights_on, equals: yes}
    then: [{conclude: other}]
"""


@pytest.fixture
def lw(tmp_path: Path) -> Linewise:
    (tmp_path / "power.yaml").write_text(PACK)
    return Linewise.load([tmp_path / "power.yaml"])


def entry(lw: Linewise, answers: dict[str, Any], fault: str) -> dict[str, Any]:
    diagnosis = lw.diagnose({}, answers)
    data = why_not(lw.compiled(1), diagnosis, fault)
    found: dict[str, Any] = data["rules"][0]
    return found


def test_a_failed_condition_decides_over_an_earlier_pending_derived_one(lw: Linewise) -> None:
    # no_power is not derived yet when lights are unknown; fan_spins = yes already decides
    got = entry(lw, {"fan_spins": "yes"}, "psu")
    assert got["status"] == "false"
    assert got["blocker"]["key"] == "fan_spins"


def test_a_derived_fact_that_can_no_longer_be_derived_fails_and_says_why(lw: Linewise) -> None:
    got = entry(lw, {"lights_on": "yes"}, "psu")
    assert got["status"] == "false" and got["blocker"]["key"] == "no_power"
    assert "no_power can no longer be derived" in got["detail"]
    [behind] = got["derived_by"]
    assert behind["rule"] == "power/derive_no_power"
    assert behind["blocker"]["key"] == "lights_on" and behind["blocker"]["status"] == "false"


def test_a_derived_value_that_fails_names_the_rule_and_answers_behind_it(lw: Linewise) -> None:
    got = entry(lw, {"lights_on": "no", "fan_spins": "no"}, "fine")
    assert got["blocker"]["key"] == "no_power" and got["status"] == "false"
    assert got["decided_by"] == {"rule": "power/derive_no_power", "facts": ["lights_on = no"]}


def test_the_text_says_the_fact_can_no_longer_be_established(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli.main import cli

    (tmp_path / "power.yaml").write_text(PACK)
    argv = ["explain", "--packs", str(tmp_path / "power.yaml"), "-a", "lights_on=yes"]
    result = CliRunner().invoke(cli, [*argv, "--why-not", "psu"])
    assert "(it can no longer be established)" in " ".join(result.stdout.split())
    assert "the customer cannot tell" not in result.stdout
    russian = CliRunner().invoke(cli, [*argv, "--why-not", "psu", "--lang", "ru"])
    assert "это уже не может быть установлено" in " ".join(russian.stdout.split())
