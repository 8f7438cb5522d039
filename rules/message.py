"""Messages a pack shows mid-dialogue (`say:`), with known facts filled in safely.

A message is plain text in which `{name}` stands for the value of a question, a derived
fact or an intake field (`{intake.customer}`); `{{` and `}}` are literal braces. Nothing
else is interpreted: no attribute access, no indexing, no format specifications, so a
message is data and can never reach into the program (str.format would). A name that
is not yet known is shown as "…" (the message is shown once, when its rule fires).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from rules.errors import Diagnostic, did_you_mean
from rules.source import PathKey, SourceMap

if TYPE_CHECKING:
    from rules.knowledge import KnowledgeBase

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
NAME = re.compile(r"^(?:intake\.)?[a-z][a-z0-9_]*$")
MAX_PLACES = 20
NOT_KNOWN = "…"


class MessageError(ValueError):
    """A message that is not plain text with `{name}` places."""


def places(text: str) -> Iterator[str]:
    """The names a message refers to, in order (MessageError for a malformed place)."""
    count = 0
    for match in PLACEHOLDER.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            raise MessageError(
                f"a lone '{token}' in a message: write '{token * 2}' for a brace, or "
                "{name} for a value"
            )
        if not NAME.match(name):
            raise MessageError(
                f"'{{{name}}}' is not a place for a value: write {{question_id}}, "
                "{fact_id} or {intake.field} (nothing else is interpreted)"
            )
        count += 1
        if count > MAX_PLACES:
            raise MessageError(f"a message has at most {MAX_PLACES} places for values")
        yield name


def fill(text: str, value_of: Callable[[str], str | None]) -> str:
    """The message with each `{name}` replaced by `value_of(name)` ('…' when unknown)."""

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        if name is None or not NAME.match(name):
            return token
        shown = value_of(name)
        return NOT_KNOWN if shown is None else shown

    return PLACEHOLDER.sub(one, text)


def check_places(
    kb: KnowledgeBase, smap: SourceMap, path: PathKey, texts: list[str], out: list[Diagnostic]
) -> None:
    """Every `{name}` in a message names a question, a derived fact or an intake field."""
    from rules.intake import INTAKE_FIELDS  # rules.intake needs the pack models first

    names = list(kb.questions) + list(kb.facts) + [f"intake.{f}" for f in INTAKE_FIELDS]
    for name in sorted({n for text in texts for n in places(text)}):
        if name not in kb.questions and name not in kb.facts:
            if name.removeprefix("intake.") in INTAKE_FIELDS and name.startswith("intake."):
                continue
            out.append(
                smap.diagnostic(
                    path,
                    f"unknown name '{{{name}}}' in the message",
                    hint=did_you_mean(name, names)
                    or "name a question, a fact, or intake.FIELD (e.g. {intake.customer})",
                    code="E021",
                )
            )
