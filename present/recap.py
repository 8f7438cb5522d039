"""The recap of a case: the intake and what is known, as a person resuming it reads it."""

from __future__ import annotations

from cases.model import Case
from cases.recorded import case_notes, replay
from present.handoff import note_items, question_items
from present.i18n import status_label
from present.names import Namer, intake_fields, intake_label
from present.views import Document, Item, Section
from rules.knowledge import KnowledgeBase


def recap_document(case: Case, kb: KnowledgeBase, lang: str) -> Document:
    """Where a case stands: its intake, the answers so far, what was ruled out, the notes."""
    namer = Namer(kb, lang)
    w = namer.w
    record, _ = replay(case)
    fields = intake_fields(case.intake)
    intake = tuple(
        Item(
            text=f"{intake_label(f, w)}: {namer.intake_value(f, case.intake[f])}",
            ref=f"intake.{f}",
        )
        for f in fields
    )
    answers = question_items([a.as_dict() for a in record.asked], namer)
    ruled = tuple(
        Item(text=namer.ruled_out(f, reason), ref=f) for f, reason in record.ruled_out.items()
    )
    sections = [
        Section(key="intake", title=w.t("Intake"), items=intake),
        Section(key="answers", title=w.t("Answers so far"), items=answers),
        Section(key="ruled_out", title=w.t("Ruled out"), items=ruled),
        Section(key="notes", title=w.t("Notes"), items=note_items(case_notes(case), namer)),
    ]
    summary = w.n(
        "{status} at Line {line}; {count} answer so far.",
        "{status} at Line {line}; {count} answers so far.",
        len(record.asked),
        status=status_label(case.status, w).capitalize(),
        line=case.line,
    )
    if not record.asked:
        summary = w.t(
            "{status} at Line {line}; nothing asked yet.",
            status=status_label(case.status, w).capitalize(),
            line=case.line,
        )
    return Document(
        kind="recap",
        title=w.t("Case {case}: what is known", case=case.id),
        ref=case.id,
        summary=summary,
        sections=tuple(s for s in sections if s.items),
    )
