"""The presentation layer: titles and sentences instead of ids, as JSON-ready data."""

from __future__ import annotations

import json
import re

from cases.desk import Desk
from cases.memstore import MemoryStore
from engine.compile import CompiledKnowledge
from engine.facts import FactSet
from engine.session import Ask, Escalate, Record, Session
from present.explain import how_document, why_document, whynot_document
from present.handoff import handoff_document
from present.question import ask_view
from present.recap import recap_document
from present.search import find_complaints, find_faults
from present.text import document_lines, plain, question_lines
from present.views import Document, Item
from rules.knowledge import KnowledgeBase

ID = re.compile(r"\b[a-z]+_[a-z_]+\b|network-wired/")


def _session(line1: CompiledKnowledge, lang: str = "en", **answers: object) -> Session:
    facts = FactSet()
    facts.intake(line1.kb, "complaint", "wired_no_network")
    session = Session(line1, Record(facts), line=1, lang=lang)
    for question, value in answers.items():
        session.answer(question, value)
    return session


def _texts(doc: Document) -> list[str]:
    def walk(items: tuple[Item, ...]) -> list[str]:
        return [t for i in items for t in [i.text, *walk(i.items)]]

    return [doc.title, doc.summary] + [t for s in doc.sections for t in [s.title, *walk(s.items)]]


def test_question_view_has_text_help_and_numbered_options(line1: CompiledKnowledge) -> None:
    session = _session(line1, wired_cable_seated="yes", wired_link_light="yes")
    session.answer("wired_adapter_enabled", "yes")
    step = session.step()
    while isinstance(step, Ask) and step.question.type != "choice":
        session.answer(step.question.id, "yes")
        step = session.step()
    assert isinstance(step, Ask)
    view = ask_view(step, 1, "en")
    assert view.ref == "wired_ip_kind" and view.kind == "choice"
    assert [o.key for o in view.options] == ["1", "2", "3"]
    assert view.options[1].label == "169.254.x.x (self-assigned)"
    assert view.help and "ipconfig" in view.help
    assert json.loads(view.model_dump_json())["options"][2]["value"] == "none"
    text = plain(question_lines(view, 80, "en"))
    assert "wired_ip_kind" not in text and "3) No address at all" in text
    assert "[wired_ip_kind]" in plain(question_lines(view, 80, "en", ids=True))


def test_why_how_whynot_speak_in_titles_with_ids_aside(line1: CompiledKnowledge) -> None:
    session = _session(line1, wired_cable_seated="yes")
    step = session.step()
    assert isinstance(step, Ask)
    docs = [
        why_document(session, step.question.id),
        how_document(session),
        whynot_document(session, "wired_cable_faulty"),
    ]
    for doc in docs:
        for text in _texts(doc):
            assert not ID.search(text), (doc.kind, text)
        assert Document.model_validate_json(doc.model_dump_json()) == doc
    why, how, whynot = docs
    assert "Faulty network cable" in " ".join(_texts(why))
    assert any(i.ref == "wired_cable_faulty" for s in why.sections for i in s.items)
    assert "Is the network cable firmly plugged in" in " ".join(_texts(how))
    assert whynot.title == "Why not: Faulty network cable" and whynot.summary == "Not concluded."
    blocked = whynot.sections[0].items[0]
    assert blocked.ref == "network-wired/spare_cable_fixes" and "not known yet" in blocked.text


def test_search_takes_ids_partial_words_and_misspellings(shipped_kb: KnowledgeBase) -> None:
    kb = shipped_kb.for_line(1)
    assert [c.ref for c in find_faults(kb, "wired_cable_faulty", "en")] == ["wired_cable_faulty"]
    partial = [c.ref for c in find_faults(kb, "network cab", "en")]
    assert "wired_cable_faulty" in partial and "wired_cable_unplugged" in partial
    assert "wired_cable_faulty" in [c.ref for c in find_faults(kb, "сетевой кабель", "ru")]
    assert "wired_cable_faulty" in [c.ref for c in find_faults(kb, "wired_cabel", "en")]
    assert [c.ref for c in find_complaints(kb, "no network cable", "en")] == ["wired_no_network"]
    assert find_faults(kb, "zzzz qqqq", "en") == []


def test_handoff_and_recap_show_question_texts_answers_and_notes(
    shipped_kb: KnowledgeBase,
) -> None:
    desk = Desk(MemoryStore(), shipped_kb)
    live = desk.open({"complaint": "wired_no_network", "service_form": "paid", "customer": "A"})
    live.answer("wired_cable_seated", "yes")
    live.answer("wired_link_light", "no")
    session = live.session
    from engine.escalation import escalation

    step = Escalate(escalation("agent", 1, "en"), None, session.diagnosis(), final=False)
    packet = live.escalate(step, note="customer is travelling; call after 3 pm")
    doc = handoff_document(packet, shipped_kb, "en")
    text = plain(document_lines(doc, 80))
    assert doc.title == "Handoff from Line 1 to Line 2"
    assert "customer is travelling; call after 3 pm" in text
    assert "Is the small light next to the computer's network port lit or blinking? — no" in (
        " ".join(text.split())
    )
    assert all(len(line) <= 80 for line in text.splitlines())
    recap = recap_document(live.case(), shipped_kb, "en")
    recap_text = " ".join(plain(document_lines(recap, 80)).split())
    assert "Form of service: Paid service" in recap_text
    assert "Complaint: No network over the cable" in recap_text
    assert "Is the network cable firmly plugged in" in recap_text
    assert "call after 3 pm" in recap_text
