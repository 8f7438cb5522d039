"""`linewise test`: replay golden case files and report every mismatch."""

from __future__ import annotations

from pathlib import Path

import click

from cases.replay import CaseResult, TestRun, count_golden, run_golden
from cli.options import Number, echo_json, json_option, packs_option
from cli.progress import F, progress_bar, progress_option
from rules.errors import Diagnostic, InputError
from rules.source import display_path


def jobs_option(func: F) -> F:
    return click.option(
        "--jobs",
        "-j",
        type=Number(1, 64, whole=True),
        default=None,
        help="Worker processes [default: every core].",
    )(func)


@click.command("test")
@click.argument("cases", nargs=-1, type=click.Path(exists=True, path_type=Path))
@packs_option
@jobs_option
@progress_option
@json_option
def test(
    cases: tuple[Path, ...],
    packs: tuple[Path, ...],
    jobs: int | None,
    progress: bool | None,
    as_json: bool,
) -> None:
    """Replay golden case files (default: the shipped library) and check their outcomes.

    Each mismatch shows the expected and actual outcome, the rules that fired and,
    for an expected fault, what kept each of its rules from concluding it. Exits 1
    when a case fails, 2 when a case file is broken.

    \b
    Examples:
      linewise test
      linewise test --packs rules/line1 cases/golden/network-wired --json
    """
    total = count_golden(cases)
    if cases and not total:
        where = ", ".join(display_path(p) for p in cases)
        found = "no golden case files found (*.yaml, *.yml, *.json)"
        raise InputError([Diagnostic(where, 0, 0, "", found)])
    with progress_bar(total, "replaying", progress) as step:
        run = run_golden(cases, packs, jobs=jobs, progress=step)
    if as_json:
        echo_json(run.as_dict())
    else:
        click.echo(render_run(run))
    if run.count("error"):
        raise click.exceptions.Exit(2)
    if not run.ok:
        raise click.exceptions.Exit(1)


def render_run(run: TestRun) -> str:
    out: list[str] = []
    for result in run.results:
        if result.status != "pass":
            out.extend(_render_failure(result))
    summary = (
        f"{run.count('pass')} passed, {run.count('fail')} failed, "
        f"{run.count('error')} broken, of {len(run.results)} golden cases"
    )
    out.append(("ok: " if run.ok else "FAILED: ") + summary)
    return "\n".join(out)


def _render_failure(result: CaseResult) -> list[str]:
    if result.error is not None:
        return [f"BROKEN {result.file}", *("  " + line for line in result.error.splitlines())]
    lines = [
        f"FAIL {result.case} ({result.file})",
        f"  expected: {result.expected}",
        f"  actual:   {result.actual}",
        "  rules fired: " + (", ".join(result.rules) or "none"),
    ]
    if result.reason_matches is False:
        wanted = [f"kind {result.expected_kind}"] if result.expected_kind else []
        wanted += [f"containing “{result.expected_reason}”"] if result.expected_reason else []
        got = f"{result.actual_kind}: “{result.actual_reason}”" if result.actual_kind else "none"
        lines.append("  escalation reason expected: " + (", ".join(wanted) or "any"))
        lines.append(f"  escalation reason actual:   {got}")
    if result.why_not:
        lines.append("  why not the expected fault:")
        lines.extend(f"    {line}" for line in result.why_not)
    return lines
