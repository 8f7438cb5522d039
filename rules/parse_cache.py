"""Parsed pack files kept on disk between runs, so that a command does not re-read YAML.

`pack validate FILE` loads the live packs beside the file given, and `case show` loads
them to name what a case saw: reading their YAML was a third of what those commands
did. A file's plain data (what the YAML reader makes of it: mappings with string keys,
lists, strings, numbers, booleans and nulls) is kept as JSON under the user cache dir,
named by the SHA-256 of the file's bytes, in a folder named by a fingerprint of the
code that reads packs (every `rules/*.py`, the PyYAML version and build, the input
limits), so any change to the reader leaves the old entries unread. Only the parse is
kept: validation runs every time, on the same data, so every error, position and
message stays the same.

An entry is plain JSON checked against a digest written beside it; nothing in it can run
code. A missing, corrupt, truncated or edited entry is ignored and written again; a
cache that cannot be written (read-only, full disk) only costs the time it would save;
the least recently written entries go past 1,000 entries or 64 MiB. `$LINEWISE_CACHE`
names the cache folder (`off` turns the cache off).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from rules.limits import InputLimits

log = logging.getLogger(__name__)

ENV_VAR = "LINEWISE_CACHE"
FORMAT = "1"  # the entry format; a change makes a new fingerprint
MAX_ENTRIES = 1_000  # per fingerprint; past this, or past MAX_BYTES, the oldest go
MAX_BYTES = 64 << 20  # (down to half of either)
_RULES = Path(__file__).resolve().parent


def cache_root() -> Path | None:
    """The cache folder: $LINEWISE_CACHE, else `<user cache dir>/linewise`; None when off."""
    env = os.environ.get(ENV_VAR)
    if env == "off":
        return None
    if env:
        return Path(env)
    import platformdirs  # only when the cache is used without $LINEWISE_CACHE

    return Path(platformdirs.user_cache_dir("linewise", appauthor=False))


@cache
def reader_fingerprint(limits: InputLimits) -> str:
    """A digest of everything the parse depends on, besides the file's bytes."""
    reader = f"{FORMAT}\0{yaml.__version__}\0{yaml.__with_libyaml__}\0{limits!r}\0"
    digest = hashlib.sha256(reader.encode())
    for source in sorted(_RULES.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def _entry(raw: bytes, limits: InputLimits) -> Path | None:
    root = cache_root()
    if root is None:
        return None
    name = hashlib.sha256(raw).hexdigest()
    return root / "parsed" / reader_fingerprint(limits) / name[:2] / f"{name}.json"


def lookup(raw: bytes, limits: InputLimits) -> Any | None:
    """The plain data kept for a file of these bytes, or None (not kept, or unusable)."""
    path = _entry(raw, limits)
    if path is None:
        return None
    try:
        text = path.read_bytes()
    except OSError:
        return None
    check, _, body = text.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != check:
        log.debug("ignoring a damaged parse cache entry %s", path)
        return None
    try:
        return json.loads(body)
    except ValueError:  # a digest that matches a body that is not JSON: written by hand
        log.debug("ignoring a parse cache entry that is not JSON: %s", path)
        return None


def keep(raw: bytes, data: Any, limits: InputLimits) -> None:
    """Keep the plain data read from a file of these bytes (written atomically)."""
    path = _entry(raw, limits)
    if path is None:
        return
    try:
        body = json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    except (TypeError, ValueError) as err:  # not plain data after all: never kept
        log.debug("not keeping the parse of a file: %s", err)
        return
    check = hashlib.sha256(body).hexdigest().encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(check + b"\n" + body)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(path.parent.parent)
    except OSError as err:  # a cache that cannot be written only costs time
        log.debug("cannot write the parse cache entry %s: %s", path, err)


def _prune(folder: Path) -> None:
    """Keep at most MAX_ENTRIES entries and MAX_BYTES: past either, the least recently
    written go until half of both is left."""
    entries = [(p.stat(), p) for p in folder.glob("*/*.json")]
    total = sum(st.st_size for st, _ in entries)
    if len(entries) <= MAX_ENTRIES and total <= MAX_BYTES:
        return
    entries.sort(key=lambda item: item[0].st_mtime_ns)
    count = len(entries)
    for st, old in entries:
        if count <= MAX_ENTRIES // 2 and total <= MAX_BYTES // 2:
            break
        old.unlink(missing_ok=True)
        count -= 1
        total -= st.st_size


__all__ = ["ENV_VAR", "cache_root", "keep", "lookup", "reader_fingerprint"]
