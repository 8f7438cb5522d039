"""What a case's events write to its ticket, queued in the outbox in the event's order.

opened         a comment naming the case (and its link)
escalated      the handoff packet as a comment; the ticket moves to the next line's queue
waiting        the ticket's waiting status (the helpdesk's SLA clock pauses, like ours)
waiting_over   the ticket's open status again
fix_worked     the diagnosis and fix steps as a comment; the ticket is resolved with the
               fault, the pack versions and the case id in its custom fields
unresolved     the handoff as a comment (Line 4 could not resolve it)

Each write's key is made of the ticket, the case and the event's number, so pushing the
same events twice queues nothing new.
"""

from __future__ import annotations

from typing import Any

from cases.model import Case, Event, SessionView
from cases.store import SQLStore
from helpdesk import ledger
from helpdesk.connector import Action, Write
from helpdesk.mapping import Mapping
from present import ticket as words
from rules.knowledge import KnowledgeBase


def _key(mapping: Mapping, ticket: str, case_id: str, seq: int, action: Action) -> str:
    return f"{mapping.helpdesk}:{ticket}:{case_id}:{seq}:{action}"


def writes_for(
    case: Case, event: Event, ticket: str, mapping: Mapping, kb: KnowledgeBase
) -> list[Write]:
    """The writes one event of a case makes to its ticket, in order."""
    link = mapping.link(case.id)
    lang = mapping.lang
    out: list[Write] = []

    def add(action: Action, payload: dict[str, Any]) -> None:
        out.append(
            Write(_key(mapping, ticket, case.id, event.seq, action), ticket, action, payload)
        )

    def comment(subject_text: tuple[str, str]) -> None:
        subject, text = subject_text
        add("comment", {"subject": subject, "text": text})

    if event.kind == "opened":
        comment(words.opened_comment(case, kb, lang, link))
    elif event.kind == "escalated":
        comment(words.escalation_comment(case, event, kb, lang, link))
        to_line = int(event.data.get("handoff", {}).get("to_line", event.line + 1))
        queue = mapping.lines.get(to_line)
        if queue:
            add("move", {"queue": queue})
    elif event.kind == "waiting":
        add("wait", {"status": mapping.statuses.waiting})
    elif event.kind == "waiting_over":
        add("resume", {"status": mapping.statuses.resumed})
    elif event.kind == "fix_worked":
        comment(words.resolution_comment(case, event, kb, lang, link))
        fields = _fields(case, event, mapping, kb)
        add("resolve", {"status": mapping.statuses.resolved, "fields": fields})
    elif event.kind == "unresolved":
        comment(words.unresolved_comment(case, event, kb, lang, link))
    return out


def _fields(case: Case, event: Event, mapping: Mapping, kb: KnowledgeBase) -> dict[str, str]:
    fields: dict[str, str] = {}
    if mapping.fields.fault and event.fault:
        fault = kb.faults.get(event.fault)
        fields[mapping.fields.fault] = fault.title.get(mapping.lang) if fault else event.fault
    if mapping.fields.packs:
        session = case.current_session()
        packs = _used(session, kb) if session is not None else {}
        fields[mapping.fields.packs] = ", ".join(f"{p} {v}" for p, v in sorted(packs.items()))
    if mapping.fields.case:
        fields[mapping.fields.case] = case.id
    return fields


def _used(session: SessionView, kb: KnowledgeBase) -> dict[str, str]:
    """The packs whose knowledge this session used, with their versions: the packs of the
    questions it asked and of the faults it proposed (not every pack of the line)."""
    ids = {i for e in session.events for i in (e.question, e.fault) if i is not None}
    used = {kb.owner[i] for i in ids if i in kb.owner}
    return {p: v for p, v in session.packs.items() if p in used}


def push(store: SQLStore, mapping: Mapping, kb: KnowledgeBase, at: str) -> int:
    """Queue the writes of every linked case's events not pushed yet; how many were new.
    Each case's writes and its new push mark are stored in one transaction."""
    with store.reading() as conn:
        linked = [link for link in ledger.links(conn, mapping.helpdesk) if link.case_id]
    queued = 0
    for link in linked:
        case = store.load(link.case_id)
        fresh = [e for e in case.events if e.seq > link.pushed_seq]
        if not fresh:
            continue
        writes = [w for e in fresh for w in writes_for(case, e, link.ticket, mapping, kb)]
        with store.writing() as conn:
            queued += ledger.enqueue(conn, mapping.helpdesk, case.id, writes, at)
            ledger.pushed(conn, link, fresh[-1].seq)
    return queued
