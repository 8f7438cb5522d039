"""Expressions, numbered menus and option scores in packs (issue 16 items 1, 2, 18), shown
on tests/data/scored.yaml: a flowchart-style pack whose score is computed from answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.intake import pick
from cli.main import cli
from engine.answers import to_facts
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.diagnose import diagnose
from engine.explain import how
from engine.facts import FactSet
from engine.result import Diagnosis
from engine.session import Ask, ProposeFix, Record, Session
from engine.verify import verify
from present.question import question_view
from rules.computed import expr_fact_id
from rules.errors import PackError
from rules.expr import MAX_DEPTH, ExprError, evaluate, parse
from rules.knowledge import load_knowledge
from tests.conftest import DATA

SCORED = DATA / "scored.yaml"


@pytest.fixture(scope="module")
def scored() -> CompiledKnowledge:
    return compile_knowledge(load_knowledge([SCORED]), name="Scored")


def run(compiled: CompiledKnowledge, answers: dict[str, Any]) -> Diagnosis:
    facts = to_facts(compiled.kb, {"complaint": "overheating"}, answers)
    return diagnose(compiled, facts, line=1)


def derived(d: Diagnosis) -> dict[str, Any]:
    return {f["key"]: f["value"] for f in d.facts if f["source"] == "derived"}


# ---- the grammar ---------------------------------------------------------------------------


def test_arithmetic_min_max_and_comparisons() -> None:
    values = {"a": 2.0, "b": 3.0}
    assert evaluate(parse("a + b * 2"), values.get) == 8
    assert evaluate(parse("(a + b) × 2 − 1"), values.get) == 9
    assert evaluate(parse("min(a, b) / max(a, b, 6)"), values.get) == pytest.approx(1 / 3)
    assert evaluate(parse("abs(a - b) ≥ 1"), values.get) is True
    assert evaluate(parse("a / (b - 3)"), values.get) is None  # division by zero: no value
    assert evaluate(parse("a + c"), values.get) is None  # a name without a number
    assert parse("score(q1) + q2 > 3").names() == ("q1", "q2")


def _balanced(levels: int) -> str:
    text = "a"
    for _ in range(levels):
        text = f"({text}+{text})"
    return text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("temp.real > 1", "unexpected character '.' at column 5"),
        ("__import__('os')", "unexpected character '_' at column 1"),
        ("a ** 2", "unexpected '*' at column 4"),
        ("open(a)", "unknown function 'open'"),
        ("a < b < c", "at column 7"),
        ("a +", "ends too early"),
        ("score(1)", "'score' takes the name"),
        ("x" * 401, "over the limit of 400"),
        ("-" * 100 + "a", f"nested deeper than {MAX_DEPTH} levels"),
        (_balanced(6), "more than 120 parts"),
    ],
)
def test_the_grammar_refuses_what_is_not_arithmetic(text: str, words: str) -> None:
    with pytest.raises(ExprError, match=words.replace("(", r"\(").replace("*", r"\*")):
        parse(text)


# ---- in the engine ---------------------------------------------------------------------------


def test_a_computed_fact_stays_pending_until_its_inputs_are_known(
    scored: CompiledKnowledge,
) -> None:
    d = run(scored, {"fan_noise": 1, "dust": "thick"})
    assert "heat_score" not in derived(d)
    assert d.outcome.kind == "incomplete"
    assert d.outcome.open_questions == ["room_temp"]
    d = run(scored, {"fan_noise": 1, "dust": "thick", "room_temp": 36})
    # score(fan_noise) 1 + dust 3 + max(36 - 25, 0) / 5 = 6.2
    assert derived(d)["heat_score"] == pytest.approx(6.2)
    assert d.outcome.fault == "dust_clog"


def test_an_unknown_input_leaves_the_computed_fact_unset(scored: CompiledKnowledge) -> None:
    d = run(scored, {"fan_noise": 1, "dust": "thick", "room_temp": "unknown"})
    assert "heat_score" not in derived(d)
    assert d.fault("dust_clog") is None


def test_a_condition_expression_decides(scored: CompiledKnowledge) -> None:
    hot = run(scored, {"fan_noise": 2, "dust": "none", "room_temp": 35})
    assert derived(hot)[expr_fact_id("room_temp ≥ 35")] is True
    assert hot.fault("room_too_hot") is not None
    grinding = run(scored, {"fan_noise": 3, "dust": "some", "room_temp": 20})
    assert grinding.outcome.fault == "fan_failed"  # option 3 scores 5, not 3
    quiet = run(scored, {"fan_noise": 2, "dust": "some", "room_temp": 20})
    assert quiet.fault("fan_failed") is None


def test_how_follows_a_computed_fact_back_to_the_answers(scored: CompiledKnowledge) -> None:
    d = run(scored, {"fan_noise": 1, "dust": "thick", "room_temp": 36})
    tree = how(d, "dust_clog")
    text = repr(tree)
    assert "heat_score" in text and "room_temp" in text and "fan_noise" in text


def test_the_guided_session_asks_the_inputs_and_concludes(scored: CompiledKnowledge) -> None:
    facts = FactSet()
    facts.intake(scored.kb, "complaint", "overheating")
    session = Session(scored, Record(facts), line=1)
    wanted = {"fan_noise": "1", "dust": "thick", "room_temp": 30}
    asked = []
    step = session.step()
    while isinstance(step, Ask):
        asked.append(step.question.id)
        session.answer(step.question.id, wanted[step.question.id])
        step = session.step()
    assert "room_temp" in asked and "dust" in asked
    assert isinstance(step, ProposeFix)
    assert step.fault.id == "dust_clog"


def test_pack_check_handles_expressions(scored: CompiledKnowledge) -> None:
    report = verify(scored.kb)
    assert [f.code for f in report.findings] == []


# ---- numbered menus: the same answer forms everywhere ----------------------------------------


def test_numbered_options_are_accepted_as_numbers_and_text(scored: CompiledKnowledge) -> None:
    kb = scored.kb
    assert [o.value for o in kb.questions["fan_noise"].options or ()] == ["1", "2", "3"]
    for raw in (3, "3", " 3 ", 3.0):
        assert to_facts(kb, {}, {"fan_noise": raw}).values()["fan_noise"] == "3"
    # an id-valued menu takes its menu number too, as the guided prompt shows it
    assert to_facts(kb, {}, {"dust": 2}).values()["dust"] == "some"
    assert to_facts(kb, {}, {"dust": "3"}).values()["dust"] == "thick"


def test_numbered_menu_keys_in_the_guided_prompt(scored: CompiledKnowledge) -> None:
    view = question_view(scored.kb.questions["fan_noise"], 1, 1, "en")
    assert [o.key for o in view.options] == ["1", "2", "3"]
    assert pick("3", view.options) == "3"
    assert pick("loud and grinding", view.options) == "3"
    dust = question_view(scored.kb.questions["dust"], 2, 1, "en")
    assert pick("2", dust.options) == "some"


def test_numbered_menus_on_the_command_line_and_in_answer_files(tmp_path: Path) -> None:
    runner = CliRunner()
    argv = ["diagnose", "--packs", str(SCORED), "-i", "complaint=overheating", "--json"]
    by_option = runner.invoke(cli, [*argv, "-a", "fan_noise=3", "-a", "dust=2"])
    assert by_option.exit_code == 0, by_option.output
    assert '"fault": "fan_failed"' in by_option.stdout
    answers = tmp_path / "a.yaml"
    answers.write_text(
        "intake: {complaint: overheating}\nanswers: {fan_noise: 3, dust: 2}\n", encoding="utf-8"
    )
    by_file = runner.invoke(cli, ["diagnose", "--packs", str(SCORED), "--answers", str(answers)])
    assert by_file.exit_code == 0, by_file.output
    assert "The fan is failing" in by_file.stdout
    wrong = runner.invoke(cli, [*argv, "-a", "fan_noise=4"])
    assert wrong.exit_code == 2
    assert "'4' is not an option" in wrong.stderr


def test_option_values_may_not_be_reserved_answers(tmp_path: Path) -> None:
    pack = SCORED.read_text(encoding="utf-8").replace("value: none", "value: unknown")
    path = tmp_path / "p.yaml"
    path.write_text(pack, encoding="utf-8")
    with pytest.raises(PackError, match="option value 'unknown' is a reserved answer"):
        load_knowledge([path])


# ---- optional priors (issue 16 item 15) ------------------------------------------------------


def _pack_with_priors(tmp_path: Path, priors: list[str]) -> Path:
    text = SCORED.read_text(encoding="utf-8")
    for old, new in zip(["prior: 0.4", "prior: 0.3", "prior: 0.3"], priors, strict=True):
        text = text.replace(f"    {old}\n", f"    {new}\n" if new else "", 1)
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_priors_are_optional_with_an_even_share(tmp_path: Path) -> None:
    kb = load_knowledge([_pack_with_priors(tmp_path, ["", "", ""])])
    assert [f.prior for f in kb.faults.values()] == [pytest.approx(1 / 3)] * 3
    assert [f.code for f in verify(kb).findings] == []


def test_pack_check_notes_priors_that_make_no_sense(tmp_path: Path) -> None:
    mixed = load_knowledge([_pack_with_priors(tmp_path, ["prior: 0.4", "", "prior: 0.3"])])
    (found,) = verify(mixed).findings
    assert found.code == "W111" and "fault 'fan_failed' has no prior" in found.message
    certain = load_knowledge(
        [_pack_with_priors(tmp_path, ["prior: 1", "prior: 0.3", "prior: 0.3"])]
    )
    (found,) = verify(certain).findings
    assert found.code == "W111" and "'dust_clog' has prior 1" in found.message


# ---- one layout for a pack folder with its golden cases (issue 16 item 14) -------------------


def test_a_pack_folder_with_golden_cases_beside_it(tmp_path: Path) -> None:
    folder = tmp_path / "packs"
    (folder / "golden" / "scored").mkdir(parents=True)
    (folder / "scored.yaml").write_text(SCORED.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "golden" / "scored" / "grinding-fan.yaml").write_text(
        "id: grinding-fan\nintake: {complaint: overheating}\n"
        "answers: {fan_noise: 3, dust: some, room_temp: 20}\nexpect: {fault: fan_failed}\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    validated = runner.invoke(cli, ["pack", "validate", str(folder)])
    assert validated.exit_code == 0, validated.output
    assert validated.stdout.startswith("ok: 1 pack (with 17 shipped packs)")
    checked = runner.invoke(cli, ["pack", "check", "--strict", str(folder)])
    assert checked.exit_code == 0, checked.output
    tested = runner.invoke(
        cli, ["test", str(folder), "--packs", str(folder), "-j", "1", "--no-progress"]
    )
    assert tested.exit_code == 0, tested.output
    assert "ok: 1 passed" in tested.stdout
    pack = str(folder / "scored.yaml")
    diffed = runner.invoke(cli, ["pack", "diff", pack, pack, "--cases", str(folder)])
    assert diffed.exit_code == 0, diffed.output


def test_a_session_takes_the_same_answer_forms(scored: CompiledKnowledge) -> None:
    """What the JSON API and the console call (web.work -> Session.answer)."""
    facts = FactSet()
    facts.intake(scored.kb, "complaint", "overheating")
    session = Session(scored, Record(facts), line=1)
    assert session.answer("fan_noise", 3).value == "3"  # a JSON number
    assert session.answer("dust", "2").value == "some"  # a menu number
    assert session.answer("room_temp", "20").value == 20
