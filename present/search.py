"""Finding a fault or a complaint from what a person typed: an id, or words of its title."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from present.views import Candidate
from rules.knowledge import KnowledgeBase
from rules.text import Text

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_FUZZY = 5


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def search(entries: Iterable[tuple[str, Text]], typed: str, lang: str) -> list[Candidate]:
    """Entries whose id is `typed`, else whose id or title (either language) contains every
    word typed (prefixes count), else the closest few by spelling. Title order."""
    items = [(ident, text) for ident, text in entries]
    wanted = typed.strip()
    exact = [Candidate(ref=i, title=t.get(lang)) for i, t in items if i == wanted]
    if exact or not wanted:
        return exact
    needles = _words(wanted)
    found = []
    for ident, text in items:
        hay = _words(ident.replace("_", " ")) + _words(text.en) + _words(text.ru or "")
        if all(any(word.startswith(n) or n in word for word in hay) for n in needles):
            found.append(Candidate(ref=ident, title=text.get(lang)))
    if not found:
        names = {i: i for i, _ in items} | {t.get(lang).casefold(): i for i, t in items}
        close = difflib.get_close_matches(wanted.casefold(), list(names), n=MAX_FUZZY, cutoff=0.6)
        chosen = dict.fromkeys(names[c] for c in close)
        found = [Candidate(ref=i, title=t.get(lang)) for i, t in items if i in chosen]
    return sorted(found, key=lambda c: (c.title.casefold(), c.ref))


def find_faults(kb: KnowledgeBase, typed: str, lang: str) -> list[Candidate]:
    return search(((f.id, f.title) for f in kb.faults.values()), typed, lang)


def find_complaints(kb: KnowledgeBase, typed: str, lang: str) -> list[Candidate]:
    return search(((s.id, s.title) for s in kb.symptoms.values()), typed, lang)
