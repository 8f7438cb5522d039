"""Deciding the outcome of a diagnosis: a fault to fix here, more questions, or escalation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from engine.result import Escalation, EscalationKind, FaultScore, Outcome
from rules.schema import Fault

TOP_LINE = 4

REASONS: dict[EscalationKind, dict[str, str]] = {
    "no_rule": {
        "en": "No rule of this line applies to the answers.",
        "ru": "Ни одно правило этой линии не подходит под ответы.",
    },
    "below_threshold": {
        "en": "The best hypothesis stays below the confidence threshold.",
        "ru": "Лучшая гипотеза остаётся ниже порога уверенности.",
    },
    "needs_line": {
        "en": "The fault needs Line {line}'s skills or access.",
        "ru": "Для устранения неисправности нужны навыки или доступ линии {line}.",
    },
    "question_budget": {
        "en": "The question budget for this line is spent.",
        "ru": "Лимит вопросов для этой линии исчерпан.",
    },
    "sla_spent": {
        "en": "The SLA time budget for this form of service is spent.",
        "ru": "Бюджет времени по SLA для этой формы обслуживания исчерпан.",
    },
    "fix_failed": {
        "en": "The proposed fixes did not work.",
        "ru": "Предложенные исправления не помогли.",
    },
    "agent": {"en": "Escalated by the agent.", "ru": "Эскалировано агентом."},
    "self_service": {
        "en": "The customer could not resolve it in self-service; a Line {line} agent takes it.",
        "ru": "Клиент не решил проблему самостоятельно; её берёт агент линии {line}.",
    },
}


def reason_text(kind: EscalationKind, lang: str, **fields: object) -> str:
    texts = REASONS.get(kind, {"en": kind})
    return texts.get(lang, texts["en"]).format(**fields)


def escalation(
    kind: EscalationKind, line: int, lang: str, to_line: int | None = None
) -> Escalation:
    """An escalation from `line` (to the next line unless `to_line` says otherwise)."""
    target = to_line if to_line is not None else line + 1
    return Escalation(to_line=target, kind=kind, reason=reason_text(kind, lang, line=target))


def decide(
    line: int,
    faults: Sequence[FaultScore],
    rule_escalations: Sequence[Escalation],
    pending: Sequence[str],
    lang: str,
    held: bool = False,
) -> Outcome:
    """The outcome for a set of facts where nothing more will be asked unless `pending` says so.

    Order: a rule that requires escalation; a firm fault this line can fix; a firm
    fault that needs a higher line; still-open questions; otherwise escalate because
    the best hypothesis is weak or nothing applies. Line 4 has nowhere higher to go.
    """
    top = faults[0] if faults and faults[0].certainty > 0 else None
    required = [e for e in rule_escalations if not e.fallback or not pending]
    if required:
        # the first in priority order; a `stop` rule above it can shadow it.
        # A fallback escalation waits while questions can still change the picture.
        return _up(line, required[0], pending, top.id if top else None)
    if held:  # a lower line's firm fault, while this line's own questions remain
        return Outcome(
            kind="incomplete", fault=top.id if top else None, open_questions=list(pending)
        )
    if top is not None and top.firm and top.line <= line:
        return Outcome(kind="fault", fault=top.id, open_questions=list(pending))
    if top is not None and top.firm:
        return _up(line, escalation("needs_line", line, lang, top.line), pending, top.id)
    if pending:
        return Outcome(
            kind="incomplete", fault=top.id if top else None, open_questions=list(pending)
        )
    kind: EscalationKind = "below_threshold" if top is not None else "no_rule"
    return _up(line, escalation(kind, line, lang), pending, top.id if top else None)


def _up(line: int, esc: Escalation, pending: Sequence[str], fault: str | None = None) -> Outcome:
    if line >= TOP_LINE:
        return Outcome(kind="unresolved", fault=fault, escalation=esc, open_questions=list(pending))
    return Outcome(kind="escalate", fault=fault, escalation=esc, open_questions=list(pending))


def escalating_failure(faults: Mapping[str, Fault], failed_here: Iterable[str]) -> str | None:
    """The first fault whose fix failed on this line and that says `when_failed: escalate`:
    the case goes up at once, whatever else is known."""
    for fault_id in failed_here:
        fault = faults.get(fault_id)
        if fault is not None and fault.when_failed == "escalate":
            return fault_id
    return None


def after_failed_fixes(esc: Escalation, lang: str) -> Escalation:
    """An escalation on a line where fixes failed: when nothing else sent the case up (no
    rule applies, the best hypothesis is weak, a fallback), the reason is that they failed."""
    if esc.kind in ("no_rule", "below_threshold") or esc.fallback:
        reason = reason_text("fix_failed", lang) + " " + esc.reason
        return esc.model_copy(update={"kind": "fix_failed", "reason": reason})
    return esc


def failed_fix_outcome(
    faults: Mapping[str, Fault], line: int, outcome: Outcome, failed_here: Sequence[str], lang: str
) -> Outcome:
    """The outcome of given answers where fixes failed on `line`, as a guided session on
    that line ends: up at once for `when_failed: escalate`, else the escalation's reason."""
    if not failed_here:
        return outcome
    first = escalating_failure(faults, failed_here)
    if first is not None:
        return _up(line, escalation("fix_failed", line, lang), (), first)
    if outcome.escalation is not None and outcome.kind in ("escalate", "unresolved"):
        return outcome.model_copy(
            update={"escalation": after_failed_fixes(outcome.escalation, lang)}
        )
    return outcome
