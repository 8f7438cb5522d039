"""Loading packs from files: YAML -> pydantic models, with every error mapped to file:line:col."""

from __future__ import annotations

import hashlib
import types
import typing
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from rules import parse_cache
from rules.compact import compact
from rules.errors import Diagnostic, PackError, explain_empty, suggest
from rules.limits import LIMITS
from rules.salvage import salvage
from rules.schema import Pack
from rules.sequence import expand_sequences
from rules.source import (
    DataFileError,
    SourceMap,
    display_path,
    lazy_source_map,
    parse_data,
    read_data_file,
)

SHIPPED_DIR = Path(__file__).resolve().parent
PACK_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class LoadedPack:
    """A validated pack and where it came from."""

    pack: Pack
    source: SourceMap
    path: Path
    set_aside: frozenset[str] = frozenset()  # ids of broken items left out (rules.salvage)


def shipped_pack_files() -> list[Path]:
    """The packs shipped with linewise, in a stable order."""
    return sorted(p for p in SHIPPED_DIR.glob("line*/*") if p.suffix in PACK_SUFFIXES)


GOLDEN_FOLDER = "golden"


def pack_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into the pack files below them; keep files as given. A `golden/`
    folder inside a pack folder holds golden cases (docs/packs.md), never packs."""
    files: list[Path] = []
    for path in paths:
        found = data_files([path], PACK_SUFFIXES)
        if path.is_dir():
            found = [f for f in found if GOLDEN_FOLDER not in f.relative_to(path).parts[:-1]]
        files.extend(found)
    return files


def data_files(paths: Iterable[Path], suffixes: tuple[str, ...]) -> list[Path]:
    """Folders expanded into the files below them with one of `suffixes` (links to folders
    are not followed, so a link loop cannot make the walk endless); files kept as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in suffixes))
        else:
            files.append(path)
    return files


_LOADED: OrderedDict[tuple[str, bytes], LoadedPack] = OrderedDict()
_SAME: OrderedDict[bytes, Pack] = OrderedDict()  # content digest -> its pack, whatever the path
_LOADED_MAX = 256  # files kept per process (a whole line's packs several times over)
_MEMO_BYTES = 1 << 20  # larger files are always parsed afresh


def load_pack_file(path: Path) -> LoadedPack:
    """Read and validate one pack file on its own (cross-pack checks come later).

    A process reads the same file more than once (the registry checks which shipped packs
    it has, then the context of `pack validate` loads them): a file whose bytes were
    already loaded from the same path is not parsed again (keyed by a content digest,
    never by modification time, so an edit is always seen). A published copy has the
    bytes of its shipped pack: it shares that pack's validated models (frozen data), with
    its own path and source map."""
    raw = _small_file(path)
    if raw is None:
        return _load_pack_file(path, None)
    digest = hashlib.blake2b(raw, digest_size=16).digest()
    key = (str(path), digest)
    if key in _LOADED:
        _LOADED.move_to_end(key)
        return _LOADED[key]
    shared = _SAME.get(digest)
    if shared is not None:
        _SAME.move_to_end(digest)
        loaded = LoadedPack(shared, lazy_source_map(raw, display_path(path), LIMITS), path)
    else:
        loaded = _load_pack_file(path, raw)
        if loaded.source.lazy and not loaded.pack.sequences:  # nothing tied to this file
            _remember(_SAME, digest, loaded.pack)
    _remember(_LOADED, key, loaded)
    return loaded


