"""The terminal session as a person meets it: wrapped, in their language, with notes,
a recap on resume, intake options checked first, and searches by words."""

from __future__ import annotations

import re

from click.testing import CliRunner
from guided_driver import asked, case_json, customer, drive

from cli.console import Terminal, candidates
from cli.main import cli

INTAKE = [
    "--customer",
    "Anna",
    "--location",
    "HQ",
    "--equipment-type",
    "pc",
    "--model",
    "m",
    "--serial",
    "s",
    "--service-form",
    "paid",
    "--channel",
    "phone",
]
WIRED = ["diagnose", *INTAKE, "--complaint", "wired_no_network"]
FAULTY_CABLE = {
    "wired_cable_seated": "yes",
    "wired_neighbours_ok": "yes",
    "wired_link_light": "no",
    "wired_other_cable_works": "yes",
}


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_output_wraps_to_the_terminal_width() -> None:
    typed = "yes\nwhy\nhow\nwhynot cable\nhelp\nquit\n"
    for columns in (80, 50):
        result = CliRunner().invoke(cli, WIRED, input=typed, env={"COLUMNS": str(columns)})
        assert result.exit_code == 0, result.output
        # a terminal ends the prompt's line with the typed answer; a pipe does not echo it
        lines = [line.removeprefix("> ") for line in result.output.splitlines()]
        too_long = [line for line in lines if len(line) > columns]
        assert too_long == [], too_long
        assert any(len(line) > columns - 12 for line in lines)  # it does use the width


def test_russian_ui_strings() -> None:
    typed = "да\nwhy\nнет\nquit\n"
    result = CliRunner().invoke(cli, [*WIRED, "--lang", "ru"], input=typed)
    assert result.exit_code == 0, result.output
    out = _flat(result.output)
    assert "Обращение C-000001 · Линия 1 · Нет сети по кабелю" in out
    assert "В1. Сетевой кабель плотно вставлен с обеих сторон" in out
    assert "да или нет · около 1 мин 1) да 2) нет" in out
    assert "Почему этот вопрос:" in out and "Он выбирает между:" in out
    assert "Вероятная причина: Сетевой кабель отключён или плохо вставлен" not in out
    assert "Обращение C-000001 сохранено (агент вышел)" in out
    for english in ("Why this question", "yes or no", "Saved case", "Likely cause"):
        assert english not in out
    answers = [e["value"] for e in case_json("C-000001")["events"] if e["kind"] == "answer"]
    assert answers == [True, False]


def test_escalation_asks_for_a_note_kept_in_the_case_and_the_handoff() -> None:
    note = "customer travels tomorrow; call before noon"
    result = CliRunner().invoke(cli, WIRED, input=f"yes\nescalate\n{note}\n")
    assert result.exit_code == 0, result.output
    assert "A note for Line 2" in result.output
    out = _flat(result.output)
    assert f"Notes: - Line 1, on escalating: {note}" in out
    escalated = case_json("C-000001")["events"][-1]
    assert escalated["kind"] == "escalated" and escalated["data"]["note"] == note
    assert escalated["data"]["handoff"]["notes"][0]["text"] == note
    # Line 2 receives it with the packet, and the questions by their text
    second = CliRunner().invoke(cli, ["resume", "C-000001"], input="quit\n")
    flat = _flat(second.output)
    assert "Handoff from Line 1 to Line 2" in flat and note in flat
    assert "Line 1 · Is the network cable firmly plugged in" in flat


def test_a_failed_fix_asks_for_a_note() -> None:
    note = "swapped the cable, link light still off"
    result, _ = drive(WIRED, customer(FAULTY_CABLE, fix_works=False, note=note))
    assert result.exit_code == 0, result.output
    assert "What happened when the fix was tried?" in result.output
    events = case_json("C-000001")["events"]
    failed = next(e for e in events if e["kind"] == "fix_failed")
    assert failed["fault"] == "wired_cable_faulty" and failed["data"]["note"] == note
    handoff = next(e for e in events if e["kind"] == "escalated")["data"]["handoff"]
    assert [n["about"] for n in handoff["notes"]][:1] == ["fix_failed"]
    flat = _flat(result.output)
    assert f"Line 1, the fix for “Faulty network cable” did not work: {note}" in flat


