"""A per-process cache of loaded and compiled knowledge, keyed by the pack files.

Bulk replay runs one engine per case; loading and compiling the packs takes far
longer than one run, so each process does it once per set of pack files. The key
holds each file's path, size and modification time, so an edited file is reloaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from engine.compile import CompiledKnowledge, compile_knowledge
from rules.knowledge import KnowledgeBase, load_knowledge
from rules.loader import pack_files, shipped_pack_files
from rules.paths import resolved

PackFiles = tuple[str, ...]

_KNOWLEDGE: dict[tuple[object, ...], KnowledgeBase] = {}
_COMPILED: dict[tuple[object, ...], CompiledKnowledge] = {}


def resolve_files(paths: Iterable[Path] | None) -> PackFiles:
    """Pack files (folders expanded) as sorted absolute paths; the shipped packs for None."""
    given = list(paths or [])
    files = pack_files(given) if given else shipped_pack_files()
    return tuple(sorted(str(resolved(p)) for p in files))


def _key(files: PackFiles) -> tuple[object, ...]:
    stamps: list[object] = []
    for name in files:
        try:
            stat = Path(name).stat()
            stamps.append((name, stat.st_size, stat.st_mtime_ns))
        except OSError:
            stamps.append((name, None, None))
    return tuple(stamps)


def knowledge(files: PackFiles) -> KnowledgeBase:
    """The validated knowledge base of exactly these pack files (cached)."""
    key = _key(files)
    if key not in _KNOWLEDGE:
        _KNOWLEDGE[key] = load_knowledge([Path(f) for f in files])
    return _KNOWLEDGE[key]


def compiled(files: PackFiles, line: int) -> CompiledKnowledge:
    """The compiled packs of one support line from these files (cached)."""
    key = (*_key(files), line)
    if key not in _COMPILED:
        kb = knowledge(files).for_line(line)
        _COMPILED[key] = compile_knowledge(kb, name=f"Line{line}Replay")
    return _COMPILED[key]
