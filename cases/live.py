"""The live knowledge: which pack files the lines run, for commands that need them as context.

The lines run what was published to them (the registry in the case store), or the shipped
packs while nothing has been published. Asking the store takes SQLAlchemy, so this module
first looks, without it, whether a store that could hold published packs exists at all:
`pack validate FILE` stays quick on a machine with no store.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cases.legacy_registry import INDEX, default_legacy_dir
from cases.store_access import ENV_VAR, default_path
from rules.loader import shipped_pack_files


@dataclass(frozen=True)
class LivePacks:
    """Pack files and where they come from: 'shipped', 'published' or 'given' (--packs)."""

    files: list[Path]
    source: str


def may_hold_published(target: str | Path | None) -> bool:
    """Whether the store at `target` (else $LINEWISE_STORE, else the user data dir) may hold
    published packs: a server, an existing SQLite file, or an old folder registry to import."""
    if (default_legacy_dir() / INDEX).is_file():
        return True
    text = str(target) if target is not None else os.environ.get(ENV_VAR) or ""
    if "://" in text and not text.startswith("sqlite:///"):
        return True  # PostgreSQL (or a mistyped scheme the store itself refuses clearly)
    path = Path(text.removeprefix("sqlite:///")) if text else default_path()
    return path.is_file()


def live_packs(target: str | Path | None, given: tuple[Path, ...] = ()) -> LivePacks:
    """The packs a session would run with: `given` (--packs) when there are any, else the
    published ones in the store at `target`, else the shipped ones."""
    if given:
        return LivePacks(list(given), "given")
    if may_hold_published(target):
        from cases.registry import live_pack_files  # the store: SQLAlchemy

        published = live_pack_files(target)
        if published:
            return LivePacks(published, "published")
    return LivePacks(shipped_pack_files(), "shipped")
