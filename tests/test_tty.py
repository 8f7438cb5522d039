"""On a real terminal (a pseudo-terminal here) the session has line editing: Up recalls
the previous line instead of typing '^[[A'."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time
from pathlib import Path

import pytest
from guided_driver import case_json

LINEWISE = str(Path(sys.executable).parent / "linewise")
ARGS = [
    "diagnose",
    *("--customer", "x", "--location", "y", "--equipment-type", "pc", "--model", "m"),
    *("--serial", "s", "--service-form", "paid", "--channel", "phone"),
    *("--complaint", "wired_no_network"),
]


PROMPT = b"\x1b[?2004h"  # prompt_toolkit turns bracketed paste on when its prompt is ready


def _read_until(
    fd: int, seen: bytearray, needle: bytes, timeout: float = 60, count: int = 1
) -> None:
    deadline = time.monotonic() + timeout
    while seen.count(needle) < count:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"no {needle!r} within {timeout}s:\n{seen.decode(errors='replace')}"
            )
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                return


@pytest.mark.slow
def test_up_arrow_recalls_the_last_answer_on_a_terminal() -> None:
    pid, fd = pty.fork()
    if pid == 0:  # the child: linewise on the pseudo-terminal
        os.environ["TERM"] = "xterm"
        os.environ["PROMPT_TOOLKIT_NO_CPR"] = "1"
        os.execv(LINEWISE, [LINEWISE, *ARGS])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 80, 0, 0))
    seen = bytearray()
    try:
        _read_until(fd, seen, b"Q1.")
        _read_until(fd, seen, PROMPT)
        os.write(fd, b"yes\r")
        _read_until(fd, seen, b"Q2.")
        _read_until(fd, seen, PROMPT, count=2)
        os.write(fd, b"\x1b[A")  # Up: the line typed before ('yes')
        time.sleep(0.5)
        os.write(fd, b"\r")
        _read_until(fd, seen, b"Q3.")
        _read_until(fd, seen, PROMPT, count=3)
        os.write(fd, b"quit\r")
        _read_until(fd, seen, b"Saved case")
    finally:
        os.close(fd)
        os.waitpid(pid, 0)
    answers = [e["value"] for e in case_json("C-000001")["events"] if e["kind"] == "answer"]
    assert answers == [True, True]
