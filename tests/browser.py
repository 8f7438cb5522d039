"""A real `linewise serve` on 127.0.0.1 and Debian's chromium driven by Playwright.

The browser is the system's (/usr/bin/chromium, installed by scripts/setup.sh), started
headless with the flags a closed network needs; Playwright never downloads its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "browser-test-pass"
LINEWISE = str(Path(sys.executable).parent / "linewise")  # the venv's console script


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def linewise(*args: str, env: dict[str, str], stdin: str = "") -> str:
    done = subprocess.run(
        [LINEWISE, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass
class Server:
    url: str
    store: Path
    env: dict[str, str]
    log: Path
    pid: int  # the server's process (one worker: the only one)


@contextmanager
def served(
    tmp: Path, users: dict[str, str], workers: int = 1, packs: tuple[Path, ...] = ()
) -> Iterator[Server]:
    """`linewise serve` with a first admin and the given users (name -> role); `packs`:
    these packs instead of the shipped ones."""
    store = tmp / "data" / "cases.sqlite3"
    env = {
        **os.environ,
        "LINEWISE_STORE": str(store),
        "LINEWISE_ADMIN_PASSWORD": PASSWORD,
        "LINEWISE_REGISTRY": str(tmp / "registry"),
    }
    env.pop("LINEWISE_SECRET", None)
    for name, role in users.items():
        linewise("user", "add", name, "--role", role, "--password-stdin", env=env, stdin=PASSWORD)
    port = free_port()
    log = tmp / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                LINEWISE,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--admin",
                "admin",
                *(arg for pack in packs for arg in ("--packs", str(pack))),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the server did not start:\n" + log.read_text())
            time.sleep(0.3)
        yield Server(url, store, env, log, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