def test_resume_shows_a_recap_of_what_is_known() -> None:
    first, _ = drive(WIRED, customer(FAULTY_CABLE, commands={"wired_other_cable_works": ["quit"]}))
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(cli, ["resume", "C-000001"], input="quit\n")
    flat = _flat(second.output)
    recap = flat.split("Case C-000001: what is known")[1]
    assert re.search(r"^ Open at Line 1; \d answers so far\.", recap)
    assert "Intake: - Customer: Anna" in recap and "Form of service: Paid service" in recap
    assert "Line 1 · Do other computers in the same room have network? — yes" in recap
    assert asked(second.output) == ["wired_other_cable_works"]


def test_intake_options_are_checked_before_any_prompt() -> None:
    unknown = CliRunner().invoke(cli, ["diagnose", "--complaint", "wired_no_netwrk"], input="x\n")
    assert unknown.exit_code == 3
    assert "unknown complaint 'wired_no_netwrk'" in unknown.output
    assert "did you mean 'wired_no_network'?" in unknown.output
    assert "Customer" not in unknown.output and "Traceback" not in unknown.output
    words = CliRunner().invoke(cli, ["diagnose", "--complaint", "printer"], input="x\n")
    assert words.exit_code == 3 and "(Nothing comes out of the printer)" in words.output
    form = CliRunner().invoke(
        cli, ["diagnose", "--complaint", "wired_no_network", "--service-form", "payed"], input=""
    )
    assert form.exit_code == 2 and "Customer" not in form.output
    assert "payed" in form.output
    assert case_json_count() == 0


def case_json_count() -> int:
    listing = CliRunner().invoke(cli, ["case", "list"])
    return 0 if "no cases yet" in listing.output else len(listing.output.splitlines()) - 1


def test_the_complaint_menu_is_searched_by_words() -> None:
    typed = ["", "", "", "", "", "2", "1", "print", "zzzz", "out of the printer", "quit"]
    result = CliRunner().invoke(cli, ["diagnose"], input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    out = _flat(result.output)
    assert "2 complaints match “print”: 1) Nothing comes out of the printer 2) Printouts" in out
    assert "No complaint matches “zzzz”; all complaints:" in out
    assert "Complaint: Nothing comes out of the printer" in out
    assert case_json("C-000001")["intake"]["complaint"] == "print_not_printing"


def test_completion_offers_commands_options_and_fault_titles() -> None:
    term = Terminal()
    term.commands = ["why", "whynot", "how", "help"]
    term.choices = ["yes", "no"]
    term.faults = ["Faulty network cable", "Network cable unplugged or loose", "Toner low"]
    assert candidates(term, "wh") == ["why", "whynot"]
    assert candidates(term, "y") == ["yes"]
    assert candidates(term, "whynot cab") == [
        "Faulty network cable",
        "Network cable unplugged or loose",
    ]
    assert candidates(term, "whynot net") == [
        "Network cable unplugged or loose",
        "Faulty network cable",
    ]


def test_colour_only_when_allowed() -> None:
    args = [*WIRED, "--lang", "en"]
    coloured = CliRunner().invoke(cli, args, input="quit\n", env={"FORCE_COLOR": "1"})
    assert "\x1b[" in coloured.output
    plain = CliRunner().invoke(cli, args, input="quit\n", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[36" not in plain.output and "\x1b[32" not in plain.output
    piped = CliRunner().invoke(cli, args, input="quit\n")
    assert "\x1b[" not in piped.output


def test_every_event_of_a_terminal_session_names_the_user_at_the_terminal() -> None:
    """The terminal's agent is $USER on every event, not the session's default label
    (the web names its logged-in agent per request instead)."""
    result = CliRunner().invoke(
        cli, WIRED, input="yes\nescalate\nno link light\n", env={"USER": "alice"}
    )
    assert result.exit_code == 0, result.output
    events = case_json("C-000001")["events"]
    assert events and {e["agent"] for e in events} == {"alice"}
    assert {e["channel"] for e in events} == {"terminal"}
    listing = CliRunner().invoke(cli, ["case", "list", "--agent", "alice"])
    assert "C-000001" in listing.output
