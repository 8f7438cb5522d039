"""The interactive guided diagnosis: intake, one question at a time, commands at any prompt.

Input is read line by line with `input()`, so the same code serves a terminal, a pipe
and click's CliRunner. End of input means quit (the case is saved and resumable);
Ctrl-C and SIGTERM record a `quit` event too (the case is paused) and exit 130/143.
Every answer is stored by the desk as it is given. A store that fails (a full disk)
is never an invalid answer: the session stops with exit 4, everything before the
failed step saved, and says how to resume.

Commands at any prompt: why, how, whynot FAULT, back, unknown, help, escalate, quit.
To answer a text question with a word that is also a command, prefix it with '='.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from typing import Any, TypeVar

import click

from cases.desk import Desk, LiveCase
from cases.store import SQLStore, StoreError, open_store
from cli.lines import read_line
from cli.render import render_why_not
from cli.signals import Terminated
from cli.transcript import render_handoff, render_reasoning, render_why
from engine.escalation import escalation
from engine.session import Ask, Done, Escalate, ProposeFix
from rules.errors import InvalidInput, LinewiseError, did_you_mean
from rules.intake import CHANNELS, SERVICE_FORMS
from rules.knowledge import KnowledgeBase
from rules.numbers import numbered

F = TypeVar("F")
COMMANDS = (
    "why            which faults and rules this question decides between, and why now\n"
    "how            the reasoning so far\n"
    "whynot FAULT   why a fault is not (yet) concluded\n"
    "back           take back the last answer\n"
    "unknown        the customer cannot tell\n"
    "help           how to check (from the pack) and these commands\n"
    "escalate       hand the case to the next line now\n"
    "quit           save and leave (resume with 'linewise resume CASE')"
)
TEXT_FIELDS = (
    ("customer", "Customer (who is calling)"),
    ("location", "Location"),
    ("equipment_type", "Equipment type"),
    ("equipment_model", "Equipment model"),
    ("equipment_serial", "Serial or asset id"),
)


class Leave(Exception):
    """The agent leaves the session (quit, end of input)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def store_option(func: F) -> F:
    option: Any = click.option(
        "--store",
        "store_path",
        metavar="PATH|URL",
        default=None,
        help="The case store: a SQLite file, or postgresql://USER@HOST/DB for a team "
        "[default: $LINEWISE_STORE, else the user data dir].",
    )
    return option(func)  # type: ignore[no-any-return]


def open_case_store(target: str | None, *, readonly: bool = False) -> SQLStore:
    return open_store(target, readonly=readonly)


def terminal_user() -> str | None:
    """Who is at the terminal: $USER, else the login name (None when nobody can be told)."""
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (OSError, KeyError):
        return None


def read(prompt: str) -> str:
    """One line of input; end of input leaves the session."""
    try:
        return read_line(prompt).strip()
    except EOFError:
        click.echo("")
        raise Leave("end of input") from None


def _choose(label: str, options: list[tuple[str, str]]) -> str:
    """A numbered choice (number or value accepted), asked until valid."""
    click.echo(label + ":")
    for number, (value, title) in enumerate(options, 1):
        click.echo(f"  {number}) {value}" + (f": {title}" if title and title != value else ""))
    values = [v for v, _ in options]
    while True:
        raw = read("> ")
        picked = numbered(raw, len(options))
        if picked is not None:
            return values[picked - 1]
        if raw in values:
            return raw
        hint = did_you_mean(raw, values) if raw else None
        click.echo(
            f"  {hint}"
            if hint
            else f"  please give a number from 1 to {len(options)} or one of: {', '.join(values)}"
        )


def complete_intake(
    kb: KnowledgeBase, given: Mapping[str, Any], lang: str, line: int = 1
) -> dict[str, Any]:
    """Prompt for the intake fields not given as options (text fields may be left empty)."""
    intake = {k: v for k, v in given.items() if v not in (None, "")}
    line_kb = kb.for_line(line)
    for field, label in TEXT_FIELDS:
        if field not in intake:
            value = read(f"{label} (empty to skip): ")
            if value:
                intake[field] = value
    if "service_form" not in intake:
        intake["service_form"] = _choose("Form of service", [(f, "") for f in SERVICE_FORMS])
    if "channel" not in intake:
        intake["channel"] = _choose("Channel", [(c, "") for c in CHANNELS])
    if "complaint" not in intake:
        symptoms = sorted(line_kb.symptoms.items())
        intake["complaint"] = _choose(
            "Complaint", [(sid, s.title.get(lang)) for sid, s in symptoms]
        )
    return intake


