"""Shipped pack versions, current and earlier, by (pack id, version).

A case records the version of every pack each session used; `case replay` needs exactly
those texts. The current shipped packs are in rules/line*/; when a shipped pack changes
version, its previous text is kept in cases/pack_history/ (never live knowledge), so a
case worked with it still replays.
"""

from __future__ import annotations

from pathlib import Path

from rules.loader import PACK_SUFFIXES, load_pack_file, shipped_pack_files

HISTORY = Path(__file__).resolve().parent / "pack_history"


def shipped_history() -> list[Path]:
    """Earlier shipped versions of packs, in a stable order."""
    return sorted(p for p in HISTORY.glob("*") if p.suffix in PACK_SUFFIXES)


def shipped_file(pack: str, version: str) -> Path | None:
    """The shipped text (current or earlier) of exactly this pack version, if any."""
    for path in [*shipped_pack_files(), *shipped_history()]:
        shipped = load_pack_file(path).pack
        if shipped.id == pack and shipped.version == version:
            return path
    return None
