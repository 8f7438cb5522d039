"""Views as terminal text: wrapped to a width, each line tagged with a style.

The styles ('title', 'heading', 'muted', 'ok', 'warn', 'error', 'prompt', '') name what a
line is; the terminal maps them to colours (cli.console) or prints them plain. Ids are
shown in brackets only when asked for (`ids=True`).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from present.i18n import words
from present.views import (
    Banner,
    Candidate,
    ConclusionView,
    Document,
    FixView,
    Item,
    Option,
    QuestionView,
)

MIN_WIDTH = 30


@dataclass(frozen=True)
class Line:
    text: str
    style: str = ""


def wrap(text: str, width: int, indent: int = 0, hang: int = 0, style: str = "") -> list[Line]:
    """`text` wrapped to `width`, the first line indented by `indent`, the rest by
    `indent + hang` (for bullets and numbers)."""
    width = max(width, MIN_WIDTH)
    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent + hang),
        break_long_words=True,
        break_on_hyphens=False,
    )
    return [Line(line, style) for line in lines or [""]]


def _ref(ref: str | None, ids: bool) -> str:
    return f" [{ref}]" if ids and ref else ""


def _items(items: tuple[Item, ...], width: int, indent: int, ids: bool) -> list[Line]:
    out: list[Line] = []
    for item in items:
        out += wrap(f"- {item.text}{_ref(item.ref, ids)}", width, indent, 2)
        out += _items(item.items, width, indent + 2, ids)
    return out


def document_lines(doc: Document, width: int, *, ids: bool = False) -> list[Line]:
    """An explanation, handoff or recap: title, summary, then each section's sentences."""
    out = wrap(doc.title + _ref(doc.ref, ids), width, 0, 2, "title")
    if doc.summary:
        out += wrap(doc.summary, width, 2, 0)
    for section in doc.sections:
        out += wrap(section.title + ":", width, 2, 2, "heading")
        out += _items(section.items, width, 4, ids)
    return out


def options_lines(options: tuple[Option, ...], width: int, indent: int) -> list[Line]:
    """Numbered options: on one line when they fit, else one per line."""
    one_line = "   ".join(f"{o.key}) {o.label}" for o in options)
    if len(one_line) + indent <= width and all(len(o.label) <= 12 for o in options):
        return wrap(one_line, width, indent, 0)
    out: list[Line] = []
    for option in options:
        hang = len(option.key) + 2
        out += wrap(f"{option.key}) {option.label}", width, indent, hang)
    return out


def question_lines(q: QuestionView, width: int, lang: str, *, ids: bool = False) -> list[Line]:
    """'Q1. The question text', what kind of answer and how long, the numbered options."""
    w = words(lang)
    head = w.t("Q{number}.", number=q.number) + " "
    out = [Line("")]
    out += wrap(head + q.text, width, 0, len(head), "title")
    meta = f"{q.kind_label} · " + w.t("about {minutes} min", minutes=f"{q.minutes:g}")
    out += wrap(meta + _ref(q.ref, ids), width, len(head), 0, "muted")
    if q.again:
        out += wrap(q.again, width, len(head), 0, "warn")
    out += options_lines(q.options, width, len(head))
    return out


def fix_lines(fix: FixView, width: int, lang: str, *, ids: bool = False) -> list[Line]:
    w = words(lang)
    out = [Line("")]
    out += wrap(
        w.t("Likely cause: {title} ({certainty})", title=fix.title, certainty=fix.certainty_label)
        + _ref(fix.ref, ids),
        width,
        0,
        2,
        "ok",
    )
    out += advice_lines(fix.advice, width, lang)
    out += wrap(w.t("Fix:"), width, 0, 0, "heading")
    for number, step in enumerate(fix.steps, 1):
        out += wrap(f"{number}. {step}", width, 2, len(str(number)) + 2)
    return out


def advice_lines(advice: str | None, width: int, lang: str) -> list[Line]:
    """A conclusion's advice (e.g. a safety instruction), set apart so it is not missed."""
    if not advice:
        return []
    return wrap(words(lang).t("Tell the customer: {advice}", advice=advice), width, 0, 2, "warn")


def said_lines(texts: list[str], width: int) -> list[Line]:
    """What rules say, each message its own paragraph, set apart from the questions."""
    out: list[Line] = []
    for text in texts:
        out += [Line("")] + wrap(f"» {text}", width, 0, 2, "heading")
    return out


def conclusion_lines(
    view: ConclusionView, width: int, lang: str, *, ids: bool = False
) -> list[Line]:
    """A conclusion shown without 'Did the fix work?': its heading, title, what to say,
    the choices to offer (bullets: no order) or the steps (numbered)."""
    w = words(lang)
    out = [Line("")]
    out += wrap(f"{view.heading}: {view.title}{_ref(view.ref, ids)}", width, 0, 2, "ok")
    if view.description:
        out += wrap(view.description, width, 2, 0)
    out += advice_lines(view.advice, width, lang)
    if view.choices:
        out += wrap(w.t("Any one of:"), width, 0, 0, "heading")
        for choice in view.choices:
            out += wrap(f"- {choice}", width, 2, 2)
    for number, step in enumerate(view.steps, 1):
        out += wrap(f"{number}. {step}", width, 2, len(str(number)) + 2)
    return out


def banner_lines(banner: Banner, width: int) -> list[Line]:
    out = wrap(banner.title, width, 0, 2, "title")
    out += wrap(banner.packs, width, 2, 2, "muted")
    out += wrap(banner.commands, width, 0, 2, "muted")
    return out


def candidate_lines(
    title: str, candidates: list[Candidate], width: int, *, ids: bool = False, indent: int = 2
) -> list[Line]:
    """A numbered list of matches under a title (a menu when `indent` is 0)."""
    out = wrap(title, width, indent, 2, "heading" if indent == 0 else "")
    for number, cand in enumerate(candidates, 1):
        text = f"{number}) {cand.title}{_ref(cand.ref, ids)}"
        out += wrap(text, width, indent + 2, len(str(number)) + 2)
    return out


def plain(lines: list[Line]) -> str:
    return "\n".join(line.text.rstrip() for line in lines)
