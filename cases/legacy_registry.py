"""The folder form of the registry: how linewise kept published packs before the store,
and the form `linewise registry export/import` moves a registry in.

    <pack id>/<version>.yaml     the pack text exactly as published
    index.json                   per pack: its line, and per version its stage, date,
                                 (from export) who published it and the text's SHA-256

A folder from before the store has no hashes: the texts are taken as they are.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

from rules.errors import InvalidInput

INDEX = "index.json"


def default_legacy_dir() -> Path:
    """$LINEWISE_REGISTRY, else `packs/` in the user's data directory: where linewise kept
    published packs before they moved into the store (imported from there on first use)."""
    env = os.environ.get("LINEWISE_REGISTRY")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("linewise", appauthor=False)) / "packs"


def read_folder(root: Path) -> list[dict[str, Any]]:
    """Every kept version in a folder registry as store rows (empty: no registry there)."""
    index_path = root / INDEX
    if not index_path.is_file():
        return []
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
        rows: list[dict[str, Any]] = []
        for pack_id, info in sorted(index["packs"].items()):
            for version, item in sorted(info["versions"].items()):
                body = (root / pack_id / f"{version}.yaml").read_bytes().decode("utf-8")
                sha = hashlib.sha256(body.encode("utf-8")).hexdigest()
                if item.get("sha256") not in (None, sha):
                    raise InvalidInput(
                        f"{root / pack_id / f'{version}.yaml'}: the text does not match the "
                        "SHA-256 in index.json (edited after export)",
                        hint="export the registry again from its store",
                    )
                rows.append(
                    {
                        "pack": pack_id,
                        "version": version,
                        "line": int(info["line"]),
                        "stage": "published" if item["stage"] == "published" else "archived",
                        "text": body,
                        "sha256": sha,
                        "published_by": item.get("published_by") or f"imported from {root}",
                        "published_at": item["published_at"],
                    }
                )
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InvalidInput(
            f"{index_path}: not a readable pack registry ({err})",
            hint="give the folder written by 'linewise registry export'",
        ) from err
    return rows


def write_folder(root: Path, rows: list[dict[str, Any]]) -> None:
    """Write kept versions as a folder registry (texts verbatim, index with hashes)."""
    index: dict[str, Any] = {"packs": {}}
    for row in rows:
        info = index["packs"].setdefault(row["pack"], {"line": row["line"], "versions": {}})
        info["versions"][row["version"]] = {
            "stage": row["stage"],
            "published_at": row["published_at"],
            "published_by": row["published_by"],
            "sha256": row["sha256"],
        }
        _write(root / row["pack"] / f"{row['version']}.yaml", row["text"])
    _write(root / INDEX, json.dumps(index, indent=2, sort_keys=True) + "\n")


def _write(path: Path, body: str) -> None:
    """Atomically (temp file + rename), so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(body)
    os.replace(tmp, path)
