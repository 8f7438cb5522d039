"""Non-interactive diagnosis (`diagnose --answers`, `-a`, batches, `linewise test`) with
what guided sessions have (issue 16 items 6, 9, 21): what rules say, internal facts only
with --all, fix outcomes given as answers, and what a repeated question's answer means."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli.main import cli
from tests.dialogue import DIALOGUE

DEMO = str(DIALOGUE / "conclusions.yaml")
ASK = ["-i", "complaint=demo_trouble", "-i", "customer=Ann"]

# a rule concludes through an internal (bookkeeping) fact
COUNTED = """\
id: counted-demo
version: 1.0.0
line: 1
title: {en: Counted demo, ru: Демонстрация счётчика}
symptoms:
  - {id: cd_trouble, title: {en: It fails, ru: Не работает}}
questions:
  - {id: cd_light, text: {en: Is the light on?, ru: Горит ли индикатор?}, type: yesno}
facts:
  - {id: cd_step, text: {en: Step counter reached, ru: Счётчик шагов}, internal: true}
faults:
  - id: cd_psu
    title: {en: Dead power supply, ru: Неисправен блок питания}
    fix: [{en: Replace the power supply, ru: Замените блок питания}]
    line: 1
rules:
  - {id: count, when: {question: cd_light, equals: no}, then: [{derive: cd_step, value: yes}]}
  - {id: psu, when: {fact: cd_step, equals: yes}, then: [{conclude: cd_psu}]}
