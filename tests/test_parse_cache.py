"""The parse of a pack file kept on disk (rules.parse_cache) changes nothing but the time.

`pack validate` says byte for byte the same with the cache off, cold and warm, for sound
packs, clashes in context and every bad pack; a damaged, truncated or edited entry is
read again from the file and written anew; a file with a problem is never kept; entries
made by other reader code are never read; a cache that cannot be written or is turned
off only costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from rules import loader, parse_cache
from rules.errors import PackError
from rules.limits import LIMITS, InputLimits
from rules.loader import SHIPPED_DIR, load_pack_file
from rules.source import display_path, parse_data
from tests.conftest import DATA
from tests.test_pack_context import NEW_PACK
from tests.test_sequence import PACK as SEQUENCE_PACK

WIFI = SHIPPED_DIR / "line1" / "wifi.yaml"
BAD_PACKS = sorted((DATA / "bad_packs").glob("*.yaml"))


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the YAML reader really parses (the rest came from the cache); every
    run starts a new process' memory: nothing loaded before is kept in it."""
    seen: list[str] = []
    real = parse_data

    def counted(raw: bytes | str, name: str, **kwargs: Any) -> Any:
        seen.append(name)
        return real(raw, name, **kwargs)

    monkeypatch.setattr(loader, "parse_data", counted)
    return seen


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LINEWISE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "_LOADED", OrderedDict())
    monkeypatch.setattr(loader, "_SAME", OrderedDict())


def _validate(path: Path, monkeypatch: pytest.MonkeyPatch, *more: str) -> Result:
    _fresh(monkeypatch)
    return CliRunner().invoke(cli, ["pack", "validate", *more, str(path)])


def _said(result: Result) -> tuple[int, str, str]:
    return result.exit_code, result.stdout, result.stderr


def _entries(root: Path) -> list[Path]:
    return sorted(root.glob("parsed/*/*/*.json"))


