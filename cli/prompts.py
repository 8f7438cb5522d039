"""What every prompt of a guided session shares: reading a line (end of input leaves),
an optional note, showing a document, and the commands that work at any prompt (how,
whynot FAULT, recap, ids, help, quit). cli.guided builds the session's steps on it."""

from __future__ import annotations

from cases.desk import LiveCase
from cli.console import Terminal
from present.explain import how_document, whynot_document
from present.i18n import words
from present.question import COMMANDS, command_help
from present.recap import recap_document
from present.search import find_faults
from present.text import candidate_lines, document_lines
from present.views import Candidate, Document
from rules.numbers import numbered


class Leave(Exception):
    """The agent leaves the session (quit, end of input)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Prompts:
    """What every prompt of a guided session shares: reading input, showing documents,
    and the commands that work anywhere (how, whynot, recap, ids, help, quit)."""

    def __init__(self, live: LiveCase, lang: str, term: Terminal) -> None:
        self.live = live
        self.lang = lang
        self.term = term
        self.w = words(lang)
        self.kb = live.session.compiled.kb
        self.everything = False  # 'all': internal (bookkeeping) facts in HOW and handoffs
        self.last_found: list[Candidate] = []
        term.commands = [c.split(" ")[0] for c in COMMANDS]
        term.faults = sorted(f.title.get(lang) for f in self.kb.faults.values())

    # ---- reading ------------------------------------------------------------------------

    def read(self, prompt: str = "> ") -> str:
        try:
            return self.term.read(prompt)
        except EOFError:
            self.term.blank()
            raise Leave("end of input") from None

    def note(self, prompt: str) -> str:
        """An optional note (empty for none)."""
        self.term.say(prompt, "muted", 0)
        return self.read(self.w.t("Note") + " > ")

    def doc(self, doc: Document) -> None:
        self.term.show(document_lines(doc, self.term.width, ids=self.term.ids))

    # ---- commands shared by every prompt ------------------------------------------------

    def command(self, raw: str, help_lines: str = "") -> bool:
        """Run a command shared by every prompt; False when `raw` is not one of them."""
        word, _, rest = raw.partition(" ")
        word = word.lower()
        w = self.w
        if word == "how":
            everything = self.everything or rest.strip().lower() == "all"
            self.doc(how_document(self.live.session, everything=everything))
        elif word == "all":
            self.everything = not self.everything
            shown = w.t("Internal facts are shown.")
            self.term.say(shown if self.everything else w.t("Internal facts are hidden."))
        elif word in ("whynot", "why-not"):
            self.why_not(rest.strip())
        elif word == "recap":
            self.doc(recap_document(self.live.case(), self.kb, self.lang))
        elif word == "ids":
            self.term.ids = not self.term.ids
            self.term.say(w.t("Ids are shown.") if self.term.ids else w.t("Ids are hidden."))
        elif word == "quit":
            raise Leave("the agent quit")
        elif word == "help":
            if help_lines:
                self.term.say(w.t("How to check: {help}", help=help_lines))
            for name, text in command_help(w):
                self.term.say(f"{name:13} {text}", indent=2)
        else:
            return False
        return True

    def why_not(self, typed: str) -> None:
        """WHY NOT a fault named by id, by a number from the last list, or by words."""
        w = self.w
        if not typed:
            self.term.say(w.t("Usage: whynot FAULT (an id, or words of its title)"), "warn")
            return
        number = numbered(typed, len(self.last_found)) if self.last_found else None
        if number is not None:
            found = [self.last_found[number - 1]]
        else:
            found = find_faults(self.kb, typed, self.lang)
        if len(found) == 1:
            self.doc(whynot_document(self.live.session, found[0].ref))
            return
        if not found:
            self.term.say(w.t("No fault matches “{words}”.", words=typed), "warn")
            return
        self.last_found = found
        title = w.t("Several faults match “{words}”; type whynot and a number:", words=typed)
        self.term.show(candidate_lines(title, found, self.term.width, ids=self.term.ids))
