"""The `linewise` program starts here: the signal set-up comes before any heavy import.

A command's modules are imported when it runs (cli.lazy), which can take a second
(pydantic, networkx, experta, the store); a Ctrl-C or SIGTERM in that time exits 130
or 143 with one line, never a traceback.
Everything after the imports is cli.main's (exit codes, messages).
"""

from __future__ import annotations

import sys

from cli import signals


def main() -> None:
    """Console entry point (`linewise`)."""
    started = False
    try:  # a signal may come while the handlers are being installed, too
        signals.install()
        from cli.main import main as run

        started = True
        run()
    except (KeyboardInterrupt, signals.Terminated) as stop:  # while starting or exiting
        signals.hold()
        when = "" if started else " while starting; nothing was changed"
        sys.stderr.write(f"\n{signals.describe(stop)}{when}\n")
        sys.exit(signals.exit_code(stop))
