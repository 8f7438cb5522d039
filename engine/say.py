"""Messages rules say mid-dialogue (`say:`): which are due after a diagnosis, and with
which known values. The words are filled in by the presentation layer (present.say)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.compile import CompiledKnowledge
from engine.logic import FactValue
from engine.result import Diagnosis
from rules.message import places
from rules.text import Text


@dataclass(frozen=True)
class Message:
    """One `say` of one rule that fired, with the values its places name (known now)."""

    key: str  # 'pack/rule#index': said once per case
    text: Text
    values: dict[str, FactValue] = field(default_factory=dict)


def due(
    compiled: CompiledKnowledge,
    diag: Diagnosis,
    known: Mapping[str, FactValue],
    said: frozenset[str] | set[str] = frozenset(),
) -> list[Message]:
    """The messages of the rules that fired (a fallback only when it applied), in firing
    order, that have not been said yet."""
    refs = compiled.cached("say_rules", lambda: {r.qualified: r.ref.rule for r in compiled.rules})
    out: list[Message] = []
    for firing in diag.trace:
        if firing.status == "fallback_skipped":
            continue
        rule = refs.get(firing.rule)
        for index, then in enumerate(rule.then if rule is not None else ()):
            key = f"{firing.rule}#{index}"
            if then.say is None or key in said:
                continue
            names = {n for text in (then.say.en, then.say.ru or "") for n in places(text)}
            values = {n: known[n] for n in sorted(names) if n in known}
            out.append(Message(key, then.say, values))
    return out
