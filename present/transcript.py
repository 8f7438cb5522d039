"""A case's whole history as people read it: the intake, each line's session event by
event (question texts and answers in words), and the outcome."""

from __future__ import annotations

from cases.model import Case, CaseSummary, Event
from present.i18n import status_label
from present.names import Namer, intake_fields, intake_label
from present.views import Document, Item, Section
from rules.knowledge import KnowledgeBase


def _time(at: str) -> str:
    return at[11:19] if len(at) >= 19 else at


def event_item(event: Event, namer: Namer) -> Item | None:
    """One event as a sentence (None for the events that only start a session)."""
    w = namer.w
    kind = event.kind
    fault = namer.fault(event.fault) if event.fault else ""
    note = str(event.data.get("note", "")).strip()
    subs: tuple[Item, ...] = (Item(text=w.t("Note: {note}", note=note)),) if note else ()
    if kind in ("answer", "unknown") and event.question:
        value = None if kind == "unknown" else event.value
        text = f"{namer.question(event.question)} — {namer.value(event.question, value)}"
        ref: str | None = event.question
    elif kind == "back" and event.question:
        text = w.t("Took back the answer to “{question}”.", question=namer.question(event.question))
        ref = event.question
    elif kind == "fix_proposed":
        certainty = float(event.data.get("certainty", 0))
        text = w.t(
            "Fix proposed for “{fault}” (certainty {value:.2f}).", fault=fault, value=certainty
        )
        ref = event.fault
    elif kind == "fix_worked":
        text, ref = w.t("The fix for “{fault}” worked: resolved.", fault=fault), event.fault
    elif kind == "fix_failed":
        text, ref = w.t("The fix for “{fault}” did not work: ruled out.", fault=fault), event.fault
    elif kind in ("escalated", "unresolved"):
        handoff = event.data.get("handoff", {})
        if kind == "escalated":
            text = w.t(
                "Escalated to Line {line}: {reason}",
                line=handoff.get("to_line"),
                reason=event.reason,
            )
        else:
            text = w.t("Unresolved at Line {line}: {reason}", line=event.line, reason=event.reason)
        ref = handoff.get("escalation", {}).get("kind")
        if handoff.get("vendor"):
            subs += (Item(text=w.t("Vendor: {vendor}", vendor=handoff["vendor"])),)
        if handoff.get("sla"):
            subs += (
                Item(text=w.t("SLA deadline: {deadline}", deadline=handoff["sla"]["deadline"])),
            )
    elif kind == "quit":
        text, ref = w.t("Left ({reason}); resumable.", reason=event.reason), None
    elif kind == "resumed":
        changed = sorted(event.data.get("packs_changed") or {})
        text = (
            w.t("Resumed on changed packs: {packs}.", packs=", ".join(changed))
            if changed
            else w.t("Resumed.")
        )
        ref = None
    elif kind == "waiting":
        text, ref = w.t("Waiting for the vendor; the SLA clock pauses."), None
    elif kind == "waiting_over":
        text, ref = w.t("The wait is over; the SLA clock runs again."), None
    else:
        return None
    return Item(text=f"{_time(event.at)} · {text}", ref=ref, items=subs)


def transcript_document(case: Case, kb: KnowledgeBase, lang: str) -> Document:
    """Every session of a case, event by event, then how it ended."""
    namer = Namer(kb, lang)
    w = namer.w
    fields = intake_fields(case.intake)
    sections = [
        Section(
            key="intake",
            title=w.t("Intake"),
            items=tuple(
                Item(
                    text=f"{intake_label(f, w)}: {namer.intake_value(f, case.intake[f])}",
                    ref=f"intake.{f}",
                )
                for f in fields
            ),
        )
    ]
    for view in case.sessions():
        items = [event_item(e, namer) for e in view.events[1:]]
        first = view.events[0]
        if first.agent:
            worked = w.t("Worked by {agent}", agent=first.agent)
            if first.channel:
                worked = w.t(
                    "Worked by {agent} ({channel})", agent=first.agent, channel=first.channel
                )
            items.insert(0, Item(text=worked, ref=f"agent.{first.agent}"))
        packs = ", ".join(f"{p} {v}" for p, v in sorted(view.packs.items()))
        sections.append(
            Section(
                key=f"session-{view.line}",
                title=w.t(
                    "Line {line} session ({status}), started {at}; packs: {packs}",
                    line=view.line,
                    status=status_label(view.status, w),
                    at=view.started_at,
                    packs=packs,
                ),
                items=tuple(i for i in items if i is not None),
            )
        )
    outcome = case.outcome()
    if outcome.get("fault"):
        summary = w.t(
            "{status} at Line {line}: {fault}.",
            status=status_label(case.status, w).capitalize(),
            line=case.line,
            fault=namer.fault(str(outcome["fault"])),
        )
    else:
        summary = w.t(
            "{status} at Line {line}.",
            status=status_label(case.status, w).capitalize(),
            line=case.line,
        )
    return Document(
        kind="transcript",
        title=(
            w.t("Case {case}, opened {at} (simulated history)", case=case.id, at=case.opened_at)
            if case.simulated
            else w.t("Case {case}, opened {at}", case=case.id, at=case.opened_at)
        ),
        ref=case.id,
        summary=summary,
        sections=tuple(sections),
    )


def case_list_text(rows: list[CaseSummary], kb: KnowledgeBase, lang: str, *, ids: bool) -> str:
    """`linewise case list` as text: one case a line, its complaint by title (the
    complaint's id in brackets only with `ids`), simulated history marked."""
    namer = Namer(kb, lang)
    w = namer.w
    if not rows:
        return w.t("no cases yet")
    header = (
        f"{w.t('case'):10} {w.t('status'):10} {w.t('line'):4} {w.t('updated'):25} "
        f"{w.t('agent'):12} {w.t('complaint / customer')}"
    )
    lines = [header]
    for row in rows:
        complaint = namer.symptom(row.complaint) if row.complaint else ""
        if complaint and ids:
            complaint += f" [{row.complaint}]"
        who = " / ".join(x for x in (complaint, row.customer) if x)
        mark = f" [{w.t('simulated')}]" if row.simulated else ""
        lines.append(
            f"{row.id:10} {status_label(row.status, w):10} {row.line:<4} {row.updated_at:25} "
            f"{row.agent or '-':12} {who}{mark}"
        )
    return "\n".join(lines)
