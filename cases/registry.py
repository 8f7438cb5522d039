"""The published-pack registry, kept in the case store: every version ever published.

Each row holds a pack version's exact text (never rewritten), its SHA-256, its line, its
stage (`published` or `archived`, kept beside the text, not in it), who published it and
when. Every process on every machine that uses the store sees the same versions.
Publishing is one transaction that re-reads the published version inside it, so of two
engineers publishing at once exactly one wins and the other gets a clear refusal.

The engine loads packs from files, so a version's text is written once to a
content-addressed cache (`$LINEWISE_PACK_CACHE`, else the user cache dir) and checked
against its hash each time it is handed out: an edited copy is refused, never run. The
shipped packs are the initial published set (seeded on first use), and a folder registry
of earlier linewise versions (`$LINEWISE_REGISTRY`) is imported on first use.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import platformdirs
from sqlalchemy import Connection, func, insert, select, text, update

from cases.database import StoreConflict
from cases.legacy_registry import default_legacy_dir
from cases.shipped import shipped_file
from cases.store import SQLStore
from cases.store_access import StoreError
from cases.tables import packs
from rules.errors import LinewiseError, UnknownIdError, did_you_mean
from rules.loader import load_pack_file, shipped_pack_files
from rules.numbers import parse_int

ENV_CACHE = "LINEWISE_PACK_CACHE"
Stage = Literal["published", "archived"]
SHIPPED_BY = "linewise (shipped)"


class RegistryError(LinewiseError):
    """A published pack cannot be used: its text or its cached copy fails its hash."""

    exit_code = 4


class PublishConflict(LinewiseError):
    """Someone else published this pack (or a higher version) first."""

    exit_code = 1


def version_key(version: str) -> tuple[int, int, int, int, str]:
    """Semantic-version order: 1.2.0-rc1 < 1.2.0 < 1.10.0."""
    core, _, pre = version.partition("-")
    major, minor, patch = (parse_int(part, what="a version number") for part in core.split("."))
    return major, minor, patch, 0 if pre else 1, pre


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def cache_dir() -> Path:
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env)
    return Path(platformdirs.user_cache_dir("linewise", appauthor=False)) / "packs"


@dataclass(frozen=True)
class Entry:
    """One kept version of one pack."""

    pack: str
    version: str
    line: int
    stage: Stage
    published_at: str
    published_by: str
    sha256: str
    path: Path  # the verified copy the engine loads

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "version": self.version,
            "line": self.line,
            "stage": self.stage,
            "published_at": self.published_at,
            "published_by": self.published_by,
            "sha256": self.sha256,
            "path": str(self.path),
        }


class Registry:
    """Published pack versions in a store; seeded from the shipped packs on first use."""

    def __init__(self, store: SQLStore, *, seed: bool = True, legacy: Path | None = None) -> None:
        self.store = store
        self._seed = seed
        self._legacy = legacy
        self._ready = False

    # ---- reading --------------------------------------------------------------------

    def _prepare(self) -> None:
        if self._ready or not self._seed:
            return
        with self.store.reading() as conn:
            empty = not conn.execute(select(func.count()).select_from(packs)).scalar_one()
            known = set(conn.execute(select(packs.c.pack).distinct()).scalars())
        shipped = {load_pack_file(p).pack.id for p in shipped_pack_files()}
        if empty or not shipped <= known:
            self._first_use()
        self._ready = True

    def _first_use(self) -> None:
        """Import the old folder registry (once), then publish shipped packs never seen."""
        from cases.legacy_registry import read_folder

        with self.store.writing() as conn:
            self._lock(conn, "registry")
            count = conn.execute(select(func.count()).select_from(packs)).scalar_one()
            if not count and self._legacy is not None:
                rows = read_folder(self._legacy)
                if rows:
                    conn.execute(insert(packs), rows)
            known = set(conn.execute(select(packs.c.pack).distinct()).scalars())
            stamp = now()
            for path in shipped_pack_files():
                pack = load_pack_file(path).pack
                if pack.id in known:
                    continue
                body = path.read_bytes().decode("utf-8")
                conn.execute(
                    insert(packs).values(
                        pack=pack.id,
                        version=pack.version,
                        line=pack.line,
                        stage="published",
                        text=body,
                        sha256=digest(body),
                        published_by=SHIPPED_BY,
                        published_at=stamp,
                    )
                )

    def _lock(self, conn: Connection, name: str) -> None:
        """Serialise writers of one pack (PostgreSQL); SQLite's write lock already does."""
        if not self.store.where.is_sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})

    def entries(self, pack: str | None = None) -> list[Entry]:
        """Kept versions, by pack id then version order."""
        self._prepare()
        query = select(packs)
        if pack is not None:
            query = query.where(packs.c.pack == pack)
        with self.store.reading() as conn:
            rows = conn.execute(query).mappings().all()
        out = [self._entry(dict(row)) for row in rows]
        return sorted(out, key=lambda e: (e.pack, version_key(e.version)))

    def _entry(self, row: dict[str, Any]) -> Entry:
        return Entry(
            row["pack"],
            row["version"],
            row["line"],
            row["stage"],
            row["published_at"],
            row["published_by"],
            row["sha256"],
            self._copy(row),
        )

    def _copy(self, row: dict[str, Any]) -> Path:
        """The verified file of a kept version (written once from the store)."""
        name = f"{row['pack']} {row['version']}"
        if digest(row["text"]) != row["sha256"]:
            raise RegistryError(
                f"the published text of {name} in the store {self.store.location} does not "
                "match its hash: it was changed after publishing",
                hint="restore it from an export ('linewise registry export'), or publish "
                "a new version",
            )
        path: Path = cache_dir() / str(row["sha256"]) / f"{row['pack']}-{row['version']}.yaml"
        if path.exists():
            if digest(path.read_bytes().decode("utf-8")) != row["sha256"]:
                raise RegistryError(
                    f"the published copy {path} of {name} was edited after publishing "
                    "(its SHA-256 no longer matches the store)",
                    hint="delete the file: linewise writes it again from the store; "
                    "to change a pack, publish a new version",
                )
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".yaml")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(row["text"])
        os.replace(tmp, path)
        return path

    def current(self, pack: str) -> Entry | None:
        """The published version of a pack, or None when it was never published."""
        return next((e for e in self.entries(pack) if e.stage == "published"), None)

    def current_files(self) -> list[Path]:
        """The files of every currently published version (the live knowledge)."""
        return [e.path for e in self.entries() if e.stage == "published"]

    def file_for(self, pack: str, version: str) -> Path:
        """The kept text of exactly this version, else the shipped one (cases.shipped)."""
        for entry in self.entries(pack):
            if entry.version == version:
                return entry.path
        if (shipped := shipped_file(pack, version)) is not None:
            return shipped
        known = [e.version for e in self.entries(pack)]
        if not known:
            ids = {e.pack for e in self.entries()}
            raise UnknownIdError(f"pack '{pack}' was never published", hint=did_you_mean(pack, ids))
        raise UnknownIdError(
            f"pack '{pack}' has no published version {version}",
            hint="kept versions: " + ", ".join(known),
        )

    def files_for(self, versions: dict[str, str]) -> list[Path]:
        """The pack files of exactly these versions ({pack id: version}), e.g. a case's."""
        return [self.file_for(pack, version) for pack, version in sorted(versions.items())]

    # ---- writing --------------------------------------------------------------------

    def publish(self, source: Path, by: str | None = None) -> Entry:
        """Keep the text verbatim as the published version, archive the one it replaces: one
        transaction that re-checks the version (`cases.publish` checked the pack first)."""
        self._prepare()
        body = source.read_bytes().decode("utf-8")
        pack = load_pack_file(source).pack
        row = {
            "pack": pack.id,
            "version": pack.version,
            "line": pack.line,
            "stage": "published",
            "text": body,
            "sha256": digest(body),
            "published_by": by or "unknown",
            "published_at": now(),
        }
        try:
            with self.store.writing() as conn:
                self._lock(conn, pack.id)
                self._recheck(conn, pack.id, pack.version)
                conn.execute(
                    update(packs)
                    .where(packs.c.pack == pack.id, packs.c.stage == "published")
                    .values(stage="archived")
                )
                conn.execute(insert(packs).values(**row))
        except StoreConflict as err:
            raise PublishConflict(
                f"{pack.id} {pack.version} was published by someone else at the same moment",
                hint="see 'linewise pack history'; publish a higher version",
            ) from err
        return self._entry(row)

    def _recheck(self, conn: Connection, pack_id: str, version: str) -> None:
        rows = conn.execute(
            select(
                packs.c.version, packs.c.stage, packs.c.published_by, packs.c.published_at
            ).where(packs.c.pack == pack_id)
        ).all()
        for row in rows:
            if row.version == version:
                raise PublishConflict(
                    f"{pack_id} {version} is already published (by {row.published_by} at "
                    f"{row.published_at}); a published version never changes",
                    hint="publish it as a higher version",
                )
        current = next((r for r in rows if r.stage == "published"), None)
        if current is not None and version_key(version) <= version_key(current.version):
            raise PublishConflict(
                f"{pack_id} {version} is not higher than the published {current.version} "
                f"(published by {current.published_by} at {current.published_at})",
                hint="publish a higher version",
            )

    def archive(self, pack: str) -> Entry:
        """Withdraw a pack from the live knowledge (its versions stay for replay)."""
        entry = self.current(pack)
        if entry is None:
            raise UnknownIdError(f"pack '{pack}' has no published version to archive")
        with self.store.writing() as conn:
            self._lock(conn, pack)
            conn.execute(
                update(packs)
                .where(packs.c.pack == pack, packs.c.version == entry.version)
                .values(stage="archived")
            )
        return Entry(
            pack,
            entry.version,
            entry.line,
            "archived",
            entry.published_at,
            entry.published_by,
            entry.sha256,
            entry.path,
        )

    def rows(self) -> list[dict[str, Any]]:
        """Every kept version as stored (for export), by pack then version."""
        self._prepare()
        with self.store.reading() as conn:
            found = [dict(r) for r in conn.execute(select(packs)).mappings()]
        for row in found:
            self._copy(row)  # verifies the hash
        return sorted(found, key=lambda r: (r["pack"], version_key(r["version"])))

    def add(self, rows: list[dict[str, Any]]) -> int:
        """Import kept versions (one transaction); a version already kept must be identical."""
        self._prepare()
        added = 0
        with self.store.writing() as conn:
            self._lock(conn, "registry")
            have = {
                (r.pack, r.version): r.sha256
                for r in conn.execute(select(packs.c.pack, packs.c.version, packs.c.sha256))
            }
            for row in rows:
                key = (row["pack"], row["version"])
                if key in have:
                    if have[key] != row["sha256"]:
                        raise PublishConflict(
                            f"{key[0]} {key[1]} is kept in {self.store.location} with another "
                            "text (a different hash)",
                            hint="a published version never changes; import into another store",
                        )
                    continue
                if row["stage"] == "published":
                    conn.execute(
                        update(packs)
                        .where(packs.c.pack == row["pack"], packs.c.stage == "published")
                        .values(stage="archived")
                    )
                conn.execute(insert(packs).values(**row))
                added += 1
        return added


def live_pack_files(target: str | Path | None = None) -> list[Path] | None:
    """The pack files the lines run: every published version in the registry of the store
    at `target` (else $LINEWISE_STORE, else the user data dir), once anything was published
    there; None (the shipped packs) before that or without a store."""
    from cases.database import resolve

    where = resolve(target)
    has_legacy = (default_legacy_dir() / "index.json").is_file()
    if where.path is not None and not where.path.is_file() and not has_legacy:
        return None
    try:  # most of the time a look without the write lock is enough
        reader = SQLStore(where, readonly=True)
    except StoreError:
        reader = None  # no store yet, or an older one: the writable path below
    if reader is not None:
        try:
            with reader.reading() as conn:
                known = set(conn.execute(select(packs.c.pack).distinct()).scalars())
            if not known and not has_legacy:
                return None
            shipped = {load_pack_file(p).pack.id for p in shipped_pack_files()}
            if known and shipped <= known:
                return Registry(reader).current_files() or None
        finally:
            reader.close()
    try:
        store = SQLStore(where)
    except StoreError:
        return None
    try:
        registry = Registry(store, legacy=default_legacy_dir())
        return registry.current_files() or None
    finally:
        store.close()
