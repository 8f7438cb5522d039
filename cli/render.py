"""Text renderings of diagnoses and explanations (the JSON is the data; this is for people)."""

from __future__ import annotations

from typing import Any

from engine.logic import show_value
from engine.result import Diagnosis


def _value(value: Any) -> str:
    return show_value(value)


def render_diagnosis(d: Diagnosis) -> str:
    out: list[str] = []
    outcome = d.outcome
    if outcome.kind == "fault" and outcome.fault is not None:
        top = d.fault(outcome.fault)
        assert top is not None
        out.append(
            f"Diagnosis (Line {d.line}): {top.title} [{top.id}], certainty {top.certainty:.2f}"
        )
        out.append("Fix:")
        out.extend(f"  {i}. {step}" for i, step in enumerate(top.fix, 1))
    elif outcome.kind in ("escalate", "unresolved") and outcome.escalation is not None:
        esc = outcome.escalation
        verb = "Escalate" if outcome.kind == "escalate" else "Unresolved at Line 4"
        out.append(f"{verb} to Line {esc.to_line} ({esc.kind}): {esc.reason}")
        if esc.rule:
            out.append(f"  required by rule {esc.rule}")
    else:
        out.append(f"No firm diagnosis yet (Line {d.line}); questions that would help:")
        out.extend(f"  - {q}" for q in outcome.open_questions)
    if d.faults:
        out.append("")
        out.append("Hypotheses:")
        for f in d.faults:
            mark = "firm" if f.firm else "weak"
            out.append(f"  {f.certainty:5.2f}  {mark:4}  {f.id}  (Line {f.line}) {f.title}")
    if d.ruled_out:
        out.append("Ruled out: " + ", ".join(d.ruled_out))
    if d.trace:
        out.append("")
        out.append("Trace:")
        for firing in d.trace:
            matched = ", ".join(f"{m.key}={_value(m.value)}" for m in firing.matched)
            status = "" if firing.status == "applied" else f" [{firing.status}"
            if firing.shadowed_by:
                status += f" by {firing.shadowed_by}"
            status += "]" if status else ""
            out.append(f"  {firing.rule} (priority {firing.priority}){status}: {matched}")
            out.extend(f"      -> {e}" for e in firing.effects)
    return "\n".join(out)


def _support_lines(node: dict[str, Any], indent: int) -> list[str]:
    pad = "  " * indent
    source = node["source"]
    origin = {"answer": "answered", "intake": "intake", "derived": "derived"}.get(source, source)
    lines = [f"{pad}- {node['key']} = {_value(node['value'])} ({origin})"]
    because = node.get("because")
    if because is not None:
        lines.extend(_rule_lines(because, indent + 1))
    return lines


def _rule_lines(rule: dict[str, Any], indent: int) -> list[str]:
    pad = "  " * indent
    lines = [
        f"{pad}rule {rule['rule']} (priority {rule['priority']}): " + "; ".join(rule["effects"])
    ]
    for fact in rule["facts"]:
        lines.extend(_support_lines(fact, indent + 1))
    return lines


def render_how(data: dict[str, Any]) -> str:
    if "fault" in data:
        if not data["concluded"]:
            return f"HOW {data['fault']}: not concluded (see WHY NOT)"
        head = f"HOW {data['fault']}: certainty {data['certainty']:.2f}" + (
            " (firm)" if data["firm"] else " (below threshold)"
        )
    else:
        esc = data.get("escalation")
        head = f"HOW: outcome {data['outcome']}" + (
            f", escalate to Line {esc['to_line']} ({esc['kind']}): {esc['reason']}" if esc else ""
        )
    lines = [head]
    for rule in data["rules"]:
        lines.extend(_rule_lines(rule, 1))
    return "\n".join(lines)


def render_why_not(data: dict[str, Any]) -> str:
    lines = [f"WHY NOT {data['fault']}: {data['summary']}"]
    for entry in data["rules"]:
        lines.append(f"  {entry['rule']} (priority {entry['priority']}): {entry['detail']}")
    if not data["rules"]:
        lines.append("  no rule concludes this fault")
    return "\n".join(lines)
