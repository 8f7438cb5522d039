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


class LinewiseGroup(click.Group):
    """A click group that reports linewise's expected errors without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LinewiseError as err:
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


@click.group(cls=LinewiseGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


def _register() -> None:
    from cli import (
        case,
        case_tools,
        cases,
        diagnose,
        golden,
        graph,
        helpdesk,
        pack,
        pack_versions,
        registry,
        report,
        serve,
        store,
    )

    cli.add_command(diagnose.diagnose)
    cli.add_command(case.resume)
    cli.add_command(case.case)
    case.case.add_command(case_tools.export)
    case.case.add_command(case_tools.replay)
    cli.add_command(diagnose.explain)
    cli.add_command(pack.pack)
    cli.add_command(graph.graph)
    cli.add_command(golden.test)
    cli.add_command(cases.cases_group)
    cli.add_command(report.report)
    cli.add_command(serve.serve)
    cli.add_command(serve.user)
    cli.add_command(store.store_group)
    cli.add_command(registry.registry_group)
    cli.add_command(helpdesk.helpdesk_group)
    pack.pack.add_command(pack_versions.diff)
    pack.pack.add_command(pack_versions.publish)
    pack.pack.add_command(pack_versions.history)
    pack.pack.add_command(pack_versions.archive)


_register()


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
