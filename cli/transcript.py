"""Text renderings for guided sessions and cases: WHY, HOW, handoff packets, transcripts."""

from __future__ import annotations

from typing import Any

from cases.model import Case, CaseSummary, Event
from engine.handoff import Handoff
from engine.logic import show_value


def _value(value: Any) -> str:
    return show_value(value)


def render_why(question: str, data: dict[str, Any] | None) -> str:
    """WHY this question: which faults and rules it decides between, and why now."""
    if data is None:
        return f"WHY {question}: no question can change the outcome any more"
    lines = [f"WHY {question}:"]
    faults = data["faults"]
    others = [h for h in data["decides"] if h not in faults]
    if faults:
        lines.append("  it decides between the faults: " + ", ".join(faults))
    if others:
        lines.append("  and the outcomes: " + ", ".join(others))
    if data["rules"]:
        lines.append("  through the rules: " + ", ".join(data["rules"]))
    for value, kept in data["splits"].items():
        lines.append(f"  answer {value}: still possible {', '.join(kept) or 'nothing'}")
    lines.append(f"  it comes now because {data['because']}")
    hyps = ", ".join(f"{h['id']} {h['probability']:.2f}" for h in data["hypotheses"])
    lines.append(f"  hypotheses now: {hyps}")
    return "\n".join(lines)


def _fact_line(fact: dict[str, Any]) -> str:
    source = fact["source"]
    origin = {"answer": "answered", "intake": "intake", "derived": "derived by"}.get(source, source)
    by = f" {fact['by']}" if source == "derived" else ""
    return f"  - {fact['key']} = {_value(fact['value'])} ({origin}{by})"


def render_reasoning(data: dict[str, Any]) -> str:
    """HOW: the reasoning so far."""
    lines = ["HOW (the reasoning so far):", " facts:"]
    lines.extend(_fact_line(f) for f in data["facts"])
    if not data["facts"]:
        lines.append("  (none yet)")
    fired = [f for f in data["fired"] if f["status"] == "applied"]
    lines.append(" rules that fired:" if fired else " no rule has fired yet")
    for firing in fired:
        matched = ", ".join(f"{m['key']}={_value(m['value'])}" for m in firing["matched"])
        lines.append(f"  - {firing['rule']}: {matched} -> {'; '.join(firing['effects'])}")
    if data["hypotheses"]:
        lines.append(" hypotheses:")
        for fault in data["hypotheses"]:
            mark = "firm" if fault["firm"] else "weak"
            lines.append(
                f"  - {fault['id']} {fault['certainty']:.2f} ({mark}) "
                f"by {', '.join(fault['rules'])}"
            )
    for fault, reason in data["ruled_out"].items():
        lines.append(f" ruled out: {fault}: {reason}")
    return "\n".join(lines)


def render_handoff(packet: Handoff) -> str:
    esc = packet.escalation
    lines = [
        f"HANDOFF Line {packet.from_line} -> Line {packet.to_line} ({esc.kind}): {esc.reason}",
        " facts:",
    ]
    lines.extend(_fact_line(f) for f in packet.facts)
    if packet.ruled_out:
        lines.append(" ruled out:")
        lines.extend(f"  - {fault}: {reason}" for fault, reason in packet.ruled_out.items())
    if packet.hypotheses:
        lines.append(" open hypotheses:")
        for hyp in packet.hypotheses:
            prob = f", p={hyp.probability:.2f}" if hyp.probability is not None else ""
            lines.append(
                f"  - {hyp.fault} (Line {hyp.line}) certainty {hyp.certainty:.2f}{prob}: "
                f"{hyp.title}"
            )
    lines.append(f" questions asked: {len(packet.questions)}")
    lines.extend(f"  - Line {q['line']}: {q['question']} = {q['value']}" for q in packet.questions)
    spent = ", ".join(f"Line {k}: {v:g} min" for k, v in packet.minutes_by_line.items())
    lines.append(f" time spent: {spent or '0 min'} (wall clock {packet.elapsed_minutes:g} min)")
    if packet.vendor:
        lines.append(f" vendor: {packet.vendor}")
    if packet.sla is not None:
        sla = packet.sla
        lines.append(
            f" SLA clock: {sla.service_form}, opened {sla.opened_at}, deadline {sla.deadline} "
            f"({sla.resolve_hours:g} h), {sla.elapsed_minutes:g} min gone"
        )
    return "\n".join(lines)