@pytest.mark.parametrize("pack", [WIFI, *BAD_PACKS], ids=lambda p: p.stem)
def test_validate_says_the_same_with_the_cache_off_cold_and_warm(
    pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    monkeypatch.setenv("LINEWISE_CACHE", "off")
    off = _said(_validate(pack, monkeypatch))
    monkeypatch.setenv("LINEWISE_CACHE", str(tmp_path / "cache"))
    cold = _said(_validate(pack, monkeypatch))
    parses.clear()
    warm = _said(_validate(pack, monkeypatch))
    assert off == cold == warm
    assert not [name for name in parses if name.startswith("rules/")]  # context: all kept
    if pack == WIFI:
        assert parses == []


def test_a_clash_in_context_is_reported_the_same_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    new = tmp_path / "radio.yaml"
    new.write_text(NEW_PACK, encoding="utf-8")
    monkeypatch.setenv("LINEWISE_CACHE", "off")
    off = _validate(new, monkeypatch, "--json")
    monkeypatch.setenv("LINEWISE_CACHE", str(tmp_path / "cache"))
    _validate(new, monkeypatch, "--json")
    parses.clear()
    warm = _validate(new, monkeypatch, "--json")
    assert _said(off) == _said(warm)
    assert parses == []  # the new pack and its context: all from the cache
    problems = json.loads(warm.stdout)["problems"]
    assert any(p["file"].endswith("radio.yaml") and p["line"] == 13 for p in problems)


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda text: text[: len(text) // 2],
    "empty": lambda text: b"",
    "not a digest line": lambda text: b"garbage\n" + text,
    "body edited, digest kept": lambda text: text.replace(b"Wi-Fi", b"Wi-Fo"),
    # an entry whose digest matches its body, written by hand
    "digest of a body that is not JSON": lambda text: (
        hashlib.sha256(b"{not json").hexdigest().encode() + b"\n{not json"
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_entry_is_read_again_from_the_file_and_written_anew(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    _fresh(monkeypatch)
    expected = load_pack_file(WIFI)
    (entry,) = _entries(tmp_path / "cache")
    good = entry.read_bytes()
    assert b"Wi-Fi" in good  # the 'edited' damage does change the body
    entry.write_bytes(DAMAGE[damage](good))
    _fresh(monkeypatch)
    parses.clear()
    again = load_pack_file(WIFI)
    assert parses == [display_path(WIFI)]  # read from the file again
    assert again.pack == expected.pack
    assert again.source.values == expected.source.values
    assert entry.read_bytes() == good  # and kept again, whole


def test_an_edit_of_the_file_is_always_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "radio.yaml"
    for title in ("Office radio", "Office radio, second floor"):
        path.write_text(NEW_PACK.replace("Office radio", title, 1), encoding="utf-8")
        _fresh(monkeypatch)
        assert load_pack_file(path).pack.title.get("en") == title
    assert len(_entries(tmp_path / "cache")) == 2  # one entry per content


@pytest.mark.parametrize("name", ["python_tag", "yaml_syntax", "duplicate_key", "not_utf8"])
def test_a_file_with_a_problem_is_never_kept(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fresh(monkeypatch)
    with pytest.raises(PackError):
        load_pack_file(DATA / "bad_packs" / f"{name}.yaml")
    assert _entries(tmp_path / "cache") == []


def test_entries_of_other_reader_code_or_limits_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other_limits = InputLimits(max_depth=LIMITS.max_depth - 1)
    assert parse_cache.reader_fingerprint(other_limits) != parse_cache.reader_fingerprint(LIMITS)
    code = tmp_path / "rules"
    code.mkdir()
    for source in sorted(SHIPPED_DIR.glob("*.py")):
        (code / source.name).write_bytes(source.read_bytes())
    (code / "nodes.py").write_text("# a changed reader\n", encoding="utf-8")
    before = parse_cache.reader_fingerprint(LIMITS)
    monkeypatch.setattr(parse_cache, "_RULES", code)
    parse_cache.reader_fingerprint.cache_clear()
    try:
        assert parse_cache.reader_fingerprint(LIMITS) != before
    finally:
        parse_cache.reader_fingerprint.cache_clear()
    raw = WIFI.read_bytes()
    parse_cache.keep(raw, {"id": "kept under other limits"}, other_limits)
    assert parse_cache.lookup(raw, LIMITS) is None
    assert parse_cache.lookup(raw, other_limits) == {"id": "kept under other limits"}


@pytest.mark.parametrize("setting", ["off", "a file, not a folder"])
def test_a_cache_turned_off_or_not_writable_only_costs_time(
    setting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if setting == "off":
        monkeypatch.setenv("LINEWISE_CACHE", "off")
    else:
        blocker = tmp_path / "blocker"
        blocker.write_text("", encoding="utf-8")
        monkeypatch.setenv("LINEWISE_CACHE", str(blocker))
    result = _validate(WIFI, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "ok: 1 pack" in result.stdout
    assert _entries(tmp_path) == []


def test_data_that_is_not_plain_is_never_kept(cache_dir: Path) -> None:
    raw = b"id: not-plain\n"
    parse_cache.keep(raw, {"id": b"bytes are not plain data"}, LIMITS)
    assert parse_cache.lookup(raw, LIMITS) is None
    assert _entries(cache_dir) == []


@pytest.mark.parametrize("bound", ["entries", "bytes"])
def test_the_cache_keeps_the_most_recent_entries_within_its_bounds(
    bound: str, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if bound == "entries":
        monkeypatch.setattr(parse_cache, "MAX_ENTRIES", 4)
    else:
        monkeypatch.setattr(parse_cache, "MAX_BYTES", 4 * len(b'{"id":"pack-0"}') + 4 * 65)
    raws = [f"id: pack-{n}\n".encode() for n in range(5)]
    for n, raw in enumerate(raws):
        parse_cache.keep(raw, {"id": f"pack-{n}"}, LIMITS)
        for entry in _entries(cache_dir):  # written one second apart, oldest first
            if entry.stat().st_mtime_ns > 10**18:
                os.utime(entry, ns=(n * 10**9, n * 10**9))
    kept = [parse_cache.lookup(raw, LIMITS) for raw in raws]
    assert kept == [None, None, None, {"id": "pack-3"}, {"id": "pack-4"}]


def test_an_error_inside_a_sequence_is_placed_the_same_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    """A sequence's rules take their positions from where the sequence was written."""
    bad = tmp_path / "seq.yaml"
    bad.write_text(SEQUENCE_PACK.replace("{question: toner, less", "{question: tonr, less"))
    monkeypatch.setenv("LINEWISE_CACHE", "off")
    off = _validate(bad, monkeypatch, "--alone")
    monkeypatch.setenv("LINEWISE_CACHE", str(tmp_path / "cache"))
    _validate(bad, monkeypatch, "--alone")
    parses.clear()
    warm = _validate(bad, monkeypatch, "--alone")
    assert parses == []
    assert _said(warm) == _said(off)
    assert warm.exit_code == 2 and f"{bad}:18:26: " in warm.stderr
