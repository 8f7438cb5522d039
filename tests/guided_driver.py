"""Driving the real `linewise` command like a person at the keyboard.

`drive` runs the command in click's CliRunner with an input stream that answers each
prompt from what the command has printed so far, so a test can answer whatever the
session asks (which the test does not know in advance) - the way a customer would.
"""

from __future__ import annotations

import functools
import io
import json
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cli.main import cli
from rules.knowledge import KnowledgeBase, load_knowledge

QUESTION = re.compile(r"^(?:Q|В)\d+\. ", re.MULTILINE)
FIX = re.compile(r"^(?:Likely cause|Вероятная причина): ", re.MULTILINE)
FIX_PROMPT = "Did the fix work? (yes/no) > "
NOTE_PROMPT = "Note > "
GUIDED_PACKS = Path(__file__).resolve().parent / "data" / "guided"
Respond = Callable[[str], str | None]


@functools.cache
def _knowledge() -> tuple[KnowledgeBase, ...]:
    return (load_knowledge(), load_knowledge([GUIDED_PACKS]))


def _flat(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def _texts(kind: str) -> tuple[tuple[str, str], ...]:
    """(words, id) for every question text or fault title, English and Russian,
    longest first (so that a text that starts another is not taken for it)."""
    pairs: set[tuple[str, str]] = set()
    for kb in _knowledge():
        items = kb.questions.values() if kind == "question" else kb.faults.values()
        for item in items:
            text = item.text if kind == "question" else item.title  # type: ignore[union-attr]
            pairs.update((_flat(text.get(lang)), item.id) for lang in ("en", "ru"))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


SHOWN_ID = re.compile(r"^[^\n]*\[(\w+)\]$", re.MULTILINE)


def _named(output: str, start: re.Pattern[str], kind: str) -> list[str]:
    """The ids of the questions (or faults) shown: in brackets when the session shows ids
    (`--ids`; two packs may ask the same words), else recognised from their words."""
    found = []
    for match in start.finditer(output):
        block = output[match.end() : match.end() + 600]
        block = block.split("\n\n", 1)[0].split("\n> ", 1)[0]
        shown_id = SHOWN_ID.search(block)
        if shown_id is not None:
            found.append(shown_id.group(1))
            continue
        shown = _flat(block)
        found.append(next((i for text, i in _texts(kind) if shown.startswith(text)), "?"))
    return found


class _Keyboard(io.RawIOBase):
    """A stdin whose next line is decided from the output printed so far."""

    def __init__(self, respond: Respond, limit: int = 300) -> None:
        self.respond = respond
        self.limit = limit
        self.typed: list[str] = []

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        sys.stdout.flush()
        seen = sys.stdout.buffer.getvalue().decode("utf-8", "replace")  # type: ignore[attr-defined]
        if len(self.typed) >= self.limit:
            return 0
        line = self.respond(seen)
        if line is None:
            return 0
        self.typed.append(line)
        data = (line + "\n").encode("utf-8")
        buffer[: len(data)] = data
        return len(data)


def drive(args: list[str], respond: Respond) -> tuple[Result, list[str]]:
    """Run `linewise ARGS` answering each prompt with `respond(output so far)`."""
    keyboard = _Keyboard(respond)
    result = CliRunner().invoke(cli, args, input=io.BufferedReader(keyboard))
    return result, keyboard.typed


def asked(output: str) -> list[str]:
    """The questions asked, in order, by id (recognised from their text)."""
    return _named(output, QUESTION, "question")


def proposed(output: str) -> list[str]:
    """The faults whose fix was proposed, in order, by id (from their titles)."""
    return _named(output, FIX, "fault")


def show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def customer(
    answers: Mapping[str, Any],
    *,
    fix_works: bool | Callable[[str], bool] = True,
    commands: Mapping[str, list[str]] | None = None,
    note: str = "",
) -> Respond:
    """Answer each question from `answers` ('unknown' when absent), confirm fixes, and
    type `commands[question]` (e.g. ['why']) before answering that question; `note`
    when a note is asked for (escalation, a fix that did not work)."""
    pending = {q: list(c) for q, c in (commands or {}).items()}

    def respond(seen: str) -> str | None:
        if seen.endswith(NOTE_PROMPT):
            return note
        if seen.endswith(FIX_PROMPT):
            fault = proposed(seen)[-1]
            works = fix_works(fault) if callable(fix_works) else fix_works
            return "yes" if works else "no"
        questions = asked(seen)
        if not questions:
            return None
        current = questions[-1]
        if pending.get(current):
            return pending[current].pop(0)
        return show(answers[current]) if current in answers else "unknown"

    return respond


def case_json(case_id: str, *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["case", "show", case_id, "--json", *extra])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def case_id_of(output: str) -> str:
    found = re.search(r"Case (C-\d{6})", output)
    assert found, output
    return found.group(1)
