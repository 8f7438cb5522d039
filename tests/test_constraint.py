"""Conditions as finite constraints: exact answers about contradiction and implication."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engine.compile import CompiledKnowledge, compile_knowledge
from engine.constraint import build_space
from engine.logic import TV, evaluate
from rules.knowledge import load_knowledge

PACK = """
id: demo
version: 1.0.0
line: 1
title: Demo
questions:
  - {id: temp, text: Temperature, type: number, min: -20, max: 60}
  - {id: light, text: Light, type: yesno}
  - {id: note, text: Note, type: text}
faults:
  - {id: hot, title: Hot, fix: [Cool], line: 1, prior: 0.5}
rules:
  - {id: r_hot, when: {question: temp, greater_than: 30}, then: [{conclude: hot}]}
  - id: r_very_hot
    when: {all: [{question: temp, greater_than: 40}, {question: light, equals: no}]}
    then: [{conclude: hot}]
  - {id: r_range, when: {question: temp, between: [31, 35]}, then: [{conclude: hot}]}
  - {id: r_not, when: {not: {question: light, equals: yes}}, then: [{conclude: hot}]}
  - id: r_either
    when: {any: [{question: light, equals: yes}, {question: light, equals: no}]}
    then: [{conclude: hot}]
  - {id: r_note, when: {question: note, contains: smoke}, then: [{conclude: hot}]}
"""


def _compiled(write_pack: Callable[[str, str], Path]) -> CompiledKnowledge:
    return compile_knowledge(load_knowledge([write_pack("demo.yaml", PACK)]))


def test_number_space_puts_a_point_on_and_between_every_constant(
    write_pack: Callable[[str, str], Path],
) -> None:
    compiled = _compiled(write_pack)
    space = build_space(compiled.kb, compiled.rules)
    assert space["temp"].values == (-20, 5, 30, 30.5, 31, 33, 35, 37.5, 40, 50, 60)
    assert space["light"].values == (True, False)
    assert "smoke" in space["note"].values and any(
        "smoke" not in str(v) for v in space["note"].values
    )


def test_every_representative_value_agrees_with_the_engine_evaluation(
    write_pack: Callable[[str, str], Path],
) -> None:
    compiled = _compiled(write_pack)
    space = build_space(compiled.kb, compiled.rules)
    for rule in compiled.rules:
        for leaf in rule.leaves():
            for i, value in enumerate(space[leaf.key].values):
                holds = evaluate(leaf, {leaf.key: value}) is TV.TRUE
                assert holds == (i in space.atom(leaf)), (rule.qualified, value)


def test_implication_is_three_valued(write_pack: Callable[[str, str], Path]) -> None:
    rules = {r.ref.rule.id: r for r in _compiled(write_pack).rules}
    compiled = _compiled(write_pack)
    space = build_space(compiled.kb, compiled.rules)
    hot, very_hot, in_range = rules["r_hot"].nnf, rules["r_very_hot"].nnf, rules["r_range"].nnf
    assert space.implies(very_hot, hot)
    assert not space.implies(hot, very_hot)
    assert space.implies(in_range, hot)
    # "not light = yes" needs light known: it does not follow from nothing
    assert not space.implies(rules["r_either"].nnf, rules["r_not"].nnf)
    assert space.implies(rules["r_not"].nnf, rules["r_either"].nnf)