def _remember(memo: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    memo[key] = value
    if len(memo) > _LOADED_MAX:
        memo.popitem(last=False)


def _small_file(path: Path) -> bytes | None:
    """The bytes of a regular file of at most _MEMO_BYTES, else None (read as before)."""
    try:
        if not path.is_file() or path.stat().st_size > _MEMO_BYTES:
            return None  # FIFOs, devices, huge files: the reader's limits apply
        with path.open("rb") as handle:
            data = handle.read(_MEMO_BYTES + 1)
    except OSError:
        return None  # unreadable: the reader says why
    return data if len(data) <= _MEMO_BYTES else None


def _read(path: Path, raw: bytes | None) -> tuple[Any, SourceMap]:
    """The plain data of a pack file and its source map; the parse of bytes read before
    is kept on disk (rules.parse_cache) and reused while those bytes stay the same."""
    if raw is None:
        return read_data_file(path)
    name = display_path(path)
    data = parse_cache.lookup(raw, LIMITS)
    if data is not None:
        return data, lazy_source_map(raw, name, LIMITS)
    data, smap = parse_data(raw, name, limits=LIMITS)
    if smap.lazy:  # read without a problem to report (a problem is never kept)
        parse_cache.keep(raw, data, LIMITS)
    return data, smap


def _load_pack_file(path: Path, raw: bytes | None) -> LoadedPack:
    try:
        data, smap = _read(path, raw)
    except DataFileError as err:
        raise PackError(explain_empty(err.diagnostics, "a pack is a YAML mapping")) from err
    if not isinstance(data, dict):
        raise PackError(
            [smap.diagnostic((), "a pack must be a YAML mapping", hint="start with 'id: ...'")]
        )
    try:
        pack = Pack.model_validate(data)
    except ValidationError as err:
        # the pack without its broken items is still cross-checked: one pass reports both
        rescued = salvage(data, err, smap)
        partial = []
        if rescued is not None:
            rest, source, ids = rescued
            partial = [LoadedPack(pack=compact(rest), source=source, path=path, set_aside=ids)]
        raise PackError(pydantic_diagnostics(err, smap, Pack), loaded=partial) from err
    return LoadedPack(pack=compact(expand_sequences(pack, smap)), source=smap, path=path)


def pydantic_diagnostics(
    err: ValidationError, smap: SourceMap, root: type[BaseModel]
) -> list[Diagnostic]:
    """Map each pydantic error's `loc` back to file:line:col with a helpful message."""
    out: list[Diagnostic] = []
    for item in err.errors():
        loc = tuple(item["loc"])
        kind = item["type"]
        message = str(item["msg"]).removeprefix("Value error, ")
        hint: str | None = None
        if kind == "extra_forbidden":
            name = str(loc[-1])
            fields = _field_names(root, loc[:-1])
            message = f"unknown key '{name}'"
            hint = suggest(name, fields, out) or (
                "allowed keys: " + ", ".join(sorted(fields)) if fields else None
            )
            out.append(smap.diagnostic(loc, message, hint=hint, key=True, code="E002"))
            continue
        if kind == "missing":
            message = f"missing required key '{loc[-1]}'"
            out.append(smap.diagnostic(loc[:-1], message, code="E003"))
            continue
        if kind == "string_pattern_mismatch":
            message, hint = _pattern_message(loc, item.get("input"))
        elif kind == "finite_number":
            message = f"{_show(item.get('input'))} is not a finite number"
            hint = "write a number such as 0.5, not .nan or .inf"
        elif "type" in kind or kind.endswith("_parsing"):
            message = f"{message} (got {_show(item.get('input'))})"
        out.append(smap.diagnostic(loc, message, hint=hint, code="E004"))
    return out


def _pattern_message(loc: tuple[Any, ...], value: Any) -> tuple[str, str]:
    field = loc[-1] if loc and isinstance(loc[-1], str) else (loc[-2] if len(loc) > 1 else "")
    if field == "version":
        return f"'{value}' is not a semantic version", "write MAJOR.MINOR.PATCH, e.g. 1.0.0"
    if loc == ("id",) or (loc and loc[0] == "requires"):
        return (
            f"'{value}' is not a valid pack id",
            "pack ids are lower case letters, digits, '-' and '_', starting with a letter",
        )
    return (
        f"'{value}' is not a valid id",
        "ids are lower case letters, digits and '_', starting with a letter",
    )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _field_names(root: type[BaseModel], loc: tuple[Any, ...]) -> set[str]:
    """The keys allowed at `loc` (for 'did you mean')."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return set()
        fields = model.model_fields
        field = next((f for n, f in fields.items() if n == part or f.alias == part), None)
        if field is None:
            return set()
        model = _model_in(field.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return {f.alias or n for n, f in model.model_fields.items()}
    return set()


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def load_pack_files(paths: Iterable[Path]) -> list[LoadedPack]:
    """Load many files, collecting every file's problems before raising."""
    loaded: list[LoadedPack] = []
    partial: list[LoadedPack] = []
    problems: list[Diagnostic] = []
    given = list(paths)
    files = pack_files(given)
    if not files:
        where = ", ".join(display_path(p) for p in given) or "(no path given)"
        found = "no pack files found (*.yaml, *.yml, *.json)"
        raise PackError([Diagnostic(where, 0, 0, "", found)])
    for path in files:
        try:
            loaded.append(load_pack_file(path))
        except PackError as err:
            problems.extend(err.diagnostics)
            partial.extend(err.loaded)  # a broken pack's sound items, for the cross-checks
    if problems:
        # sound packs first: where ids clash, theirs are the ones indexed and checked
        raise PackError(problems, loaded=loaded + partial)
    return loaded


__all__ = [
    "SHIPPED_DIR",
    "LoadedPack",
    "display_path",
    "load_pack_file",
    "load_pack_files",
    "pack_files",
    "shipped_pack_files",
]
