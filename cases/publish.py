"""Publishing a pack version to its line, only once it has earned it.

`linewise pack publish` refuses, naming every reason at once, unless:
- the pack loads and validates together with the live (published) knowledge;
- verification is clean (`verification_problems`: `linewise pack check`, no errors; with
  --strict no warnings about the pack either);
- every golden case of the pack passes on that knowledge (and there is at least one), and
  so do the shipped golden cases of the packs it requires or that require it;
- the pack belongs to the line it is published to;
- its version is higher than the published one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cases import cache
from cases.golden import GOLDEN_DIR
from cases.impact import swapped
from cases.registry import Entry, Registry, version_key
from cases.replay import TestRun, run_golden
from cases.sla import load_service_levels
from engine.verify import verify
from rules.context import Context, load_in_context, neighbourhood
from rules.errors import LinewiseError, PackError
from rules.knowledge import KnowledgeBase
from rules.loader import load_pack_file
from rules.paths import resolved


class PublishRefused(LinewiseError):
    """The pack is not fit to publish; the message lists every reason."""

    exit_code = 1

    def __init__(self, check: PublishCheck) -> None:
        pack, version, reasons = check.pack, check.version, check.reasons
        self.check = check
        self.reasons = reasons
        lines = [f"refusing to publish {pack} {version}:"]
        lines.extend(f"  - {reason}" for reason in reasons)
        super().__init__("\n".join(lines), hint=None)

    def render(self) -> str:
        return self.message


@dataclass
class PublishCheck:
    """What was checked before publishing, and what stands in the way."""

    pack: str
    version: str
    line: int
    published: str | None
    reasons: list[str] = field(default_factory=list)
    golden: TestRun | None = None

    @property
    def ok(self) -> bool:
        return not self.reasons

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "version": self.version,
            "line": self.line,
            "published": self.published,
            "ok": self.ok,
            "reasons": self.reasons,
            "golden": self.golden.as_dict() if self.golden is not None else None,
        }


def verification_problems(files: cache.PackFiles, pack_id: str, strict: bool = False) -> list[str]:
    """What the pack checker (`linewise pack check`) finds against publishing.

    The checker runs on the pack, the packs it requires and the packs that require it
    (the published rest was checked when it was published, and a whole line takes far
    longer). Errors there refuse (the new version may break a pack that uses it); with
    `strict`, the new pack's warnings too.
    """
    kb = cache.knowledge(files)
    budgets = load_service_levels().budgets()
    report = verify(kb.subset(neighbourhood(kb, [pack_id])), budgets=budgets)
    blocking = [
        f
        for f in report.findings
        if f.severity == "error" or (strict and f.pack == pack_id and f.severity == "warning")
    ]
    return [f"verification: {f.render()}" for f in blocking]


def kb_related(kb: KnowledgeBase, pack_id: str) -> set[str]:
    """The pack, the packs that require it, and everything those require."""
    return set(kb.subset(neighbourhood(kb, [pack_id])).packs)


def golden_paths(
    source: Path, pack_id: str, extra: Sequence[Path], related: Sequence[str] = ()
) -> list[Path]:
    """The golden cases to pass: given ones, the pack's own (beside the pack file and in the
    shipped library), and the shipped ones of related packs, whose outcomes it can change."""
    found = list(extra)
    folders = [source.parent / "golden" / pack_id, GOLDEN_DIR / pack_id]
    folders += [GOLDEN_DIR / other for other in related if other != pack_id]
    for folder in folders:
        if folder.is_dir() and resolved(folder) not in {resolved(p) for p in found}:
            found.append(folder)
    return found


def check_publish(
    source: Path,
    line: int,
    registry: Registry,
    cases: Sequence[Path] = (),
    *,
    strict: bool = False,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> PublishCheck:
    """Every reason not to publish `source` to `line` (none: it may be published)."""
    pack = load_pack_file(source).pack
    current = registry.current(pack.id)
    check = PublishCheck(pack.id, pack.version, pack.line, current.version if current else None)
    if pack.line != line:
        check.reasons.append(f"{pack.id} is a Line {pack.line} pack, not a Line {line} pack")
    if pack.status == "archived":
        check.reasons.append("the pack file says status: archived")
    if current is not None and version_key(pack.version) <= version_key(current.version):
        check.reasons.append(
            f"version {pack.version} is not higher than the published {current.version}"
        )
    live = tuple(str(p.resolve()) for p in registry.current_files())
    _, files = swapped(live, source)
    try:  # in context, as `pack validate` does: a clash is blamed on this pack
        load_in_context([source], Context([Path(f) for f in live], "published"))
    except PackError as err:
        check.reasons.append(
            "the pack does not validate with the published packs:\n    "
            + "\n    ".join(d.render() for d in err.diagnostics)
        )
        return check
    check.reasons.extend(verification_problems(files, pack.id, strict))
    related = sorted(kb_related(cache.knowledge(files), pack.id))
    paths = golden_paths(source, pack.id, cases, related)
    if not golden_paths(source, pack.id, cases):
        check.reasons.append(
            f"no golden cases for {pack.id} (looked in {source.parent / 'golden' / pack.id} "
            f"and {GOLDEN_DIR / pack.id}; or give --cases)"
        )
        return check
    run = run_golden(paths, [Path(f) for f in files], jobs=jobs, progress=progress)
    check.golden = run
    if not run.results:
        check.reasons.append(f"no golden case files found in {', '.join(map(str, paths))}")
    for result in run.results:
        if result.status == "fail":
            check.reasons.append(
                f"golden case {result.case} fails: expected {result.expected}, got {result.actual}"
            )
        elif result.status == "error":
            check.reasons.append(f"golden case file {result.file} is broken: {result.error}")
    return check


def publish(
    source: Path,
    line: int,
    registry: Registry,
    cases: Sequence[Path] = (),
    *,
    strict: bool = False,
    jobs: int | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    by: str | None = None,
) -> tuple[PublishCheck, Entry | None]:
    """Check, then keep the version in the registry as published (unless `dry_run`)."""
    check = check_publish(
        source, line, registry, cases, strict=strict, jobs=jobs, progress=progress
    )
    if not check.ok:
        raise PublishRefused(check)
    if dry_run:
        return check, None
    return check, registry.publish(source, by)
