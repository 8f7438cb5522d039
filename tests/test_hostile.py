"""Every hostile input in the corpus gets its documented exit code, a clear message, no
traceback, within bounded time and memory, in a real `linewise` process.

The corpus is tests/data/hostile/*.yaml (one file per input; see tests/hostile.py
for the format) plus the bad-pack and bad-answer corpora.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.hostile import (
    Entry,
    Outcome,
    corpus_files,
    folded_entries,
    load_entry,
    problems,
    run_entry,
)

CASES: list[tuple[str, Path | Entry]] = [
    *((path.stem, path) for path in corpus_files()),
    *folded_entries().items(),
]


@pytest.mark.parametrize(("name", "source"), CASES, ids=[name for name, _ in CASES])
def test_hostile_input(name: str, source: Path | Entry, tmp_path: Path) -> None:
    entry = load_entry(source) if isinstance(source, Path) else source
    outcome = run_entry(entry, tmp_path)
    found = problems(entry, outcome)
    assert not found, (
        f"{name} ({entry.about}): "
        + "; ".join(found)
        + f"\n--- stderr\n{outcome.stderr[-3000:]}\n--- stdout\n{outcome.stdout[-2000:]}"
    )


def test_the_corpus_is_there() -> None:
    assert len(corpus_files()) >= 1
    assert any(name.startswith("bad_packs/") for name, _ in CASES)
    assert any(name.startswith("bad_answers/") for name, _ in CASES)


def test_a_typo_in_an_entry_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text("about: x\nargv: [pack, validate]\nexit: 2\nstderrs: [x]\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="stderrs"):
        load_entry(path)
    path.write_text("about: x\nargv: [x]\nexit: 2\nstderr: ['(']\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="stderr"):
        load_entry(path)
    path.write_text("about: x\nargv: [x]\nexit: 2\nfiles: {'../out': ''}\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="files"):
        load_entry(path)


def test_the_runner_sees_every_broken_promise() -> None:
    entry = Entry(about="x", argv=["x"], exit=3, stderr=["named"], seconds=1)
    bad = Outcome(exit=2, stdout="Traceback (most recent", stderr="", seconds=1.5)
    found = problems(entry, bad)
    assert len(found) == 4, found
    assert problems(entry, Outcome(exit=3, stdout="", stderr="it is named", seconds=0.5)) == []
    assert problems(entry, Outcome(exit=None, stdout="", stderr="named", seconds=1.2))


def test_the_runner_enforces_the_wall_clock(tmp_path: Path) -> None:
    entry = Entry(about="sleeps", argv=["import time; time.sleep(60)"], exit=0, seconds=1)
    outcome = run_entry(entry, tmp_path, program=(sys.executable, "-c"))
    assert outcome.exit is None
    assert outcome.seconds < 10
    assert "still running after 1 s (killed)" in problems(entry, outcome)


def test_the_runner_enforces_the_memory_limit(tmp_path: Path) -> None:
    grab = "import sys; b = bytearray(400 * 2**20); sys.exit(0)"
    entry = Entry(about="takes 400 MB", argv=[grab], exit=0, memory_mb=200)
    outcome = run_entry(entry, tmp_path, program=(sys.executable, "-c"))
    assert outcome.exit == 1
    assert "MemoryError" in outcome.stderr
    roomy = run_entry(
        entry.model_copy(update={"memory_mb": 1000}), tmp_path, (sys.executable, "-c")
    )
    assert roomy.exit == 0


def test_generated_files_symlinks_and_env_reach_the_run(tmp_path: Path) -> None:
    show = (
        "import os, sys; d = sys.argv[1]; "
        "print(len(open(d + '/deep.yaml').read()), open(d + '/raw', 'rb').read().hex(), "
        "os.readlink(d + '/self'), os.environ['LINEWISE_STORE'], sys.stdin.read())"
    )
    entry = Entry.model_validate(
        {
            "about": "shows what it was given",
            "argv": [show, "{dir}"],
            "files": {
                "deep.yaml": {"repeat": "[", "times": 2000, "prefix": "x: "},
                "raw": {"hex": "fffe00"},
            },
            "symlinks": {"self": "self"},
            "env": {"LINEWISE_STORE": "{dir}/cases.sqlite3"},
            "stdin": "typed",
            "exit": 0,
        }
    )
    outcome = run_entry(entry, tmp_path, program=(sys.executable, "-c"))
    assert outcome.stdout.split() == [
        "2003",
        "fffe00",
        "self",
        f"{tmp_path}/cases.sqlite3",
        "typed",
    ]
