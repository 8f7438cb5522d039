"""What rules say mid-dialogue, in the reader's words: each message with the values it
names filled in as people read them (an option's text, 'yes', '230 V')."""

from __future__ import annotations

from collections.abc import Iterable

from engine.say import Message
from present.names import Namer
from rules.knowledge import KnowledgeBase
from rules.message import fill


def said_text(message: Message, namer: Namer) -> str:
    """One message in the namer's language, its places filled ('…' where not known)."""

    def value_of(name: str) -> str | None:
        if name not in message.values:
            return None
        return namer.value(name, message.values[name])

    return fill(message.text.get(namer.lang), value_of)


def said_texts(messages: Iterable[Message], kb: KnowledgeBase, lang: str) -> list[str]:
    namer = Namer(kb, lang)
    return [said_text(m, namer) for m in messages]
