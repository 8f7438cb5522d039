"""The hostile-input corpus: one entry per hostile input, run as a real `linewise` process.

An entry is a YAML file in tests/data/hostile/, validated by `Entry` (a typo is
an error):

    about: a self-referencing YAML alias in a pack     # one sentence
    argv: [pack, validate, "{dir}/loop.yaml"]           # linewise's arguments
    files:                                              # written into {dir} first
      loop.yaml: "loop: &a [*a]\n"
      deep.yaml: {repeat: "[", times: 2000, prefix: "x: ", suffix: ""}
      raw.yaml: {hex: "fffe00"}                         # bytes
    symlinks: {"self.yaml": "self.yaml"}                # name -> target
    before: [[cases, simulate, --count, "3"]]           # run first, each must exit 0
    env: {LINEWISE_STORE: "{dir}/cases.sqlite3"}        # added to a clean env
    stdin: ""                                           # default: no input at all
    exit: 2
    stderr: ["loop\\.yaml", "alias"]                    # regexes, all must match
    stdout: []                                          # the same for stdout
    absent: ["{dir}/pwned"]                             # must not exist afterwards
    seconds: 20                                         # wall limit
    memory_mb: 600                                      # address-space limit

`{dir}` is a fresh folder, also the working directory and home of the run;
`{root}` is the repository. `run_entry` runs `python -m cli.main ARGV...` under
RLIMIT_AS and a wall clock (the process group is killed at the limit);
`problems` lists every broken promise: another exit code, a "Traceback" in
stdout or stderr, an unmatched pattern, over time, an `absent` path present.
The bad-pack and bad-answer corpora (tests/data/bad_packs, tests/data/bad_answers)
become entries too, so they get the same guarantees in a real process; their
exact texts stay checked in tests/test_bad_input.py.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "hostile"
MAX_GENERATED_BYTES = 256 * 1024 * 1024  # what one generated file may weigh on disk


class Repeat(BaseModel):
    """Generated content, `prefix + repeat * times + suffix`: big or deep inputs kept small here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repeat: str = Field(min_length=1)
    times: int = Field(ge=0)
    prefix: str = ""
    suffix: str = ""

    def render(self) -> bytes:
        size = len((self.prefix + self.suffix).encode()) + len(self.repeat.encode()) * self.times
        if size > MAX_GENERATED_BYTES:
            raise ValueError(f"generated content of {size} bytes is over the corpus' limit")
        return (self.prefix + self.repeat * self.times + self.suffix).encode("utf-8")


class RawBytes(BaseModel):
    """Content given as hexadecimal bytes (not UTF-8, NUL bytes, byte-order marks)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hex: str

    @field_validator("hex")
    @classmethod
    def _is_hex(cls, value: str) -> str:
        bytes.fromhex(value)
        return value

    def render(self) -> bytes:
        return bytes.fromhex(self.hex)


Content = str | Repeat | RawBytes


def _inside(name: str) -> str:
    parts = Path(name).parts
    if not parts or Path(name).is_absolute() or ".." in parts:
        raise ValueError(f"{name!r} must be a relative path inside {{dir}}")
    return name


FileName = Annotated[str, AfterValidator(_inside)]


class Entry(BaseModel):
    """One hostile input and what linewise must do with it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    about: str = Field(min_length=1)
    before: list[list[str]] = []  # linewise commands that set the scene; each must exit 0
    argv: list[str] = Field(min_length=1)
    files: dict[FileName, Content] = {}
    symlinks: dict[FileName, str] = {}
    env: dict[str, str] = {}
    stdin: str | None = None
    exit: int = Field(ge=0, le=255)
    stderr: list[str] = []
    stdout: list[str] = []
    absent: list[str] = []  # paths ({dir} allowed) that must not exist afterwards
    seconds: float = Field(default=20, gt=0, le=600)
    memory_mb: int = Field(default=600, ge=100, le=8192)

    @field_validator("stderr", "stdout")
    @classmethod
    def _are_regexes(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as err:
                raise ValueError(f"{pattern!r} is not a regular expression: {err}") from err
        return patterns


def load_entry(path: Path) -> Entry:
    """Read and validate one corpus file; a typo in it fails here, naming the file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Entry.model_validate(data)


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.yaml"))


def folded_entries() -> dict[str, Entry]:
    """The bad-pack and bad-answer corpora as entries (their exact texts are tested elsewhere)."""
    entries: dict[str, Entry] = {}
    for pack in sorted((ROOT / "tests" / "data" / "bad_packs").glob("*.yaml")):
        entries[f"bad_packs/{pack.stem}"] = Entry(
            about=f"the bad pack {pack.name}",
            argv=["pack", "validate", str(pack)],
            exit=2,
            stderr=[re.escape(pack.name), r"\d+ problems? in rule packs"],
        )
    for answers in sorted((ROOT / "tests" / "data" / "bad_answers").glob("*.yaml")):
        entries[f"bad_answers/{answers.stem}"] = Entry(
            about=f"the bad answer file {answers.name}",
            argv=["diagnose", "--answers", str(answers)],
            exit=2,
            stderr=[re.escape(answers.name), r"\d+ problems? in input"],
        )
    return entries


def _substitute(text: str, folder: Path) -> str:
    return text.replace("{dir}", str(folder)).replace("{root}", str(ROOT))


@dataclass(frozen=True)
class Outcome:
    """What one run did."""

    exit: int | None  # None: killed at the wall limit
    stdout: str
    stderr: str
    seconds: float
    present: tuple[str, ...] = ()  # the `absent` paths that exist after the run


def prepare(entry: Entry, folder: Path) -> None:
    """Write the entry's files and symlinks into `folder`."""
    for name, content in entry.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content.render())
    for name, target in entry.symlinks.items():
        link = folder / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(_substitute(target, folder))


