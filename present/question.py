"""Questions as asked, fixes as steps, and the head of a session, in the reader's words."""

from __future__ import annotations

from collections.abc import Mapping

from engine.session import Ask, Done, ProposeFix
from present.i18n import Words, status_label, words
from present.names import Namer
from present.views import Banner, FixView, Option, QuestionView, StepView
from rules.knowledge import KnowledgeBase
from rules.schema import Question

COMMANDS = ("why", "how", "whynot", "back", "unknown", "recap", "help", "escalate", "quit")


def yes_no_options(w: Words) -> tuple[Option, ...]:
    return (
        Option(key="1", value="yes", label=w.t("yes")),
        Option(key="2", value="no", label=w.t("no")),
    )


def kind_label(question: Question, w: Words) -> str:
    if question.type == "yesno":
        return w.t("yes or no")
    if question.type == "choice":
        return w.t("pick one")
    if question.type == "number":
        return w.t("a number ({unit})", unit=question.unit) if question.unit else w.t("a number")
    return w.t("free text")


def question_view(question: Question, number: int, line: int, lang: str) -> QuestionView:
    """A question with its help and its answers as numbered options."""
    w = words(lang)
    if question.type == "yesno":
        options = yes_no_options(w)
    else:
        # a numbered menu (option values 1, 2, ...) keeps its own numbers as the keys
        numbered_menu = any(o.value.isdigit() for o in question.options or ())
        options = tuple(
            Option(key=o.value if numbered_menu else str(n), value=o.value, label=o.text.get(lang))
            for n, o in enumerate(question.options or (), 1)
        )
    return QuestionView(
        ref=question.id,
        number=number,
        line=line,
        text=question.text.get(lang),
        help=question.help.get(lang) if question.help is not None else None,
        kind=question.type,
        kind_label=kind_label(question, w),
        unit=question.unit,
        minutes=question.cost,
        options=options,
    )


def ask_view(step: Ask, line: int, lang: str) -> QuestionView:
    return question_view(step.question, step.number, line, lang)


def fix_view(step: ProposeFix, lang: str) -> FixView:
    """The firm fault, its fix steps, and the question whether the fix worked."""
    w = words(lang)
    fault = step.fault
    return FixView(
        ref=fault.id,
        title=fault.title,
        certainty=fault.certainty,
        certainty_label=w.t("certainty {value:.2f}", value=fault.certainty),
        steps=tuple(fault.fix),
        prompt=w.t("Did the fix work?"),
        options=yes_no_options(w),
    )


def done_message(case_id: str, step: Done, kb: KnowledgeBase, lang: str) -> str:
    w = words(lang)
    status = status_label(step.status, w)
    if step.fault:
        return w.t(
            "Case {case} is {status}: {fault}.",
            case=case_id,
            status=status,
            fault=Namer(kb, lang).fault(step.fault),
        )
    return w.t("Case {case} is {status}.", case=case_id, status=status)


def step_view(
    step: Ask | ProposeFix | Done, *, case_id: str, line: int, kb: KnowledgeBase, lang: str
) -> StepView:
    """An ask, a fix or the end as one view (escalations go through present.handoff)."""
    if isinstance(step, Ask):
        return StepView(kind="ask", question=ask_view(step, line, lang))
    if isinstance(step, ProposeFix):
        return StepView(kind="fix", fix=fix_view(step, lang))
    return StepView(kind="done", message=done_message(case_id, step, kb, lang))


def banner(
    case_id: str,
    line: int,
    intake: Mapping[str, object],
    versions: Mapping[str, str],
    kb: KnowledgeBase,
    lang: str,
) -> Banner:
    """The head of a session: case, line, complaint and the packs in use."""
    w = words(lang)
    parts = [w.t("Case {case}", case=case_id), w.t("Line {line}", line=line)]
    complaint = intake.get("complaint")
    if complaint:
        parts.append(Namer(kb, lang).symptom(str(complaint)))
    return Banner(
        case=case_id,
        line=line,
        title=" · ".join(parts),
        packs=", ".join(f"{p} {v}" for p, v in sorted(versions.items())),
        commands=w.t(
            "At any prompt: why, how, whynot FAULT, back, unknown, recap, help, escalate, quit"
        ),
    )


def command_help(w: Words) -> list[tuple[str, str]]:
    """The commands of a guided session, each with what it does."""
    return [
        ("why", w.t("what this question decides between, and why it comes now")),
        ("how", w.t("the reasoning so far")),
        ("whynot FAULT", w.t("why a fault is not (yet) concluded; part of its name will do")),
        ("back", w.t("take back the last answer")),
        ("unknown", w.t("the customer cannot tell")),
        ("recap", w.t("what is known about the case")),
        ("help", w.t("how to check (from the pack) and these commands")),
        ("escalate", w.t("hand the case to the next line now, with a note")),
        ("ids", w.t("show or hide internal ids")),
        ("quit", w.t("save and leave (resume with 'linewise resume CASE')")),
    ]
