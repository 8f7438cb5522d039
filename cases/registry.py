"""The published-pack registry: every version ever published, kept verbatim.

Layout, under the registry folder (beside the case store by default):

    <pack id>/<version>.yaml     the pack text exactly as published
    index.json                   per pack: its line, and per version its stage and date

A pack's life cycle: `draft` and `validated` live in the pack file an engineer
edits (its `status`); `published` and `archived` live here. Publishing a version
archives the one it replaces, and both stay, so that a case replays with exactly
the versions it ran with. The shipped packs are the initial published set: a
registry seeds itself from them on first use.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from rules.errors import LinewiseError, UnknownIdError, did_you_mean
from rules.loader import load_pack_file, shipped_pack_files
from rules.numbers import parse_int

ENV_REGISTRY = "LINEWISE_REGISTRY"
INDEX = "index.json"
Stage = Literal["published", "archived"]
_STATUS_LINE = re.compile(r"^status:\s*\S+\s*$", re.MULTILINE)


class RegistryError(LinewiseError):
    """The registry folder cannot be read or written."""

    exit_code = 4


def version_key(version: str) -> tuple[int, int, int, int, str]:
    """Semantic-version order: 1.2.0-rc1 < 1.2.0 < 1.10.0."""
    core, _, pre = version.partition("-")
    major, minor, patch = (parse_int(part, what="a version number") for part in core.split("."))
    return major, minor, patch, 0 if pre else 1, pre


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def with_status(text: str, status: str) -> str:
    """The pack text with its top-level `status:` set (added after `line:` when absent)."""
    if _STATUS_LINE.search(text):
        return _STATUS_LINE.sub(f"status: {status}", text, count=1)
    return re.sub(r"^(line:.*)$", rf"\1\nstatus: {status}", text, count=1, flags=re.MULTILINE)


@dataclass(frozen=True)
class Entry:
    """One kept version of one pack."""

    pack: str
    version: str
    line: int
    stage: Stage
    published_at: str
    path: Path

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "version": self.version,
            "line": self.line,
            "stage": self.stage,
            "published_at": self.published_at,
            "path": str(self.path),
        }


class Registry:
    """Published pack versions in a folder; seeded from the shipped packs on first use."""

    def __init__(self, root: Path, *, seed: bool = True) -> None:
        self.root = root
        self._seed = seed
        self._seeded = False

    # ---- reading --------------------------------------------------------------------

    def _index(self) -> dict[str, Any]:
        if self._seed and not self._seeded:
            self._seed_shipped()
            self._seeded = True
        if not (self.root / INDEX).exists():
            return {"packs": {}}
        return self._index_raw()

    def _index_raw(self) -> dict[str, Any]:
        path = self.root / INDEX
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise RegistryError(
                f"cannot read the pack registry {path}: {err}",
                hint=f"point {ENV_REGISTRY} or --registry at a writable folder",
            ) from err
        return data

    def entries(self, pack: str | None = None) -> list[Entry]:
        """Kept versions, by pack id then version order."""
        out: list[Entry] = []
        for pack_id, info in sorted(self._index()["packs"].items()):
            if pack is not None and pack_id != pack:
                continue
            for version, item in info["versions"].items():
                out.append(
                    Entry(
                        pack_id,
                        version,
                        info["line"],
                        item["stage"],
                        item["published_at"],
                        self.root / pack_id / f"{version}.yaml",
                    )
                )
        return sorted(out, key=lambda e: (e.pack, version_key(e.version)))

    def current(self, pack: str) -> Entry | None:
        """The published version of a pack, or None when it was never published."""
        return next((e for e in self.entries(pack) if e.stage == "published"), None)

    def current_files(self) -> list[Path]:
        """The pack files of every currently published version (the live knowledge)."""
        return [e.path for e in self.entries() if e.stage == "published"]

    def file_for(self, pack: str, version: str) -> Path:
        """The kept text of exactly this version (or the shipped file, if it is that version:
        sessions run with `--packs` or the shipped packs record versions never published)."""
        for entry in self.entries(pack):
            if entry.version == version:
                return entry.path
        for path in shipped_pack_files():
            shipped = load_pack_file(path).pack
            if shipped.id == pack and shipped.version == version:
                return path
        known = [e.version for e in self.entries(pack)]
        if not known:
            packs = {e.pack for e in self.entries()}
            raise UnknownIdError(
                f"pack '{pack}' was never published", hint=did_you_mean(pack, packs)
            )
        raise UnknownIdError(
            f"pack '{pack}' has no published version {version}",
            hint="kept versions: " + ", ".join(known),
        )

    def files_for(self, versions: dict[str, str]) -> list[Path]:
        """The pack files of exactly these versions ({pack id: version}), e.g. a case's."""
        return [self.file_for(pack, version) for pack, version in sorted(versions.items())]

    # ---- writing --------------------------------------------------------------------

    def publish(self, source: Path) -> Entry:
        """Keep the pack text as the published version; archive the version it replaces.

        The caller checks first (`cases.publish`); this only records.
        """
        pack = load_pack_file(source).pack
        index = self._index()
        info = index["packs"].setdefault(pack.id, {"line": pack.line, "versions": {}})
        for item in info["versions"].values():
            if item["stage"] == "published":
                item["stage"] = "archived"
        info["line"] = pack.line
        stamp = now()
        info["versions"][pack.version] = {"stage": "published", "published_at": stamp}
        text = with_status(source.read_text(encoding="utf-8"), "published")
        self._write(self.root / pack.id / f"{pack.version}.yaml", text)
        self._write(self.root / INDEX, json.dumps(index, indent=2, sort_keys=True))
        path = self.root / pack.id / f"{pack.version}.yaml"
        return Entry(pack.id, pack.version, pack.line, "published", stamp, path)

    def archive(self, pack: str) -> Entry:
        """Withdraw a pack from the live knowledge (its versions stay for replay)."""
        entry = self.current(pack)
        if entry is None:
            raise UnknownIdError(f"pack '{pack}' has no published version to archive")
        index = self._index()
        index["packs"][pack]["versions"][entry.version]["stage"] = "archived"
        self._write(self.root / INDEX, json.dumps(index, indent=2, sort_keys=True))
        return Entry(pack, entry.version, entry.line, "archived", entry.published_at, entry.path)

    def _seed_shipped(self) -> None:
        """Publish every shipped pack the registry has never seen (a newly shipped domain).

        A newer shipped version of a pack the registry knows is not published by an
        upgrade: publishing stays Line 3's decision (`linewise pack publish`).
        """
        index: dict[str, Any] = self._index_raw() if (self.root / INDEX).exists() else {"packs": {}}
        stamp = now()
        added = False
        for path in shipped_pack_files():
            pack = load_pack_file(path).pack
            if pack.id in index["packs"]:
                continue
            added = True
            index["packs"][pack.id] = {
                "line": pack.line,
                "versions": {pack.version: {"stage": "published", "published_at": stamp}},
            }
            text = with_status(path.read_text(encoding="utf-8"), "published")
            self._write(self.root / pack.id / f"{pack.version}.yaml", text)
        if added or not (self.root / INDEX).exists():
            self._write(self.root / INDEX, json.dumps(index, indent=2, sort_keys=True))

    def _write(self, path: Path, text: str) -> None:
        """Write atomically (temp file + rename), so a crash never leaves half a file."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except OSError as err:
            if err.errno == 28:
                raise
            raise RegistryError(
                f"cannot write the pack registry at {path.parent}: {err.strerror}",
                hint=f"point {ENV_REGISTRY} or --registry at a writable folder",
            ) from err


def live_pack_files() -> list[Path] | None:
    """The pack files the lines run: every published version in the registry, once one
    exists; None (the shipped packs) before anything was published or seeded."""
    root = default_registry_dir()
    if not (root / INDEX).exists():
        return None
    return Registry(root, seed=False).current_files() or None


def default_registry_dir() -> Path:
    """$LINEWISE_REGISTRY, else `packs/` in the user's data directory (beside the store)."""
    env = os.environ.get(ENV_REGISTRY)
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("linewise", appauthor=False)) / "packs"
