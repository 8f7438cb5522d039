"""One signal set-up for the whole program: Ctrl-C and SIGTERM become exceptions.

SIGINT raises `KeyboardInterrupt` (Python's own handler, kept) and SIGTERM raises
`Terminated`, so both unwind through the same code: an open guided session records a
`quit` event (the case is paused and resumable) and cli.main maps the exception to
its exit code, 130 or 143 (128 + the signal's number, as shells report it).

`install` is the first instruction of the `linewise` program (cli.entry), before any
heavy import, so a signal during start-up is handled too. Only a signal that arrives
while the Python interpreter itself is starting (before linewise's first line runs)
gets Python's default behaviour. A disposition inherited as "ignore" (e.g. SIGINT for
a background job of a non-interactive shell) is respected, as Python does for SIGINT.
This module imports nothing but the standard library: it must stay cheap.
"""

from __future__ import annotations

import os
import signal
from types import FrameType

EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143
_wakeup: list[int] = []  # the read end of the wake-up pipe, once installed


class Terminated(BaseException):
    """SIGTERM arrived: a service manager, `kill` or a closing session stopped linewise.

    A BaseException, like KeyboardInterrupt, so `except Exception` never swallows it.
    """


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def install() -> None:
    """SIGINT -> KeyboardInterrupt, SIGTERM -> Terminated (unless inherited as ignored),
    and a wake-up pipe that a signal writes to, so a wait on input can see it
    (cli.lines)."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_IGN:
        signal.signal(signal.SIGTERM, _terminate)
    if not _wakeup:
        read_end, write_end = os.pipe()
        os.set_blocking(read_end, False)
        os.set_blocking(write_end, False)
        signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        _wakeup.append(read_end)


def wakeup_fd() -> int | None:
    """The read end of the wake-up pipe (None until `install` ran in this process)."""
    return _wakeup[0] if _wakeup else None


def drain(fd: int) -> None:
    """Empty the wake-up pipe (what woke the wait has been seen)."""
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def hold() -> None:
    """Ignore both signals from now on: the program is already stopping, and a second
    Ctrl-C must not turn a clean exit into a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def exit_code(stop: BaseException) -> int:
    """The exit code for a stop by signal (130 for Ctrl-C, 143 for SIGTERM)."""
    return EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED


def describe(stop: BaseException) -> str:
    return "terminated (SIGTERM)" if isinstance(stop, Terminated) else "interrupted (Ctrl-C)"
