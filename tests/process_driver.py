"""`linewise` as a real process on pipes, answered prompt by prompt (for signal and fault
tests): start-up can be waited for, and the test can act between any two prompts."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

LINEWISE = str(Path(sys.executable).parent / "linewise")
QUESTION = re.compile(r"^Q\d+ \[(\w+)\]", re.MULTILINE)
FIX_PROMPT = "Did the fix work? (yes/no) > "
WIRED = {
    "wired_cable_seated": "yes",
    "wired_neighbours_ok": "yes",
    "wired_link_light": "no",
    "wired_other_cable_works": "yes",
    "wired_adapter_enabled": "yes",
    "wired_ip_kind": "none",
}
WIRED_OUTCOME = {"status": "resolved", "line": 1, "fault": "wired_cable_faulty"}
INTAKE = [
    *("--customer", "x", "--location", "y", "--equipment-type", "pc", "--model", "m"),
    *("--serial", "s", "--service-form", "paid", "--channel", "phone"),
    *("--complaint", "wired_no_network"),
]


def _as_a_terminal_would() -> None:
    """A foreground job gets the default dispositions, whatever the test runner ignores."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class Agent:
    """One `linewise diagnose` on pipes, answering from `answers` ('unknown' when absent)
    and confirming fixes."""

    def __init__(self, answers: Mapping[str, str], store: Path, args: list[str] | None = None):
        self.answers = answers
        self.output = ""
        self.typed: list[tuple[str, str]] = []  # (question, answer) in the order typed
        self.acknowledged = 0  # how many of them linewise took in (a prompt came after)
        self.ended = False
        self.proc = subprocess.Popen(
            [LINEWISE, *(args or ["diagnose", *INTAKE])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "LINEWISE_STORE": str(store), "PYTHONFAULTHANDLER": "1"},
            preexec_fn=_as_a_terminal_would,
        )

    def wait_started(self, timeout: float = 30) -> float:
        """Wait until linewise's signal set-up has run (SIGTERM is caught, per /proc);
        returns the monotonic time it was seen."""
        status = Path(f"/proc/{self.proc.pid}/status")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                caught = next(
                    int(line.split()[1], 16)
                    for line in status.read_text().splitlines()
                    if line.startswith("SigCgt:")
                )
            except (FileNotFoundError, ProcessLookupError, StopIteration):
                caught = 0
            if caught & (1 << (signal.SIGTERM - 1)) or self.proc.poll() is not None:
                return time.monotonic()
            time.sleep(0.001)
        raise AssertionError(f"linewise did not start within {timeout}s")

    def read(self, timeout: float) -> bool:
        """Read what is there within `timeout`; False once the output has ended."""
        assert self.proc.stdout is not None
        if self.ended:
            return False
        ready, _, _ = select.select([self.proc.stdout], [], [], max(timeout, 0))
        if ready:
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                self.ended = True
                return False
            self.output += chunk.decode("utf-8", "replace")
        return True

    def at_prompt(self) -> bool:
        return self.output.endswith("> ")

    def wait_prompt(self, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while not self.at_prompt():
            if not self.read(0.2):
                return False
            if time.monotonic() > deadline:
                raise AssertionError(f"no prompt within {timeout}s:\n{self.output}")
        return True

    def answer(self) -> None:
        """Answer the prompt on screen."""
        assert self.proc.stdin is not None and self.at_prompt()
        self.acknowledged = len(self.typed)  # a new prompt: everything before is stored
        if self.output.endswith(FIX_PROMPT):
            question, line = "", "yes"
        else:
            question = QUESTION.findall(self.output)[-1]
            line = self.answers.get(question, "unknown")
            self.typed.append((question, line))
        try:
            self.proc.stdin.write((line + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        self.output = self.output[:-2] + "> " + line + "\n"

    def finish(self, timeout: float = 60) -> int:
        """Read to the end (answering nothing more); the exit code."""
        deadline = time.monotonic() + timeout
        while self.read(0.2):
            if time.monotonic() > deadline:  # show where it hangs (faulthandler), then fail
                self.proc.send_signal(signal.SIGABRT)
                time.sleep(1)
                self.read(1)
                self.proc.kill()
                raise AssertionError(f"linewise did not end within {timeout}s:\n{self.output}")
        return self.proc.wait(timeout=timeout)

    def case_id(self) -> str | None:
        found = re.search(r"Case (C-\d{6})", self.output)
        return found.group(1) if found else None