def _question_text(step: Ask, lang: str) -> str:
    question = step.question
    if question.type == "yesno":
        kind = "yes/no"
    elif question.type == "choice":
        kind = "choose"
    elif question.type == "number":
        kind = "number" + (f", {question.unit}" if question.unit else "")
    else:
        kind = "text"
    lines = [
        "",
        f"Q{step.number} [{question.id}] ({kind}, ~{question.cost:g} min)",
        f"  {question.text.get(lang)}",
    ]
    for number, option in enumerate(question.options or (), 1):
        lines.append(f"  {number}) {option.value}: {option.text.get(lang)}")
    return "\n".join(lines)


def _command(live: LiveCase, raw: str, context: str) -> bool:
    """Run a command shared by every prompt; False when `raw` is not one of them."""
    word, _, rest = raw.partition(" ")
    word = word.lower()
    if word == "how":
        click.echo(render_reasoning(live.session.how()))
    elif word in ("whynot", "why-not"):
        if not rest.strip():
            click.echo("  usage: whynot FAULT")
        else:
            try:
                click.echo(render_why_not(live.session.why_not(rest.strip())))
            except LinewiseError as err:
                click.echo(f"  {err.render()}")
    elif word == "quit":
        raise Leave("the agent quit")
    elif word == "help":
        click.echo(context + COMMANDS)
    else:
        return False
    return True


def _ask(live: LiveCase, step: Ask, lang: str) -> Escalate | None:
    """One question until it is answered (or a command moves on); an agent's escalation."""
    question = step.question
    click.echo(_question_text(step, lang))
    help_text = f"  how to check: {question.help.get(lang)}\n" if question.help else ""
    while True:
        raw = read("> ")
        if not raw:
            click.echo("  please answer, or type 'help'")
            continue
        word = raw.split(" ", 1)[0].lower()
        if raw.startswith("="):
            raw = raw[1:]
        elif word == "why":
            click.echo(render_why(question.id, step.choice.as_dict()))
            continue
        elif word == "back":
            try:
                undone = live.back()
            except InvalidInput as err:
                click.echo(f"  {err.render()}")
                continue
            click.echo(f"  took back {undone.question}")
            return None
        elif word == "escalate":
            return _agent_escalation(live, step)
        elif _command(live, raw, help_text):
            continue
        if question.type == "choice":
            options = question.options or []
            number = numbered(raw, len(options))
            if number is not None:
                raw = options[number - 1].value
        try:
            live.answer(question.id, raw)
        except InvalidInput as err:  # a store failure is not the answer's fault: it stops
            click.echo(f"  invalid answer: {err.render()}")
            click.echo(f"  {question.text.get(lang)}")
            continue
        return None


def _agent_escalation(live: LiveCase, step: Ask | ProposeFix) -> Escalate:
    diag = step.diagnosis
    session = live.session
    top = diag.top.id if diag.top is not None and diag.top.certainty > 0 else None
    esc = escalation("agent", session.line, session.lang)
    return Escalate(esc, top, diag, final=session.line >= 4)


def _propose(live: LiveCase, step: ProposeFix, lang: str) -> Escalate | None:
    fault = step.fault
    live.propose(fault.id, fault.certainty)
    click.echo("")
    click.echo(f"Diagnosis: {fault.title} [{fault.id}], certainty {fault.certainty:.2f}")
    click.echo("Fix:")
    for number, text in enumerate(fault.fix, 1):
        click.echo(f"  {number}. {text}")
    while True:
        raw = read("Did the fix work? (yes/no) > ")
        word = raw.split(" ", 1)[0].lower()
        if word in ("yes", "y", "да", "no", "n", "нет"):
            worked = word in ("yes", "y", "да")
            live.fix(fault.id, worked)
            click.echo(
                "  resolved." if worked else f"  {fault.id} is ruled out; the diagnosis goes on."
            )
            return None
        if word == "why":
            click.echo(
                f"  {fault.id} is firm: certainty {fault.certainty:.2f} by "
                f"{', '.join(fault.rules)} (type 'how' for the whole reasoning)"
            )
        elif word == "back":
            try:
                click.echo(f"  took back {live.back().question}")
            except InvalidInput as err:
                click.echo(f"  {err.render()}")
                continue
            return None
        elif word == "escalate":
            return _agent_escalation(live, step)
        elif not _command(live, raw, ""):
            click.echo("  please answer yes or no, or type 'help'")


