"""Reading the agent's lines without a window where a signal waits behind a read.

`input()` blocks in read(2) with no Python code between printing the prompt and the
read: a SIGTERM or Ctrl-C that lands in that instant only runs its handler once a line
arrives, so the program hangs on a pipe. Here the wait is a select() on stdin and the
signal wake-up pipe (cli.signals): a signal that arrives before the wait wakes it at
once, and its handler runs. Without a real stdin (click's test runner) or outside the
`linewise` program, `input()` is used as before.
"""

from __future__ import annotations

import io
import os
import select
import sys

from cli import signals

CHUNK = 65536


class _Stdin:
    """Unbuffered lines from file descriptor 0 (nothing else reads it)."""

    def __init__(self) -> None:
        self.pending = b""
        self.ended = False

    def readline(self, wake: int) -> str:
        while b"\n" not in self.pending and not self.ended:
            ready, _, _ = select.select([0, wake], [], [])
            if wake in ready:
                signals.drain(wake)  # the handler runs as soon as this returns
            if 0 in ready:
                chunk = os.read(0, CHUNK)
                self.pending += chunk
                self.ended = not chunk
        if not self.pending:
            raise EOFError
        line, _, self.pending = self.pending.partition(b"\n")
        return line.decode(sys.stdin.encoding or "utf-8", "replace")


_STDIN = _Stdin()


def read_line(prompt: str) -> str:
    """One line typed by the agent (EOFError at the end of input)."""
    wake = signals.wakeup_fd()
    if wake is None or not _real_stdin():
        return input(prompt)
    sys.stdout.write(prompt)
    sys.stdout.flush()
    return _STDIN.readline(wake)


def _real_stdin() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.fileno() == 0
    except (io.UnsupportedOperation, ValueError, AttributeError):
        return False