"""


def run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diagnose", *argv], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def as_json(*argv: str) -> dict[str, Any]:
    code, out, err = run(*argv, "--json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def _rule_facts(node: dict[str, Any]) -> list[str]:
    keys = []
    for fact in node["facts"]:
        keys.append(fact["key"])
        if fact.get("because"):
            keys += _rule_facts(fact["because"])
    return keys


# ---- item 9: internal facts only with --all ---------------------------------------------


def test_internal_facts_show_in_how_and_json_only_with_all(tmp_path: Path) -> None:
    pack = tmp_path / "counted.yaml"
    pack.write_text(COUNTED, encoding="utf-8")
    argv = ["--packs", str(pack), "-i", "complaint=cd_trouble", "-a", "cd_light=no", "--explain"]
    code, hidden, err = run(*argv)
    assert code == 0, err
    assert "Dead power supply" in hidden and "Step counter reached" not in hidden
    code, shown, err = run(*argv, "--all")
    assert code == 0, err
    how = shown[shown.index("How: Dead power supply") :]
    assert "Step counter reached — yes" in how  # in HOW, as the fact the rule used
    assert "Step counter reached — yes" in shown[: shown.index("How:")]  # what is known

    plain = as_json(*argv)
    assert "cd_step" not in [f["key"] for f in plain["facts"]]
    assert "cd_step" not in _rule_facts(plain["explanation"]["how"]["rules"][0])
    full = as_json(*argv, "--all")
    assert "cd_step" in [f["key"] for f in full["facts"]]
    assert "cd_step" in _rule_facts(full["explanation"]["how"]["rules"][0])


def test_a_batch_leaves_internal_facts_out_unless_all() -> None:
    stdin = '{"intake": {"complaint": "demo_trouble"}, "answers": {"demo_what": "smoke"}}\n'
    for extra, present in (((), False), (("--all",), True)):
        code, out, err = run("--packs", DEMO, "--answers", "-", "--json", *extra, stdin=stdin)
        assert code == 0, err
        keys = [f["key"] for f in json.loads(out)["facts"]]
        assert ("demo_step_counter" in keys) is present and "demo_hardware_sign" in keys


# ---- item 6: what rules say ---------------------------------------------------------------


SAID = "Ann reports: The screen is frozen. Keep the device on {for the log}."


def test_diagnose_shows_what_rules_say_as_a_guided_session_does() -> None:
    code, out, err = run("--packs", DEMO, *ASK, "-a", "demo_what=frozen")
    assert code == 0, err
    assert out.startswith(f"» {SAID}\n\nDiagnosis at Line 1: Firmware hang")
    assert as_json("--packs", DEMO, *ASK, "-a", "demo_what=frozen")["said"] == [SAID]
    ru = as_json("--packs", DEMO, *ASK, "-a", "demo_what=frozen", "--lang", "ru")
    assert ru["said"] == ["Ann сообщает: Экран завис. Не выключайте устройство {для журнала}."]
    # nothing said when the rule does not fire
    assert as_json("--packs", DEMO, *ASK, "-a", "demo_what=smoke")["said"] == []


def test_a_batch_shows_what_rules_say_for_each_case() -> None:
    intake = '{"intake": {"complaint": "demo_trouble", "customer": "Ann"}, '
    stdin = "".join(intake + f'"answers": {{"demo_what": "{v}"}}}}\n' for v in ("frozen", "smoke"))
    code, out, err = run("--packs", DEMO, "--answers", "-", "--json", stdin=stdin)
    assert code == 0, err
    assert [json.loads(x)["said"] for x in out.splitlines()] == [[SAID], []]
    code, out, err = run("--packs", DEMO, "--answers", "-", stdin=stdin)
    assert code == 0, err
    first, second = out.split("== <stdin>:2")
    assert f"» {SAID}" in first and "»" not in second


# ---- item 21: fix outcomes and repeated questions ---------------------------------------


def test_a_failed_fix_given_as_an_answer_drives_the_rules() -> None:
    data = as_json("--packs", DEMO, *ASK, "-a", "demo_what=cable", "-a", "demo_cable_result=failed")
    assert data["outcome"]["fault"] == "demo_port"
    assert data["ruled_out"] == ["demo_cable"]  # as the guided session rules it out
    fix = [f for f in data["facts"] if f["key"] == "demo_cable_result"]
    assert [(f["value"], f["source"]) for f in fix] == [("failed", "fix")]
    worked = as_json(
        "--packs", DEMO, *ASK, "-a", "demo_what=cable", "-a", "demo_cable_result=worked"
    )
    assert worked["outcome"]["fault"] == "demo_cable" and worked["ruled_out"] == []


def test_a_fix_outcome_in_an_answers_file_and_its_errors(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        "intake: {complaint: demo_trouble}\n"
        "answers: {demo_what: cable, demo_cable_result: Failed}\n",
        encoding="utf-8",
    )
    assert as_json("--packs", DEMO, "--answers", str(case))["outcome"]["fault"] == "demo_port"
    case.write_text(
        "intake: {complaint: demo_trouble}\n"
        "answers: {demo_what: cable, demo_cable_result: maybe}\n",
        encoding="utf-8",
    )
    code, _, err = run("--packs", DEMO, "--answers", str(case))
    assert code == 2
    assert "case.yaml:2:" in err and "answers.demo_cable_result" in err
    assert "'maybe' is not an outcome of the fix" in err and "worked or failed" in err
    code, _, err = run("--packs", DEMO, *ASK, "-a", "demo_cable_reslt=failed")
    assert code == 3 and "did you mean 'demo_cable_result'" in err


def test_a_golden_case_can_give_a_fix_outcome(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    (folder / "golden").mkdir(parents=True)
    (folder / "conclusions.yaml").write_text(Path(DEMO).read_text(encoding="utf-8"))
    (folder / "golden" / "port.yaml").write_text(
        "intake: {complaint: demo_trouble}\n"
        "answers: {demo_what: cable, demo_cable_result: failed}\n"
        "expect: {fault: demo_port}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["test", str(folder), "--packs", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    assert '"ok": true' in result.stdout


def test_a_repeated_question_answered_once_is_its_last_answer() -> None:
    # the guided session asks demo_light again until yes, at most 3 times; given answers
    # hold the last answer: "no" is the loop run out (the fault), "yes" the way out
    no = as_json("--packs", DEMO, *ASK, "-a", "demo_what=no_light", "-a", "demo_light=no")
    assert no["outcome"]["kind"] == "escalate" and no["outcome"]["fault"] == "demo_board"
    yes = as_json("--packs", DEMO, *ASK, "-a", "demo_what=no_light", "-a", "demo_light=yes")
    assert yes["outcome"]["fault"] == "demo_recovered"


def test_explain_leaves_internal_facts_out_of_how_unless_all(tmp_path: Path) -> None:
    pack = tmp_path / "counted.yaml"
    pack.write_text(COUNTED, encoding="utf-8")
    argv = ["explain", "--packs", str(pack), "-i", "complaint=cd_trouble", "-a", "cd_light=no"]
    hidden = CliRunner().invoke(cli, [*argv, "--json"])
    shown = CliRunner().invoke(cli, [*argv, "--json", "--all"])
    assert hidden.exit_code == shown.exit_code == 0, hidden.output + shown.output
    assert "cd_step" not in _rule_facts(json.loads(hidden.stdout)["how"]["rules"][0])
    assert "cd_step" in _rule_facts(json.loads(shown.stdout)["how"]["rules"][0])
    text = CliRunner().invoke(cli, [*argv, "--all"]).stdout
    assert "Step counter reached — yes" in text