def run(live: LiveCase, lang: str) -> int:
    """Drive a live case until it ends or the agent leaves; returns the exit code.

    Ctrl-C / SIGTERM pause the case (a `quit` event) and go on to cli.main, which exits
    130 / 143; a store failure stops the session with a StoreError (exit 4) that says
    what is saved and how to resume."""
    try:
        return _drive(live, lang)
    except (KeyboardInterrupt, Terminated) as stop:
        reason = "terminated" if isinstance(stop, Terminated) else "interrupted"
        try:
            live.quit(reason)
        except StoreError:
            stop.add_note(f"case {live.case_id} stays open (the store could not record it)")
        else:
            stop.add_note(f"case {live.case_id} is saved")
        stop.add_note(f"resume with: linewise resume {live.case_id}")
        raise
    except StoreError as err:
        raise StoreError(
            f"{err.message}; the session of case {live.case_id} stopped, and everything "
            "before the failed step is saved",
            hint=f"once the store can be written again, continue with: "
            f"linewise resume {live.case_id}",
        ) from err


def _drive(live: LiveCase, lang: str) -> int:
    session = live.session
    packs = ", ".join(f"{p} {v}" for p, v in sorted(session.compiled.kb.versions().items()))
    click.echo(f"Case {live.case_id}, Line {session.line} ({packs})")
    click.echo(
        "Commands at any prompt: why, how, whynot FAULT, back, unknown, help, escalate, quit"
    )
    incoming = live.handoff_in()
    if incoming is not None:
        click.echo(render_handoff(incoming))
    try:
        while True:
            step = session.step()
            if isinstance(step, Ask):
                forced = _ask(live, step, lang)
            elif isinstance(step, ProposeFix):
                forced = _propose(live, step, lang)
            elif isinstance(step, Escalate):
                forced = step
            else:
                return _done(live, step)
            if forced is not None:
                return _escalated(live, forced)
    except Leave as leave:
        live.quit(leave.reason)
        click.echo(
            f"Saved case {live.case_id} ({leave.reason}); "
            f"resume with: linewise resume {live.case_id}"
        )
        return 0


def _escalated(live: LiveCase, step: Escalate) -> int:
    packet = live.escalate(step)
    click.echo("")
    click.echo(render_handoff(packet))
    if step.final:
        click.echo(f"Case {live.case_id} is unresolved at Line {live.line}.")
    else:
        click.echo(
            f"Case {live.case_id} is escalated to Line {packet.to_line}; "
            f"continue there with: linewise resume {live.case_id}"
        )
    return 0


def _done(live: LiveCase, step: Done) -> int:
    click.echo(f"Case {live.case_id} is {step.status}" + (f": {step.fault}" if step.fault else ""))
    return 0


def start(
    kb: KnowledgeBase,
    store_path: str | None,
    intake: Mapping[str, Any],
    *,
    threshold: float,
    lang: str,
    line: int = 1,
) -> int:
    """Open a case from the intake (prompting for what is missing) and guide it."""
    kb.for_line(line)  # an unknown line fails before any prompt
    try:
        values = complete_intake(kb, intake, lang, line)
    except Leave:
        click.echo("Input ended before the intake was complete; no case was opened.")
        return 0
    except (KeyboardInterrupt, Terminated) as stop:
        stop.add_note("the intake was not complete; no case was opened")
        raise
    desk = Desk(
        open_case_store(store_path),
        kb,
        threshold=threshold,
        lang=lang,
        agent=terminal_user(),
        channel="terminal",
    )
    live = desk.open(values, line)
    return run(live, lang)


def resume(
    kb: KnowledgeBase,
    store_path: str | None,
    case_id: str,
    *,
    threshold: float,
    lang: str,
    allow_pack_change: bool,
) -> int:
    desk = Desk(
        open_case_store(store_path),
        kb,
        threshold=threshold,
        lang=lang,
        agent=terminal_user(),
        channel="terminal",
    )
    live = desk.resume(case_id, allow_pack_change=allow_pack_change)
    return run(live, lang)
