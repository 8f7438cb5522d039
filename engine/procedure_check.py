"""`pack check` findings about procedures written as links (rules.procedure):

* W118, an orphan step: a question that leads on with `next:` but that no link leads to
  and that has no `order`, so nothing says when its procedure starts;
* W119, a dead link: a `next:` link to a question that can no longer change the outcome
  after that answer (no rule that can still hold uses it), so the step is always skipped.

Unknown steps and cycles are load errors (E010, E019), reported by `pack validate`.
"""

from __future__ import annotations

from engine.compile import CompiledKnowledge
from engine.finding import Checker, finding
from engine.logic import FactValue
from engine.possible import relevant_questions
from rules.knowledge import KnowledgeBase
from rules.procedure import Link, links


def orphans(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(question, pack) of every step that leads on but that nothing leads to or orders."""
    every = [link for link in links(kb) if link.then in kb.questions]
    led_to = {link.then for link in every}
    starts: dict[str, str] = {}
    for link in every:
        if link.answer is not None:
            starts.setdefault(link.before, link.pack)
    return [
        (question, pack)
        for question, pack in starts.items()
        if question not in led_to and kb.questions[question].order is None
    ]


def dead_links(compiled: CompiledKnowledge) -> list[Link]:
    """The `next:` links to a question that cannot matter after that answer."""
    kb = compiled.kb
    dead: list[Link] = []
    for link in links(kb):
        if link.answer is None or link.then not in kb.questions:
            continue
        value: FactValue = link.answer
        if kb.questions[link.before].type == "yesno":
            value = link.answer == "yes"
        if link.then not in relevant_questions(compiled, {link.before: value}):
            dead.append(link)
    return dead


def check_steps(chk: Checker) -> None:
    for question, pack in orphans(chk.kb):
        chk.at_item(
            "questions",
            question,
            pack,
            "W118",
            f"question '{question}' starts a procedure ('next:') but no link leads to it "
            "and it has no 'order', so nothing says when the procedure starts",
            hint="give the first step 'order: 1', or link to it with 'next:' from the "
            "answer that leads there",
        )
    for link in dead_links(chk.compiled):
        chk.out.append(
            finding(
                chk.kb.packs[link.pack].source,
                link.pack,
                link.path,
                "W119",
                f"after answer '{link.answer}' to '{link.before}', question "
                f"'{link.then}' can no longer change the outcome, so this step is "
                "always skipped",
                hint="link to the question that matters after this answer, or use "
                f"'{link.then}' in a rule that can still hold then",
            )
        )
