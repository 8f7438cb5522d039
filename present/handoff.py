"""The handoff packet as people read it: the reason, the notes, every question with its
answer, what was ruled out, the open hypotheses, the time spent and the SLA clock."""

from __future__ import annotations

from typing import Any

from engine.handoff import Handoff, Note
from present.explain import known_items
from present.names import Namer, service_form_label
from present.views import Document, Item, Section
from rules.knowledge import KnowledgeBase


def shown_value(namer: Namer, key: str, shown: Any) -> str:
    """A value stored as shown ('yes', 'no', an option, 'unknown') in the reader's words."""
    question = namer.kb.questions.get(key)
    if question is not None and question.type == "yesno" and shown in ("yes", "no"):
        return namer.value(key, shown == "yes")
    if shown == "unknown":
        return namer.value(key, None)
    return namer.value(key, shown)


def note_items(notes: list[Note], namer: Namer) -> tuple[Item, ...]:
    w = namer.w
    out = []
    for note in notes:
        if note.about == "fix_failed" and note.fault:
            head = w.t(
                "Line {line}, the fix for “{fault}” did not work",
                line=note.line,
                fault=namer.fault(note.fault),
            )
        else:
            head = w.t("Line {line}, on escalating", line=note.line)
        out.append(Item(text=f"{head}: {note.text}", ref=note.fault))
    return tuple(out)


def question_items(questions: list[dict[str, Any]], namer: Namer) -> tuple[Item, ...]:
    return tuple(
        Item(
            text=namer.w.t("Line {line}", line=q["line"])
            + f" · {namer.question(q['question'])} — "
            + shown_value(namer, q["question"], q["value"]),
            ref=q["question"],
        )
        for q in questions
    )


def by_hand_items(packet: Handoff, namer: Namer) -> tuple[Item, ...]:
    """What the receiving line does with a case it has no guided knowledge for."""
    if packet.guided or packet.to_line > 4:
        return ()
    complaint = next((f["value"] for f in packet.facts if f["key"] == "intake.complaint"), None)
    about = namer.symptom(complaint) if isinstance(complaint, str) else namer.w.t("this case")
    return (
        Item(
            text=namer.w.t(
                "Line {line} has no guided knowledge for “{complaint}”: the case waits in "
                "Line {line}'s queue, and a specialist works it by hand from this handoff.",
                line=packet.to_line,
                complaint=about,
            ),
            ref=complaint if isinstance(complaint, str) else None,
        ),
    )


def handoff_document(
    packet: Handoff, kb: KnowledgeBase, lang: str, *, everything: bool = False
) -> Document:
    """The packet a line hands to the next, in sentences with titles; internal
    (bookkeeping) facts only when `everything` is asked for (the packet keeps them)."""
    namer = Namer(kb, lang)
    w = namer.w
    esc = packet.escalation
    if packet.to_line > 4:
        title = w.t("Unresolved at Line {line}", line=packet.from_line)
    else:
        title = w.t(
            "Handoff from Line {source} to Line {target}",
            source=packet.from_line,
            target=packet.to_line,
        )
    hypotheses = [
        Item(
            text=f"{namer.fault(h.fault)} — "
            + w.t("Line {line}", line=h.line)
            + (", " + w.t("certainty {value:.2f}", value=h.certainty) if h.certainty else "")
            + (
                ", " + w.t("likelihood {value}", value=f"{round(h.probability * 100)}%")
                if h.probability is not None
                else ""
            ),
            ref=h.fault,
        )
        for h in packet.hypotheses
    ]
    others = [
        f
        for f in packet.facts
        if f["source"] != "answer" and (everything or not namer.internal(f["key"]))
    ]
    spent = [
        Item(text=w.t("Line {line}: {minutes} min of questions", line=k, minutes=f"{v:g}"))
        for k, v in packet.minutes_by_line.items()
    ]
    spent.append(
        Item(
            text=w.t(
                "{minutes} min since the case was opened", minutes=f"{packet.elapsed_minutes:g}"
            )
        )
    )
    extra = []
    if packet.vendor:
        extra.append(Item(text=w.t("Vendor: {vendor}", vendor=packet.vendor)))
    if packet.sla is not None:
        sla = packet.sla
        extra.append(
            Item(
                text=w.t(
                    "SLA clock: {form}, opened {opened}, deadline {deadline} "
                    "({hours} h to resolve), {minutes} min gone",
                    form=service_form_label(sla.service_form, w),
                    opened=sla.opened_at,
                    deadline=sla.deadline,
                    hours=f"{sla.resolve_hours:g}",
                    minutes=f"{sla.elapsed_minutes:g}",
                )
            )
        )
    sections = [
        Section(key="by_hand", title=w.t("Worked by hand"), items=by_hand_items(packet, namer)),
        Section(
            key="advice",
            title=w.t("Advice given to the customer"),
            items=(Item(text=packet.advice),) if packet.advice else (),
        ),
        Section(key="notes", title=w.t("Notes"), items=note_items(packet.notes, namer)),
        Section(
            key="questions",
            title=w.t("Questions asked"),
            items=question_items(packet.questions, namer),
        ),
        Section(key="known", title=w.t("Also known"), items=known_items(others, namer)),
        Section(
            key="ruled_out",
            title=w.t("Ruled out"),
            items=tuple(
                Item(text=namer.ruled_out(f, r), ref=f) for f, r in packet.ruled_out.items()
            ),
        ),
        Section(key="hypotheses", title=w.t("Open hypotheses"), items=tuple(hypotheses)),
        Section(key="time", title=w.t("Time spent"), items=tuple(spent)),
        Section(key="vendor", title=w.t("Vendor and SLA"), items=tuple(extra)),
    ]
    return Document(
        kind="handoff",
        title=title,
        ref=esc.kind,
        summary=esc.reason,
        sections=tuple(s for s in sections if s.items),
    )
