"""Verifying packs before they reach Line 1: every finding of `linewise pack check`.

The checks walk the decision graph (`engine.graph`) and decide conditions exactly with
`engine.constraint`: `engine.conflict` judges rules against each other, `engine.reach`
what can be reached, `engine.coverage` finds answers that reach no outcome. Codes and
silencing are in `engine.finding`; docs/checks.md explains every code with an example.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.compile import compile_knowledge
from engine.conflict import check_pairs, check_rules
from engine.constraint import build_space
from engine.coverage import (
    DEFAULT_BUDGET,
    DEFAULT_MAX_COMBINATIONS,
    DomainCoverage,
    coverage_findings,
)
from engine.finding import Checker, Finding, split_silenced
from engine.graph import build_graph
from engine.reach import check_cycles, check_faults, check_lines, check_questions
from engine.routing import check_routes
from rules.knowledge import KnowledgeBase


@dataclass
class Report:
    """Everything `pack check` found, sorted; silenced findings are kept apart."""

    packs: dict[str, str]
    findings: list[Finding]
    silenced: list[Finding] = field(default_factory=list)
    coverage: list[DomainCoverage] = field(default_factory=list)

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
        }


# ---- the whole run -------------------------------------------------------------------------


def verify(
    kb: KnowledgeBase,
    *,
    ignore: Iterable[str] = (),
    max_combinations: int = DEFAULT_MAX_COMBINATIONS,
    seed: int = 0,
    budget: int = DEFAULT_BUDGET,
) -> Report:
    """Every finding over a knowledge base (the packs checked together)."""
    compiled = compile_knowledge(kb, name="VerifyKnowledge")
    chk = Checker(compiled, build_graph(compiled), build_space(kb, compiled.rules))
    check_rules(chk)
    check_faults(chk)
    check_pairs(chk)
    check_questions(chk)
    check_cycles(chk)
    check_lines(chk)
    check_routes(chk)
    gaps, domains = coverage_findings(
        compiled, max_combinations=max_combinations, seed=seed, budget=budget
    )
    sources: dict[str, Path] = {item.source.file: item.path for item in kb.loaded}
    kept, silenced = split_silenced([*chk.out, *gaps], sources, ignore)
    return Report(packs=kb.versions(), findings=kept, silenced=silenced, coverage=domains)


def check_paths(
    paths: Iterable[Path],
    *,
    ignore: Iterable[str] = (),
    max_combinations: int = DEFAULT_MAX_COMBINATIONS,
    seed: int = 0,
    budget: int = DEFAULT_BUDGET,
) -> Report:
    """Load packs (a broken pack raises PackError) and verify them together.

    Derivation cycles are tolerated by the loading step here and reported as E107 by the
    verifier, so that one run shows them next to every other finding.
    """
    from rules.loader import load_pack_files

    kb = KnowledgeBase.from_loaded(load_pack_files(paths), tolerate=("E017",))
    return verify(kb, ignore=ignore, max_combinations=max_combinations, seed=seed, budget=budget)


def render_report(report: Report, strict: bool = False) -> str:
    """Compiler-style lines, then a one-line summary."""
    lines = [f.render() for f in report.findings]
    domains = report.coverage
    sampled = sum(1 for d in domains if d.mode == "sampled")
    summary = (
        f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''}, "
        f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}"
    )
    if report.notes:
        summary += f", {len(report.notes)} note{'s' if len(report.notes) != 1 else ''}"
    if report.silenced:
        summary += f" ({len(report.silenced)} silenced)"
    summary += (
        f" in {len(report.packs)} pack{'s' if len(report.packs) != 1 else ''}; coverage: "
        f"{len(domains)} domain{'s' if len(domains) != 1 else ''}, "
        f"{len(domains) - sampled} exhaustive, {sampled} sampled"
    )
    thinned = sum(1 for d in domains if d.thinned)
    if thinned:
        summary += (
            f" ({thinned} sampled thinner to keep the whole check within its budget of "
            f"answer combinations; --coverage-budget raises it)"
        )
    verdict = "FAILED" if report.failed(strict) else "ok"
    lines.append(f"{verdict}: {summary}")
    return "\n".join(lines)
