"""Paths given by people and file names built from data, made safe to use.

A path may be a symbolic-link loop (Python's `Path.resolve` then raises
RuntimeError); a file name built from stored data (a complaint, a case id) may
hold '/' or '..' and point anywhere. Every such name goes through `confined`, which
keeps the file inside the folder it was meant for.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

from rules.errors import InvalidInput

MAX_NAME = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+", re.ASCII)


def is_loop(err: BaseException) -> bool:
    """Whether an error from the file system means a symbolic-link loop."""
    return isinstance(err, RuntimeError) or (isinstance(err, OSError) and err.errno == errno.ELOOP)


def loop_error(path: Path) -> InvalidInput:
    return InvalidInput(
        f"{path}: a symbolic link loop", hint="point the link at a real file or folder"
    )


def resolved(path: Path) -> Path:
    """`path` made absolute with its links followed; a link loop is a clear error."""
    try:
        return path.resolve()
    except (RuntimeError, OSError) as err:
        if is_loop(err):
            raise loop_error(path) from err
        raise


def safe_name(text: str, fallback: str = "unnamed") -> str:
    """A file name from data: ASCII letters, digits, '.', '-' and '_' only (a run of anything
    else becomes one '-'), no leading dot, at most 100 characters, never empty."""
    name = _UNSAFE.sub("-", text).lstrip(".-")[:MAX_NAME].rstrip(".-")
    return name or fallback


def confined(folder: Path, *names: str) -> Path:
    """`folder` joined with each of `names` made safe, and checked to stay inside `folder`
    even when a link below it points elsewhere."""
    path = folder.joinpath(*(safe_name(name) for name in names))
    base = resolved(folder)
    if not resolved(path).is_relative_to(base):
        raise InvalidInput(
            f"{path} would be written outside {folder}",
            hint=f"remove the symbolic link in {folder} that points elsewhere",
        )
    return path
