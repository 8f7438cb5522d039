"""Worker processes of the replay pool take the default signal actions."""

from __future__ import annotations

import signal

from cases.pool import run_all
from cli import signals


def handler_of_sigterm(_item: int) -> bool:
    return signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_workers_do_not_inherit_the_command_line_handlers() -> None:
    """A worker that kept cli.signals' SIGTERM handler printed a `Terminated` traceback
    when the pool shut down (seen now and then under `linewise test` and `pack import`)."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        signals.install()
        assert signal.getsignal(signal.SIGTERM) != signal.SIG_DFL
        assert run_all(handler_of_sigterm, [1, 2, 3, 4], jobs=2, serial_below=0) == [True] * 4
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
