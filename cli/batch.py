"""`diagnose --answers` over many inputs: files, folders, JSON Lines; one result per input.

All inputs are diagnosed in one process with the packs compiled once per line
(engine.api), and each result is printed as soon as it is known (a JSON line with
--json), so a long batch streams. A broken input yields an error result and the batch
goes on; the exit code is then the highest of the errors' codes (2 for a bad input).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import click

from engine.answers import LoadedInput, case_input, read_case_input
from engine.api import Linewise
from engine.diagnose import said
from engine.result import Diagnosis
from present.names import Namer
from present.say import said_texts
from rules.errors import Diagnostic, InputError, LinewiseError
from rules.knowledge import KnowledgeBase
from rules.limits import LIMITS
from rules.loader import PACK_SUFFIXES, data_files
from rules.source import DataFileError, display_path, parse_data

JSONL = (".jsonl", ".ndjson")
MAX_LINE = 1 << 20  # one JSON line (one case) of at most 1 MiB


@dataclass(frozen=True)
class Given:
    """What the command line adds to every input (its values win)."""

    intake: dict[str, Any]
    answers: dict[str, Any]
    line: int | None


def is_batch(sources: tuple[Path, ...]) -> bool:
    """More than one input, a folder, JSON Lines or standard input ('-')."""
    if len(sources) != 1:
        return len(sources) > 1
    one = sources[0]
    return str(one) == "-" or one.suffix.lower() in JSONL or one.is_dir()


def inputs(sources: tuple[Path, ...]) -> Iterator[tuple[str, LoadedInput | LinewiseError]]:
    """(label, case or error) for every input, in the order given (folders sorted)."""
    for source in sources:
        if str(source) == "-":
            yield from _lines(sys.stdin, "<stdin>")
        elif source.suffix.lower() in JSONL and source.is_file():
            with source.open(encoding="utf-8", errors="replace") as handle:
                yield from _lines(handle, display_path(source))
        else:
            if source.is_dir() and not data_files([source], PACK_SUFFIXES + JSONL):
                found = "no answer files in this folder (*.yaml, *.yml, *.json, *.jsonl)"
                yield display_path(source), InputError([Diagnostic(str(source), 0, 0, "", found)])
            for path in data_files([source], PACK_SUFFIXES + JSONL):
                if path.suffix.lower() in JSONL:
                    yield from inputs((path,))
                    continue
                try:
                    yield display_path(path), read_case_input(path)
                except LinewiseError as err:
                    yield display_path(path), err


def _lines(handle: TextIO, name: str) -> Iterator[tuple[str, LoadedInput | LinewiseError]]:
    for number, text in enumerate(iter(lambda: handle.readline(MAX_LINE + 1), ""), start=1):
        label = f"{name}:{number}"
        if len(text) > MAX_LINE:
            yield label, InputError([Diagnostic(name, number, 1, "", "a line over 1 MiB")])
            while text and not text.endswith("\n"):  # skip the rest of the long line
                text = handle.readline(MAX_LINE)
            continue
        if not text.strip():
            continue
        try:
            data, smap = parse_data(text.encode("utf-8"), name, limits=LIMITS)
            if not isinstance(data, dict):
                raise InputError([Diagnostic(name, number, 1, "", "expected a JSON object")])
            for places in (smap.values, smap.keys):  # the line's own place in the file
                for key, (_line, col) in list(places.items()):
                    places[key] = (number, col)
            yield label, case_input(data, smap)
        except DataFileError as err:
            yield label, InputError(err.diagnostics)
        except LinewiseError as err:
            yield label, err


def run_batch(
    lw: Linewise,
    sources: tuple[Path, ...],
    given: Given,
    *,
    lang: str,
    as_json: bool,
    document: Any,
    everything: bool = False,
) -> int:
    """Diagnose every input and print each result at once; the exit code."""
    worst = 0
    width = shutil.get_terminal_size((80, 24)).columns
    for label, loaded in inputs(sources):
        try:
            if isinstance(loaded, LinewiseError):
                raise loaded
            line = given.line or loaded.case.line
            intake = {**loaded.case.intake, **given.intake}
            answers = {**loaded.case.answers, **given.answers}
            diagnosis = lw.diagnose(
                intake,
                answers,
                line=line,
                lang=lang,
                source=loaded.source,
                fixes=loaded.case.fixes,
            )
        except LinewiseError as err:
            worst = max(worst, err.exit_code)
            if as_json:
                error = {"message": err.render(), "exit": err.exit_code}
                click.echo(json.dumps({"input": label, "error": error}, ensure_ascii=False))
            else:
                click.echo(f"{label}: {err.render()}", err=True)
            continue
        compiled = lw.compiled(line)
        texts = said_texts(said(compiled, diagnosis), compiled.kb, lang)
        if as_json:
            data = {
                "input": label,
                **diagnosis_json(diagnosis, compiled.kb, texts, everything=everything),
            }
            click.echo(json.dumps(data, ensure_ascii=False))
        else:
            click.echo(f"== {label}\n{document(diagnosis, compiled.kb, width, texts)}\n")
    return worst


def diagnosis_json(
    diagnosis: Diagnosis, kb: KnowledgeBase, texts: list[str], *, everything: bool
) -> dict[str, Any]:
    """A diagnosis as JSON: internal (bookkeeping) facts only with `everything`, and what
    the rules that fired say (`said`, the texts as a guided session shows them)."""
    data: dict[str, Any] = diagnosis.model_dump(mode="json")
    if not everything:
        namer = Namer(kb, diagnosis.lang)
        data["facts"] = [f for f in data["facts"] if not namer.internal(f["key"])]
    data["said"] = texts
    return data
