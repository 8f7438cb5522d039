"""The `linewise` command: a thin layer; expected errors become messages and exit codes here.

Exit codes (stable):
  0  success
  1  a check failed (verification errors, golden case mismatches)
  2  bad input: a broken pack, case or answer file, a wrong answer, a usage error
  3  an unknown id (question, fault, pack, line, case)
  4  the case store cannot be used (locked, full disk, unreadable)
  70 the installation is broken (e.g. experta cannot be imported)
  130 interrupted (Ctrl-C); everything answered so far is saved
  143 terminated (SIGTERM); everything answered so far is saved

Signals: cli.entry installs the handlers (cli.signals) before anything else; a guided
session that is stopped records a `quit` event and adds a note naming its case, and
`stopped` below turns the stop into one line and its exit code.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from cli import signals
from cli.lazy import Lazy, LazyGroup
from rules.errors import LinewiseError

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_UNKNOWN_ID = 3
EXIT_STORE = 4
EXIT_INSTALL = 70
EXIT_INTERRUPTED = signals.EXIT_INTERRUPTED  # 130
EXIT_TERMINATED = signals.EXIT_TERMINATED  # 143


def stopped(stop: BaseException) -> int:
    """Report a stop by signal in one line (with the notes a guided session added, e.g.
    which case is saved) and return its exit code: 130 for Ctrl-C, 143 for SIGTERM."""
    notes = getattr(stop, "__notes__", None) or ["nothing saved so far is lost"]
    click.echo(f"\n{signals.describe(stop)}; " + "; ".join(notes), err=True)
    return signals.exit_code(stop)


# The subcommands, imported only when they run (cli.lazy): `linewise --version` and
# `--help` import none of them, `pack validate` only the pack models.
COMMANDS: dict[str, Lazy] = {
    "case": Lazy("cli.case", "case", "Stored cases: transcripts and listings."),
    "cases": Lazy(
        "cli.cases", "cases_group", "Work on the history of cases: simulate one, mine it for gaps."
    ),
    "diagnose": Lazy(
        "cli.diagnose",
        "diagnose",
        "Guide a diagnosis question by question, or diagnose from given answers.",
    ),
    "explain": Lazy(
        "cli.diagnose",
        "explain",
        "Explain a diagnosis: HOW it was reached and WHY NOT other faults.",
    ),
    "graph": Lazy("cli.graph", "graph", "Draw the decision graph for trainers."),
    "helpdesk": Lazy(
        "cli.helpdesk",
        "helpdesk_group",
        "Work inside a helpdesk (Request Tracker; Zammad and GLPI by webhooks on `serve`).",
    ),
    "learn": Lazy(
        "cli.learn",
        "learn",
        "Learn fault frequencies, fix success and question minutes from the case history.",
    ),
    "pack": Lazy("cli.pack", "pack", "Write, check and inspect rule packs."),
    "registry": Lazy(
        "cli.registry",
        "registry_group",
        "The published-pack registry (kept in the case store): export it, import it.",
    ),
    "report": Lazy(
        "cli.report",
        "report",
        "Report Line 1 resolution, escalations, questions, time to resolve and SLA attainment.",
    ),
    "resume": Lazy(
        "cli.resume",
        "resume",
        "Continue a case where it stopped; an escalated case starts the next line's session.",
    ),
    "serve": Lazy(
        "cli.serve",
        "serve",
        "Serve the JSON API (/api/), the agent console (/console/) and the self-service "
        "portal (/portal/) with uvicorn.",
    ),
    "store": Lazy(
        "cli.store",
        "store_group",
        "The case store: check it, bring its schema up to date, copy it into another store.",
    ),
    "test": Lazy(
        "cli.golden",
        "test",
        "Replay golden case files (default: the shipped library) and check their outcomes.",
    ),
    "user": Lazy("cli.serve", "user", "Web accounts: agents with roles, and API tokens."),
}


class LinewiseGroup(LazyGroup):
    """A click group that reports linewise's expected errors without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LinewiseError as err:
            from cli.options import json_refusal

            json_refusal(ctx, err)
            click.echo(
                f"error: {err.render()}" if "\n" not in err.render() else err.render(), err=True
            )
            ctx.exit(err.exit_code)
        except (KeyboardInterrupt, signals.Terminated) as stop:
            ctx.exit(stopped(stop))
        except OSError as err:
            if err.errno == 28:  # ENOSPC
                click.echo(
                    f"error: the disk is full ({err.filename or 'writing'}); free some space "
                    "and run the command again",
                    err=True,
                )
                ctx.exit(EXIT_STORE)
            raise

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Parsing the command line: a signal here exits 130/143 too (not click's 'Aborted!')."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except (KeyboardInterrupt, signals.Terminated) as stop:
            raise click.exceptions.Exit(stopped(stop)) from None


@click.group(
    cls=LinewiseGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="linewise")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """linewise: an expert system for tiered technical support (Line 1-4).

    \b
    Example:
      linewise diagnose --answer wired_cable_seated=no --json
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def main() -> None:
    """Run the command line (cli.entry has set up the signals; `python -m cli.main` too)."""
    signals.install()
    try:
        cli.main(standalone_mode=True)
    except (KeyboardInterrupt, signals.Terminated) as stop:  # between click's own steps
        signals.hold()
        sys.exit(stopped(stop))
    finally:
        signals.hold()  # the work is done: a late signal must not disturb the exit


if __name__ == "__main__":  # `python -m cli.main`, as the hostile-input corpus runs it
    main()
