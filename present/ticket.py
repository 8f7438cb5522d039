"""What a helpdesk ticket reads when linewise writes to it: the case it is linked to, the
diagnosis and its fix steps on resolution, the handoff packet on escalation.

The same titles and sentences as the terminal and the web (present.handoff, the fault's
own title and steps), as plain text wrapped for a ticket's comment.
"""

from __future__ import annotations

from cases.model import Case, Event
from engine.handoff import Handoff
from present.handoff import handoff_document
from present.names import Namer
from present.text import document_lines, plain
from present.views import Document, Item, Section
from rules.knowledge import KnowledgeBase

WIDTH = 76


def _link_line(namer: Namer, case_id: str, link: str | None) -> str:
    if link:
        return namer.w.t("linewise case {case}: {link}", case=case_id, link=link)
    return namer.w.t("linewise case {case}", case=case_id)


def opened_comment(case: Case, kb: KnowledgeBase, lang: str, link: str | None) -> tuple[str, str]:
    """(subject, text) of the comment saying which case works the ticket."""
    namer = Namer(kb, lang)
    complaint = str(case.intake.get("complaint") or "")
    subject = namer.w.t("linewise opened case {case}", case=case.id)
    text = "\n".join(
        [
            _link_line(namer, case.id, link),
            namer.w.t("Complaint: {complaint}", complaint=namer.symptom(complaint)),
        ]
    )
    return subject, text


def resolution_comment(
    case: Case, event: Event, kb: KnowledgeBase, lang: str, link: str | None
) -> tuple[str, str]:
    """(subject, text): the fault that was found, the steps that fixed it, the link."""
    namer = Namer(kb, lang)
    w = namer.w
    fault_id = event.fault or ""
    fault = kb.faults.get(fault_id)
    steps = tuple(Item(text=s.get(lang)) for s in fault.fix) if fault is not None else ()
    title = w.t("Resolved at Line {line}: {fault}", line=event.line, fault=namer.fault(fault_id))
    if event.kind == "concluded":  # closed at a conclusion nobody confirmed
        title = w.t(
            "Closed at Line {line} without confirmation: {fault}",
            line=event.line,
            fault=namer.fault(fault_id),
        )
    told = event.kind == "concluded" and fault is not None and fault.description is not None
    said = fault.description.get(lang) if told and fault and fault.description else ""
    listed = w.t("Choices offered") if fault and fault.kind == "alternatives" else w.t("Fix steps")
    doc = Document(
        kind="diagnosis",
        title=title,
        summary=_link_line(namer, case.id, link),
        ref=fault_id,
        sections=(
            *(
                [Section(key="said", title=w.t("Told the customer"), items=(Item(text=said),))]
                if said
                else []
            ),
            Section(key="fix", title=listed, items=steps),
        ),
    )
    return w.t("linewise resolved case {case}", case=case.id), text_of(doc)


def escalation_comment(
    case: Case, event: Event, kb: KnowledgeBase, lang: str, link: str | None
) -> tuple[str, str]:
    """(subject, text): the handoff packet the next line reads, and the link."""
    namer = Namer(kb, lang)
    w = namer.w
    raw = event.data.get("handoff")
    if not isinstance(raw, dict):
        title = w.t("Escalated from Line {line}", line=event.line)
        return title, _link_line(namer, case.id, link)
    packet = Handoff.model_validate(raw)
    doc = handoff_document(packet, kb, lang)
    subject = w.t(
        "linewise escalated case {case} to Line {line}", case=case.id, line=packet.to_line
    )
    return subject, _link_line(namer, case.id, link) + "\n\n" + text_of(doc)


def unresolved_comment(
    case: Case, event: Event, kb: KnowledgeBase, lang: str, link: str | None
) -> tuple[str, str]:
    """(subject, text) when Line 4 could not resolve the case either."""
    text = escalation_comment(case, event, kb, lang, link)[1]
    return Namer(kb, lang).w.t("linewise could not resolve case {case}", case=case.id), text


def text_of(doc: Document) -> str:
    return plain(document_lines(doc, WIDTH))
