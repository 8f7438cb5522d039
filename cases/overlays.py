"""Published learned overlays, kept in the case store beside the pack registry.

An overlay is published like a pack: its exact text and SHA-256 are kept, a published
version never changes, a new one must be higher, and the one it replaces is archived.
Sessions use the published overlay only (`published_weights`): an overlay file that was
written but not published changes nothing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, inspect, select, update

from cases.database import StoreConflict
from cases.registry import PublishConflict, RegistryError, cache_dir, digest, now, version_key
from cases.store import SQLStore
from engine.weights import Weights, weights_from
from rules.knowledge import KnowledgeBase
from rules.overlay import Overlay, overlay_for

FIRST_VERSION = "1.0.0"


@dataclass(frozen=True)
class PublishedOverlay:
    """The published overlay: its version, who published it and when, its verified file."""

    version: str
    published_by: str
    published_at: str
    sha256: str
    path: Path

    def as_dict(self) -> dict[str, Any]:
        return {
            "overlay": self.version,
            "published_by": self.published_by,
            "published_at": self.published_at,
            "sha256": self.sha256,
        }


def _has_table(store: SQLStore) -> bool:
    with store.reading() as conn:
        return bool(inspect(conn).has_table("overlays"))


def _file(row: Any) -> Path:
    """The verified file of a kept version (written once from the store)."""
    if digest(row.text) != row.sha256:
        raise RegistryError(
            f"the published text of learned overlay {row.version} does not match its hash: "
            "it was changed after publishing",
            hint="publish a new version ('linewise learn', then 'linewise pack publish')",
        )
    path: Path = cache_dir() / str(row.sha256) / f"learned-{row.version}.yaml"
    if path.exists() and digest(path.read_bytes().decode("utf-8")) == row.sha256:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(row.text)
    os.replace(tmp, path)
    return path


def published_overlay(store: SQLStore) -> PublishedOverlay | None:
    """The published overlay of the store, or None (never published, or all withdrawn)."""
    if not _has_table(store):
        return None
    from cases.tables import overlays

    with store.reading() as conn:
        row = conn.execute(select(overlays).where(overlays.c.stage == "published")).first()
    if row is None:
        return None
    return PublishedOverlay(row.version, row.published_by, row.published_at, row.sha256, _file(row))


def published_weights(store: SQLStore, kb: KnowledgeBase) -> Weights | None:
    """What sessions read from the published overlay (None: the packs' own values)."""
    found = published_overlay(store)
    if found is None:
        return None
    return weights_from(overlay_for(found.path, kb), kb)


def next_version(current: PublishedOverlay | None) -> str:
    """One minor version above the published overlay, else the first version."""
    if current is None:
        return FIRST_VERSION
    major, minor = (int(x) for x in current.version.split("-")[0].split(".")[:2])
    return f"{major}.{minor + 1}.0"


def publish_overlay(
    store: SQLStore, source: Path, kb: KnowledgeBase, by: str | None = None
) -> PublishedOverlay:
    """Publish an overlay checked against the live knowledge `kb`; archive the one before."""
    from cases.tables import overlays

    overlay: Overlay = overlay_for(source, kb)
    body = source.read_bytes().decode("utf-8")
    row = {
        "version": overlay.version,
        "stage": "published",
        "text": body,
        "sha256": digest(body),
        "published_by": by or "unknown",
        "published_at": now(),
    }
    try:
        with store.writing() as conn:
            kept = conn.execute(select(overlays.c.version, overlays.c.stage)).all()
            for version, stage in kept:
                if version == overlay.version or (
                    stage == "published" and version_key(overlay.version) <= version_key(version)
                ):
                    raise PublishConflict(
                        f"learned overlay {overlay.version} is not higher than the kept "
                        f"version {version}; a published version never changes",
                        hint="write it again with a higher version ('linewise learn --version')",
                    )
            conn.execute(
                update(overlays).where(overlays.c.stage == "published").values(stage="archived")
            )
            conn.execute(insert(overlays).values(**row))
    except StoreConflict as err:
        raise PublishConflict(
            f"learned overlay {overlay.version} was published by someone else at the same moment",
            hint="publish a higher version",
        ) from err
    return PublishedOverlay(
        overlay.version, row["published_by"], row["published_at"], row["sha256"], source
    )


def withdraw_overlay(store: SQLStore) -> str | None:
    """Archive the published overlay (sessions go back to the packs' own values)."""
    found = published_overlay(store)
    if found is None:
        return None
    from cases.tables import overlays

    with store.writing() as conn:
        conn.execute(
            update(overlays).where(overlays.c.stage == "published").values(stage="archived")
        )
    return found.version
