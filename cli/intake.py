"""The intake of a guided session: options checked before anything is asked, then the
missing fields prompted for (numbered choices; the complaint menu searchable by words)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cli.console import Terminal
from present.i18n import words
from present.names import channel_label, intake_label, service_form_label
from present.search import find_complaints
from present.text import candidate_lines, options_lines
from present.views import Candidate, Option
from rules.errors import UnknownIdError, did_you_mean
from rules.intake import CHANNELS, SERVICE_FORMS, needed_fields
from rules.knowledge import KnowledgeBase
from rules.numbers import numbered


def check_complaint(kb: KnowledgeBase, given: Mapping[str, Any], line: int, lang: str) -> None:
    """An unknown complaint fails before any prompt, naming the closest complaints."""
    complaint = given.get("complaint")
    if complaint in (None, ""):
        return
    symptoms = kb.for_line(line).symptoms
    if str(complaint) in symptoms:
        return
    hint = did_you_mean(str(complaint), symptoms)
    if hint is None:
        found = find_complaints(kb.for_line(line), str(complaint), lang)[:5]
        if found:
            hint = "did you mean " + " or ".join(f"'{c.ref}' ({c.title})" for c in found) + "?"
    raise UnknownIdError(
        f"unknown complaint '{complaint}' for Line {line}",
        hint=hint or f"the complaints are listed by 'linewise diagnose --line {line}'",
    )


class Intake:
    """Prompts for the intake fields that were not given as options."""

    def __init__(self, term: Terminal, kb: KnowledgeBase, lang: str, line: int) -> None:
        self.term = term
        self.kb = kb.for_line(line)
        self.lang = lang
        self.w = words(lang)

    def complete(self, given: Mapping[str, Any]) -> dict[str, Any]:
        intake = {k: v for k, v in given.items() if v not in (None, "")}
        w = self.w
        for field in needed_fields(p.pack for p in self.kb.packs.values()):
            if field not in intake:
                value = self.term.read(
                    w.t("{label} (empty to skip): ", label=intake_label(field, w))
                )
                if value:
                    intake[field] = value
        if "service_form" not in intake:
            options = [(f, service_form_label(f, w)) for f in SERVICE_FORMS]
            intake["service_form"] = self.choose(intake_label("service_form", w), options)
        if "channel" not in intake:
            options = [(c, channel_label(c, w)) for c in CHANNELS]
            intake["channel"] = self.choose(intake_label("channel", w), options)
        if "complaint" not in intake:
            intake["complaint"] = self.complaint()
        return intake

    def _options(self, options: Sequence[tuple[str, str]]) -> tuple[Option, ...]:
        return tuple(Option(key=str(n), value=v, label=t) for n, (v, t) in enumerate(options, 1))

    def choose(self, label: str, options: Sequence[tuple[str, str]]) -> str:
        """A numbered choice: its number, its words or its id, asked until valid."""
        shown = self._options(options)
        self.term.show(self.term_lines(label + ":", shown))
        self.term.choices = [o.label for o in shown]
        while True:
            raw = self.term.read("> ")
            picked = pick(raw, shown)
            if picked is not None:
                return picked
            hint = did_you_mean(raw, [o.value for o in shown]) if raw else None
            if hint:  # e.g. 'payed': did you mean 'paid'?
                self.term.say(hint, "warn")
                continue
            self.term.say(
                self.w.t(
                    "Please give a number from 1 to {count} or one of: {names}",
                    count=len(shown),
                    names=", ".join(o.label for o in shown),
                ),
                "warn",
            )

    def term_lines(self, label: str, shown: tuple[Option, ...]) -> list[Any]:
        from present.text import wrap

        return wrap(label, self.term.width, 0, 2, "heading") + options_lines(
            shown, self.term.width, 2
        )

    def menu(self, title: str, shown: list[Candidate]) -> None:
        self.term.show(candidate_lines(title, shown, self.term.width, ids=self.term.ids, indent=0))

    def complaint(self) -> str:
        """The complaint menu: a number, an id, or words that narrow the list."""
        w = self.w
        every = sorted(
            (Candidate(ref=s.id, title=s.title.get(self.lang)) for s in self.kb.symptoms.values()),
            key=lambda c: (c.title.casefold(), c.ref),
        )
        shown = every
        label = w.t("Complaint (a number, or words to search):")
        self.menu(label, shown)
        while True:
            self.term.choices = [c.title for c in every]
            raw = self.term.read("> ")
            number = numbered(raw, len(shown))
            if number is not None:
                return shown[number - 1].ref
            exact = [
                c for c in every if raw in (c.ref, c.title) or raw.casefold() == c.title.casefold()
            ]
            if exact:
                return exact[0].ref
            found = find_complaints(self.kb, raw, self.lang) if raw else []
            if len(found) == 1:
                self.term.say(w.t("Complaint: {title}", title=found[0].title), "ok")
                return found[0].ref
            if found:
                shown = found
                title = w.t("{count} complaints match “{words}”:", count=len(found), words=raw)
            else:
                shown = every
                title = w.t("No complaint matches “{words}”; all complaints:", words=raw)
            self.menu(title, shown)


YES = ("y", "д", "да")
NO = ("n", "н", "нет")


def pick(raw: str, options: Sequence[Option]) -> str | None:
    """The option a person meant: its number, its value or its words (any case); for
    yes/no also 'y'/'n' and the Russian 'да'/'нет'/'д'/'н'."""
    text = raw.strip().casefold()
    if [o.value for o in options] == ["yes", "no"] and text in YES + NO:
        return "yes" if text in YES else "no"
    for option in options:  # a key first: a numbered menu's keys are its own numbers
        if text in (option.key, option.value.casefold(), option.label.casefold()):
            return option.value
    number = numbered(text, len(options))
    if number is not None and not any(o.value.isdigit() for o in options):
        return options[number - 1].value
    return None