def clean_env(entry: Entry, folder: Path) -> dict[str, str]:
    """A minimal environment: nothing of the caller's store, registry or locale leaks in."""
    home = folder / ".home"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLCONFIGDIR": str(home / "mpl"),
        "OPENBLAS_NUM_THREADS": "1",  # numpy's thread pool would reserve address space per core
    }
    env.update({key: _substitute(value, folder) for key, value in entry.env.items()})
    return env


LINEWISE = (sys.executable, "-m", "cli.main")


class SceneError(AssertionError):
    """A `before` command of an entry failed: the entry is wrong, not linewise."""


def run_entry(entry: Entry, folder: Path, program: tuple[str, ...] = LINEWISE) -> Outcome:
    """Run `linewise ARGV` for the entry in `folder`, under its memory and time limits."""
    prepare(entry, folder)
    for argv in entry.before:
        done = subprocess.run(
            [*program, *(_substitute(a, folder) for a in argv)],
            cwd=folder,
            env=clean_env(entry, folder),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise SceneError(f"'before' command {argv} exited {done.returncode}: {done.stderr!r}")
    limit = entry.memory_mb * 1024 * 1024

    def limits() -> None:  # runs in the child, before exec
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    argv = [*program, *(_substitute(a, folder) for a in entry.argv)]
    started = time.monotonic()
    process = subprocess.Popen(
        argv,
        cwd=folder,
        env=clean_env(entry, folder),
        stdin=subprocess.PIPE if entry.stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=limits,
        start_new_session=True,  # so a run over its time is killed with all it started
    )
    stdin = _substitute(entry.stdin, folder).encode() if entry.stdin is not None else None
    try:
        out, err = process.communicate(stdin, timeout=entry.seconds)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        code = None
    elapsed = time.monotonic() - started
    paths = [_substitute(path, folder) for path in entry.absent]
    return Outcome(
        exit=code,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        seconds=elapsed,
        present=tuple(path for path in paths if os.path.lexists(path)),
    )


def problems(entry: Entry, outcome: Outcome) -> list[str]:
    """Every way the run broke the entry's promise (empty when it kept it)."""
    found: list[str] = []
    if outcome.exit is None:
        found.append(f"still running after {entry.seconds:g} s (killed)")
    elif outcome.exit != entry.exit:
        found.append(f"exit code {outcome.exit}, expected {entry.exit}")
    if outcome.seconds > entry.seconds:
        found.append(f"took {outcome.seconds:.1f} s, over the {entry.seconds:g} s bound")
    for stream, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
        if "Traceback" in text:
            found.append(f"a traceback in {stream}")
    for pattern in entry.stderr:
        if not re.search(pattern, outcome.stderr):
            found.append(f"stderr does not match {pattern!r}")
    for pattern in entry.stdout:
        if not re.search(pattern, outcome.stdout):
            found.append(f"stdout does not match {pattern!r}")
    found.extend(f"{path} exists (it must not)" for path in outcome.present)
    return found
