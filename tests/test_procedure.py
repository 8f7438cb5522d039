"""Procedures written as links (issue 16 item 3): `next:` on an answer says which question
comes after it; the policy follows the links before `order` and the priced choice, from
the known facts alone; `pack validate` refuses unknown steps and cycles (the bad-pack
corpus: procedure_*.yaml) and `pack check` finds orphan steps and dead links (W118,
W119: tests/data/check/procedure_steps.yaml)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bench.flowchart import strip_procedure
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.facts import FactSet
from engine.logic import FactValue
from engine.select import declared_order, next_question
from engine.session import Ask, ProposeFix, Record, Session
from rules.errors import PackError
from rules.knowledge import INTAKE_PREFIX, load_knowledge
from rules.procedure import depths
from tests.conftest import DATA

PROCEDURE = DATA / "policy" / "procedure.yaml"
COMPLAINT = {INTAKE_PREFIX + "complaint": "prints_nothing"}


@pytest.fixture(scope="module")
def procedure() -> CompiledKnowledge:
    return compile_knowledge(load_knowledge([PROCEDURE]), name="Procedure")


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> CompiledKnowledge:
    """The same pack without its links (and without `order`)."""
    path = tmp_path_factory.mktemp("bare") / "procedure.yaml"
    path.write_text(yaml.safe_dump(strip_procedure(yaml.safe_load(PROCEDURE.read_text()))))
    return compile_knowledge(load_knowledge([path]), name="Bare")


@pytest.mark.parametrize(
    ("known", "step", "link"),
    [
        ({"power_on": True}, "job_queued", ("power_on", "yes")),
        ({"power_on": False}, "cable_seated", ("power_on", "no")),
        ({"power_on": True, "job_queued": "1"}, "paper_loaded", ("job_queued", "1")),
        ({"power_on": True, "job_queued": "3"}, "error_code", ("job_queued", "3")),
    ],
)
def test_the_answer_says_what_comes_next(
    procedure: CompiledKnowledge, known: dict[str, Any], step: str, link: tuple[str, str]
) -> None:
    choice = next_question(procedure, {**COMPLAINT, **known})
    assert choice is not None and choice.worthwhile
    assert (choice.question, choice.reason, choice.step_of) == (step, "order", link)
    assert choice.beats() == (
        f"the procedure says so: after answer {link[1]} to {link[0]}, ask this"
    )
    assert declared_order(procedure, {**COMPLAINT, **known}) == choice


def test_without_the_links_the_priced_policy_chooses_otherwise(bare: CompiledKnowledge) -> None:
    choice = next_question(bare, {**COMPLAINT, "power_on": False})
    assert choice is not None and choice.question == "job_queued" and choice.reason == "gain"


def test_after_no_link_the_priced_policy_chooses(procedure: CompiledKnowledge) -> None:
    choice = next_question(procedure, {**COMPLAINT, "power_on": True, "job_queued": "2"})
    assert choice is not None and choice.question == "driver_age" and choice.step_of is None


def test_the_furthest_step_wins_whatever_the_answer_order(procedure: CompiledKnowledge) -> None:
    """Two links lead on (power_on=no -> cable_seated, job_queued=3 -> error_code): the one
    further along the procedure comes first, however the answers were given."""
    assert depths(procedure.kb)["error_code"] == 2 and depths(procedure.kb)["cable_seated"] == 1
    known: dict[str, FactValue] = {"power_on": False, "job_queued": "3"}
    for facts in (known, dict(reversed(list(known.items())))):
        choice = next_question(procedure, {**COMPLAINT, **facts})
        assert choice is not None and choice.question == "error_code"


def test_a_guided_session_follows_the_procedure(procedure: CompiledKnowledge) -> None:
    facts = FactSet()
    facts.intake(procedure.kb, "complaint", "prints_nothing")
    session = Session(procedure, Record(facts), line=1)
    world = {"power_on": False, "cable_seated": False, "job_queued": "1", "paper_loaded": True}
    asked = []
    step = session.step()
    while isinstance(step, Ask):
        asked.append(step.question.id)
        session.answer(step.question.id, world[step.question.id])
        step = session.step()
    assert asked == ["power_on", "cable_seated"]
    assert isinstance(step, ProposeFix) and step.fault.id == "unplugged"


def test_next_names_only_answers_the_question_has(tmp_path: Any) -> None:
    text = PROCEDURE.read_text().replace("next: {yes: job_queued", "next: {perhaps: job_queued")
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(PackError, match="'next' names the answer 'perhaps'"):
        load_knowledge([path])
    number = PROCEDURE.read_text().replace(
        "    cost: 0.5\n", "    cost: 0.5\n    next: {'1': power_on}\n"
    )
    path.write_text(number)
    with pytest.raises(PackError, match="'next' is only for yes/no and choice questions"):
        load_knowledge([path])
