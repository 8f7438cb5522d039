"""Verifying packs before they reach Line 1: every finding of `linewise pack check`.

The checks walk the decision graph (`engine.graph`) and decide conditions exactly with
`engine.constraint`: `engine.conflict` judges rules against each other, `engine.reach`
what can be reached, `engine.coverage` finds answers that reach no outcome. Codes and
silencing are in `engine.finding`; docs/checks.md explains every code with an example.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.budgets import Budgets, check_budgets
from engine.compile import compile_knowledge
from engine.conflict import check_pairs, check_rules
from engine.constraint import build_space
from engine.coverage import MAX_REGIONS, DomainCoverage, coverage_findings, domains
from engine.domains import Runner, judge_domains
from engine.finding import Checker, Finding, split_silenced
from engine.forbidden import check_forbidden
from engine.graph import build_graph
from engine.moot import MAX_MOOT_REGIONS, check_moot
from engine.priors import check_priors
from engine.procedure_check import check_steps
from engine.reach import check_cycles, check_faults, check_lines, check_questions
from engine.routing import check_routes
from rules.knowledge import KnowledgeBase

TOLERATED = ("E017",)  # derivation cycles: loading leaves them to the checker (E107)


@dataclass
class Report:
    """Everything `pack check` found, sorted; silenced findings are kept apart."""

    packs: dict[str, str]
    findings: list[Finding]
    silenced: list[Finding] = field(default_factory=list)
    coverage: list[DomainCoverage] = field(default_factory=list)
    moot_skipped: int = 0  # domains W112 did not judge (more than MAX_MOOT_REGIONS regions)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def notes(self) -> list[Finding]:
        """Facts worth knowing that never fail a check (not even --strict)."""
        return [f for f in self.findings if f.severity == "note"]

    def failed(self, strict: bool) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def as_dict(self, strict: bool = False) -> dict[str, Any]:
        return {
            "ok": not self.failed(strict),
            "strict": strict,
            "packs": self.packs,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "notes": len(self.notes),
            "findings": [f.as_dict() for f in self.findings],
            "silenced": [f.as_dict() for f in self.silenced],
            "coverage": [c.as_dict() for c in self.coverage],
            "moot_skipped": self.moot_skipped,
        }


# ---- the whole run -------------------------------------------------------------------------


def steps(kb: KnowledgeBase) -> int:
    """How many steps `verify` reports to its `step` callback: one for the rule checks,
    one per coverage domain for the moot questions (W112), one per domain for coverage."""
    return 1 + 2 * len(domains(kb))


def verify(
    kb: KnowledgeBase,
    *,
    ignore: Iterable[str] = (),
    step: Callable[[int], None] | None = None,
    budgets: Budgets | None = None,
    run: Runner | None = None,
) -> Report:
    """Every finding over a knowledge base (the packs checked together); `step(n)` is called
    as the work advances (`steps(kb)` in all), for a progress bar. With `budgets` (per form
    of service and line, from the service levels), faults out of their reach are found too.
    With `run` (`pack check`: `cli.pack.on_every_core`) the domains are judged on worker
    processes; a server keeps the default and never forks."""
    compiled = compile_knowledge(kb, name="VerifyKnowledge")
    chk = Checker(compiled, build_graph(compiled), build_space(kb, compiled.rules))
    check_rules(chk)
    check_faults(chk)
    check_pairs(chk)
    check_questions(chk)
    check_cycles(chk)
    check_lines(chk)
    check_routes(chk)
    check_priors(chk)
    judged = judge_domains(compiled, step=step, run=run)
    moot_skipped = check_moot(
        chk, ([m for found, _, _ in judged for m in found], sum(not ok for _, ok, _ in judged))
    )
    check_forbidden(chk)
    check_budgets(chk, budgets)
    check_steps(chk)
    if step is not None:
        step(1)
    gaps, covered = coverage_findings(compiled, [c for _, _, c in judged])
    sources: dict[str, Path] = {item.source.file: item.path for item in kb.loaded}
    kept, silenced = split_silenced([*chk.out, *gaps], sources, ignore)
    return Report(
        packs=kb.versions(),
        findings=kept,
        silenced=silenced,
        coverage=covered,
        moot_skipped=moot_skipped,
    )


def check_paths(paths: Iterable[Path], *, ignore: Iterable[str] = ()) -> Report:
    """Load packs (a broken pack raises PackError) and verify them together."""
    return verify(load_for_check(paths), ignore=ignore)


def load_for_check(paths: Iterable[Path]) -> KnowledgeBase:
    """The packs at these paths as one knowledge base (a broken pack raises PackError).

    Derivation cycles are tolerated by the loading step here and reported as E107 by the
    verifier, so that one run shows them next to every other finding.
    """
    from rules.loader import load_pack_files

    return KnowledgeBase.from_loaded(load_pack_files(paths), tolerate=TOLERATED)


def render_report(report: Report, strict: bool = False) -> str:
    """Compiler-style lines, then a one-line summary."""
    lines = [f.render() for f in report.findings]
    covered = report.coverage
    summary = (
        f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''}, "
        f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}"
    )
    if report.notes:
        summary += f", {len(report.notes)} note{'s' if len(report.notes) != 1 else ''}"
    if report.silenced:
        summary += f" ({len(report.silenced)} silenced)"
    combinations = sum(d.total for d in covered)
    undecided = sum(1 for d in covered if d.mode == "undecided")
    summary += (
        f" in {len(report.packs)} pack{'s' if len(report.packs) != 1 else ''}; coverage: "
        f"{len(covered)} domain{'s' if len(covered) != 1 else ''}, "
    )
    if undecided:
        summary += (
            f"{undecided} left undecided (their rules split the answers into more than "
            f"{MAX_REGIONS:,} regions; gaps found there are real, others may remain)"
        )
    else:
        summary += f"every answer combination decided ({_magnitude(combinations)})"
    if report.moot_skipped:
        summary += (
            f"; moot questions (W112) not judged in {report.moot_skipped} "
            f"domain{'s' if report.moot_skipped != 1 else ''} (more than "
            f"{MAX_MOOT_REGIONS:,} regions each)"
        )
    verdict = "FAILED" if report.failed(strict) else "ok"
    lines.append(f"{verdict}: {summary}")
    return "\n".join(lines)


def _magnitude(count: int) -> str:
    """An answer-combination count people can read: exact when small, else a power of ten."""
    if count < 1_000_000:
        return f"{count:,} combination{'s' if count != 1 else ''}"
    return f"about 10^{len(str(count)) - 1} combinations"
