"""A stored case as a golden file, and a stored case replayed with exactly its pack versions.

`linewise case export` turns a real ticket into a regression test in one step: its
intake, every answer up to the line where it ended, and that ending as the
expectation. `linewise case replay` re-runs each line's session of a stored case
with exactly the pack versions that session recorded (kept by the registry), and
says whether it ends the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cases import cache
from cases.gaps import dump_yaml
from cases.model import Case
from cases.registry import Registry
from cases.rerun import case_answers, rerun
from cases.sla import ServiceLevels
from rules.errors import InvalidInput
from rules.paths import confined

INTAKE_KEPT = ("service_form", "channel", "complaint", "equipment_type", "equipment_model")
# escalations that no set of answers reproduces (a golden case replays answers only)
NOT_FROM_ANSWERS = {
    "agent": "the agent escalated it",
    "question_budget": "the line's question budget was spent",
    "sla_spent": "the SLA time budget was spent",
    "self_service": "the customer left self-service for an agent",
}


def recorded_outcome(case: Case, line: int) -> str:
    """How the case's session on `line` ended, in the words `rerun` uses."""
    ending = "open"
    for event in case.events:
        if event.line != line:
            continue
        if event.kind in ("fix_worked", "concluded"):
            ending = f"fault {event.fault}"
        elif event.kind in ("escalated", "unresolved"):
            esc = event.data.get("handoff", {}).get("escalation", {})
            if event.kind == "escalated":
                ending = f"escalate to Line {esc.get('to_line')} ({esc.get('kind')})"
            else:
                ending = f"unresolved at Line 4 ({esc.get('kind')})"
        elif event.kind == "quit":
            ending = "abandoned"
    return ending


def golden_from_case(case: Case) -> dict[str, Any]:
    """The golden-case document of a resolved or escalated case."""
    line = case.line
    last = next(
        (
            e
            for e in reversed(case.events)
            if e.kind in ("fix_worked", "concluded", "escalated", "unresolved")
        ),
        None,
    )
    if last is None:
        raise InvalidInput(
            f"case {case.id} has no outcome yet ({case.status})",
            hint="export a case that was resolved or escalated",
        )
    line = last.line
    expect: dict[str, Any]
    if last.kind in ("fix_worked", "concluded"):
        expect = {"fault": last.fault}
    else:
        esc = last.data.get("handoff", {}).get("escalation", {})
        expect = {"escalate": int(esc.get("to_line", line + 1)), "kind": esc.get("kind")}
        if last.kind == "unresolved":
            raise InvalidInput(
                f"case {case.id} ended unresolved at Line 4: there is no outcome to expect",
                hint="golden cases expect a fault or an escalation to a higher line",
            )
        why = NOT_FROM_ANSWERS.get(str(esc.get("kind")))
        if why is not None:
            raise InvalidInput(
                f"case {case.id} went up to Line {expect['escalate']} because {why}: "
                "no answers lead there, so a golden case could not replay it",
                hint="golden cases expect what the packs decide from the answers; export a "
                "case the packs resolved or escalated",
            )
    answers: dict[str, Any] = {}
    # fixes that failed: on this line they end the diagnosis as "no" did (at once for
    # `when_failed: escalate`); on an earlier line they only rule the fault out
    fixes: dict[str, Any] = {}
    for event in case.events:
        if event.line > line:
            break
        if event.kind in ("answer", "unknown") and event.question:
            answers[event.question] = "unknown" if event.kind == "unknown" else event.value
        elif event.kind == "back" and event.question:
            answers.pop(event.question, None)
        elif event.kind == "fix_failed" and event.fault:
            here = event.line == line
            fixes[event.fault] = "failed" if here else {"outcome": "failed", "line": event.line}
    return {
        "id": case.id.lower(),
        "title": f"Exported from case {case.id} ({case.status})",
        "line": line,
        "intake": {k: case.intake[k] for k in INTAKE_KEPT if k in case.intake},
        "answers": answers,
        **({"fixes": fixes} if fixes else {}),
        "expect": expect,
        "notes": f"exported by 'linewise case export {case.id}' on {case.events[-1].at}",
    }


def golden_text(case: Case) -> str:
    return dump_yaml(golden_from_case(case), f"# Golden case exported from {case.id}.\n")


@dataclass(frozen=True)
class LineReplay:
    line: int
    packs: dict[str, str]
    recorded: str
    replayed: str
    questions: int

    @property
    def same(self) -> bool:
        return self.recorded == self.replayed

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "packs": self.packs,
            "recorded": self.recorded,
            "replayed": self.replayed,
            "questions": self.questions,
            "same": self.same,
        }


def replay_stored(case: Case, registry: Registry, levels: ServiceLevels) -> list[LineReplay]:
    """Re-run each line's session with exactly the pack versions it recorded."""
    out: list[LineReplay] = []
    for line in sorted({s.line for s in case.sessions()}):
        answers = case_answers(case, line)
        if answers is None:
            continue
        versions = dict(answers.packs)
        files = tuple(sorted(str(p.resolve()) for p in registry.files_for(versions)))
        compiled = cache.compiled(files, line)
        result = rerun(
            compiled,
            line,
            answers.intake,
            answers.answers,
            earlier=answers.earlier,
            failed=answers.failed,
            levels=levels,
        )
        out.append(
            LineReplay(
                line, versions, recorded_outcome(case, line), result.outcome, result.questions
            )
        )
    return out


def export_golden(case: Case, out: Path) -> Path:
    """Write the golden file as `<out>/<complaint>/<case id>.yaml`; its path. Both names
    come from stored data, so they are made safe and kept inside `out`."""
    folder = confined(out, str(case.intake.get("complaint") or "cases"))
    folder.mkdir(parents=True, exist_ok=True)
    path = confined(folder, f"{case.id.lower()}.yaml")
    path.write_text(golden_text(case), encoding="utf-8")
    return path
