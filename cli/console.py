"""The terminal a guided session talks through: wrapped, coloured lines and line input.

Output goes through rich (colour only on a terminal, and never when NO_COLOR is set);
lines are wrapped to the terminal's width by present.text. Input comes from
prompt_toolkit when stdin and stdout are a terminal (line editing, history, completion
of commands, fault names and answer options), else line by line (cli.lines: `input()`,
or a read that a signal can wake), so pipes, scripts and click's CliRunner work as
before. End of input is EOFError, Ctrl-C
KeyboardInterrupt, in both cases.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.text import Text

from cli.lines import read_line
from present.text import Line, wrap

STYLES = {
    "title": "bold",
    "heading": "bold cyan",
    "muted": "dim",
    "ok": "bold green",
    "warn": "yellow",
    "error": "bold red",
    "prompt": "bold",
}


class Terminal:
    """Where a session prints and reads; `choices` and `faults` feed the completion."""

    def __init__(self, *, ids: bool = False) -> None:
        self.console = Console(highlight=False, soft_wrap=True, emoji=False)
        self.ids = ids
        self.commands: Sequence[str] = ()
        self.choices: Sequence[str] = ()
        self.faults: Sequence[str] = ()
        self._prompt: Any = None

    @property
    def width(self) -> int:
        return max(self.console.width, 30)

    @property
    def interactive(self) -> bool:
        try:
            return sys.stdin.isatty() and sys.stdout.isatty()
        except (AttributeError, ValueError):
            return False

    def show(self, lines: Iterable[Line]) -> None:
        for line in lines:
            self.console.print(Text(line.text, style=STYLES.get(line.style, "")))

    def say(self, text: str, style: str = "", indent: int = 2) -> None:
        """One message, wrapped, indented under the question it answers."""
        self.show(wrap(text, self.width, indent, 2, style))

    def blank(self) -> None:
        self.console.print()

    def read(self, prompt: str) -> str:
        """One line (stripped). EOFError at end of input; KeyboardInterrupt on Ctrl-C."""
        if self.interactive:
            return str(self._session().prompt(prompt)).strip()
        return read_line(prompt).strip()

    def _session(self) -> Any:
        if self._prompt is None:
            from prompt_toolkit import PromptSession
            from prompt_toolkit.history import InMemoryHistory

            self._prompt = PromptSession(history=InMemoryHistory(), completer=_completer(self))
        return self._prompt


def candidates(terminal: Terminal, typed: str) -> list[str]:
    """What can follow `typed`: commands and answer options, or fault names after
    'whynot' (by prefix, else by a word inside)."""
    word, space, rest = typed.partition(" ")
    if space and word.lower() in ("whynot", "why-not"):
        pool: Sequence[str] = terminal.faults
        needle = rest
    elif not space:
        pool = [*terminal.commands, *terminal.choices]
        needle = typed
    else:
        return []
    low = needle.casefold()
    first = [c for c in pool if c.casefold().startswith(low)]
    inner = [c for c in pool if len(low) >= 3 and low in c.casefold() and c not in first]
    return first + inner


def _completer(terminal: Terminal) -> Any:
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.document import Document

    class SessionCompleter(Completer):
        def get_completions(self, document: Document, complete_event: Any) -> Iterable[Completion]:
            typed = document.text_before_cursor
            needle = typed.partition(" ")[2] if " " in typed else typed
            for candidate in candidates(terminal, typed):
                yield Completion(candidate, start_position=-len(needle))

    return SessionCompleter()