def _event_line(event: Event) -> str:
    at = event.at[11:19] if len(event.at) >= 19 else event.at
    kind = event.kind
    if kind == "answer":
        text = f"{event.question} = {_value(event.value)}"
    elif kind == "unknown":
        text = f"{event.question} = unknown (the customer cannot tell)"
    elif kind == "back":
        text = f"took back the answer to {event.question}"
    elif kind == "fix_proposed":
        text = f"fix proposed for {event.fault} (certainty {event.data.get('certainty', 0):.2f})"
    elif kind == "fix_worked":
        text = f"the fix for {event.fault} worked: resolved"
    elif kind == "fix_failed":
        text = f"the fix for {event.fault} did not work: ruled out"
    elif kind in ("escalated", "unresolved"):
        handoff = event.data.get("handoff", {})
        esc = handoff.get("escalation", {})
        where = f"to Line {handoff.get('to_line')}" if kind == "escalated" else "unresolved"
        text = f"escalated {where} ({esc.get('kind')}): {event.reason}"
        if handoff.get("vendor"):
            text += f"; vendor {handoff['vendor']}"
        if handoff.get("sla"):
            text += f"; SLA deadline {handoff['sla']['deadline']}"
    elif kind == "quit":
        text = f"left ({event.reason}); resumable"
    elif kind == "resumed":
        changed = event.data.get("packs_changed")
        text = "resumed" + (f" on changed packs {sorted(changed)}" if changed else "")
    else:
        text = kind
    return f"  {at}  {text}"


def render_case(case: Case) -> str:
    """A readable transcript of a case."""
    lines = [
        f"Case {case.id}: {case.status}, Line {case.line}, opened {case.opened_at}"
        + (" (simulated history)" if case.simulated else ""),
        " intake: " + ", ".join(f"{k}={_value(v)}" for k, v in sorted(case.intake.items())),
    ]
    for view in case.sessions():
        packs = ", ".join(f"{p} {v}" for p, v in sorted(view.packs.items()))
        first = view.events[0]
        who = f", by {first.agent}" if first.agent else ""
        via = f" ({first.channel})" if first.channel else ""
        lines.append(
            f"Line {view.line} session ({view.status}), started {view.started_at}{who}{via}"
        )
        lines.append(f"  packs: {packs}")
        lines.extend(_event_line(e) for e in view.events[1:])
    outcome = case.outcome()
    parts = [f"{k}={v}" for k, v in outcome.items() if v is not None and not isinstance(v, dict)]
    esc = outcome.get("escalation")
    if isinstance(esc, dict):
        parts.append(
            f"escalated to Line {esc.get('to_line')} ({esc.get('kind')}): {esc.get('reason')}"
        )
    lines.append("Outcome: " + ", ".join(parts))
    return "\n".join(lines)


def render_case_list(rows: list[CaseSummary]) -> str:
    if not rows:
        return "no cases yet"
    header = (
        f"{'case':10} {'status':10} {'line':4} {'updated':25} {'agent':12} complaint / customer"
    )
    lines = [header]
    for row in rows:
        who = " / ".join(x for x in (row.complaint, row.customer) if x)
        mark = " [simulated]" if row.simulated else ""
        lines.append(
            f"{row.id:10} {row.status:10} {row.line:<4} {row.updated_at:25} "
            f"{row.agent or '-':12} {who}{mark}"
        )
    return "\n".join(lines)
