"""linewise as a Python library: load packs, diagnose from answers, run a guided session.

The small public surface that programs embedding linewise use (docs/api.md, whose
examples are run by the tests). Packs are compiled once per support line and kept,
so that many diagnoses in one process pay for loading and compiling only once (the
command line's `diagnose --answers` over many inputs goes through here too).

    >>> from engine.api import Linewise
    >>> lw = Linewise.load()
    >>> lw.diagnose({"complaint": "wired_no_network"}, {"wired_cable_seated": "no"}).outcome.kind
    'fault'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from engine.answers import to_facts
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.diagnose import DEFAULT_THRESHOLD, diagnose
from engine.result import Diagnosis
from engine.session import Ask, Budget, Done, Escalate, ProposeFix, Record, Session, Step
from rules.knowledge import KnowledgeBase, load_knowledge
from rules.source import SourceMap

__all__ = ["Ask", "Done", "Escalate", "GuidedSession", "Linewise", "ProposeFix", "Step"]


class Linewise:
    """A loaded knowledge base, compiled per support line on first use."""

    def __init__(self, kb: KnowledgeBase, *, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.kb = kb
        self.threshold = threshold
        self._compiled: dict[int, CompiledKnowledge] = {}

    @classmethod
    def load(cls, paths: Iterable[Path | str] | None = None, **options: Any) -> Linewise:
        """The packs in `paths` (files or folders), or the shipped packs when None.

        A broken pack raises `rules.errors.PackError` listing every problem.
        """
        return cls(load_knowledge([Path(p) for p in paths] if paths else None), **options)

    def compiled(self, line: int = 1) -> CompiledKnowledge:
        """The knowledge of one line, compiled once."""
        if line not in self._compiled:
            self._compiled[line] = compile_knowledge(
                self.kb.for_line(line), name=f"Line{line}Knowledge"
            )
        return self._compiled[line]

    def diagnose(
        self,
        intake: Mapping[str, Any] | None = None,
        answers: Mapping[str, Any] | None = None,
        *,
        line: int = 1,
        lang: str = "en",
        source: SourceMap | None = None,
        fixes: Mapping[str, Any] | None = None,
    ) -> Diagnosis:
        """The diagnosis from the given intake fields and answers (non-interactive).

        Answers take every form the guided prompt takes ("yes", True, a menu number,
        "unknown"); a bad one raises `rules.errors.InputError` naming the question.
        `fixes` are the fixes tried: fault -> "worked" or "failed" (tried on `line`), or
        {"outcome": ..., "line": N} (tried on an earlier line); a failed one ends as
        "no" to "Did the fix work?" does in a guided session.
        """
        compiled = self.compiled(line)
        facts = to_facts(compiled.kb, dict(intake or {}), dict(answers or {}), source, fixes=fixes)
        return diagnose(compiled, facts, line=line, threshold=self.threshold, lang=lang)

    def session(
        self,
        intake: Mapping[str, Any] | None = None,
        *,
        line: int = 1,
        lang: str = "en",
        budget: Budget | None = None,
    ) -> GuidedSession:
        """A guided session on `line` starting from the intake (in memory, not stored)."""
        compiled = self.compiled(line)
        facts = to_facts(compiled.kb, dict(intake or {}), {})
        session = Session(
            compiled, Record(facts), line=line, budget=budget, threshold=self.threshold, lang=lang
        )
        return GuidedSession(session)


class GuidedSession:
    """One guided diagnosis: ask `step()` what comes next, then answer or confirm the fix.

    `step()` returns `Ask` (its `.question`), `ProposeFix` (its `.fault`), `Escalate`
    (its `.escalation`) or `Done`. After `Escalate`, call `escalated(step)`.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def step(self) -> Step:
        return self.session.step()

    def answer(self, question_id: str, value: Any) -> None:
        """Record an answer (validated: a bad value raises `rules.errors.InvalidInput`)."""
        self.session.answer(question_id, value)

    def fix_worked(self, fault_id: str, worked: bool) -> None:
        """The customer's word on the proposed fix: resolved, or go on without that fault."""
        self.session.fix_result(fault_id, worked)

    def escalated(self, step: Escalate) -> None:
        self.session.escalated(step)

    @property
    def status(self) -> str:
        return self.session.status

    def run(self, answers: Mapping[str, Any], *, fix_works: bool = True) -> Step:
        """Answer each question asked from `answers` until the session ends or asks for
        something `answers` lacks (then that `Ask` is returned); returns the last step."""
        while True:
            step = self.step()
            if isinstance(step, Ask):
                if step.question.id not in answers:
                    return step
                self.answer(step.question.id, answers[step.question.id])
            elif isinstance(step, ProposeFix):
                self.fix_worked(step.fault.id, fix_works)
                if fix_works:
                    return self.step()
            elif isinstance(step, Escalate):
                self.escalated(step)
                return step
            else:
                return step
