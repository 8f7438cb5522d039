"""The registry in the store, on both backends: one winner per version, nothing lost under
concurrency, texts verbatim and verified by hash, export/import, the old folder imported."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from cases.legacy_registry import write_folder
from cases.registry import PublishConflict, Registry, RegistryError, digest
from cases.store import open_store
from cli.main import cli
from rules.loader import SHIPPED_DIR

WIRED = SHIPPED_DIR / "line1" / "network_wired.yaml"
WIFI = SHIPPED_DIR / "line1" / "wifi.yaml"


def _variant(folder: Path, source: Path, version: str, extra: str = "") -> Path:
    body = source.read_text(encoding="utf-8").replace("version: 1.0.0", f"version: {version}", 1)
    path = folder / f"{source.stem}-{version}-{abs(hash(extra))}.yaml"
    path.write_text(body + extra, encoding="utf-8")
    return path


def test_the_text_is_kept_verbatim_with_status_beside_it(tmp_path: Path, store_url: str) -> None:
    """The audit's case: a status line with a trailing comment broke every diagnosis."""
    body = WIRED.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0", 1)
    body = re.sub(r"^status:.*$", "status: validated  # reviewed", body, count=1, flags=re.M)
    assert "status: validated  # reviewed" in body
    source = tmp_path / "wired.yaml"
    source.write_text(body, encoding="utf-8")
    registry = Registry(open_store(store_url))
    entry = registry.publish(source, by="anna")
    assert entry.path.read_text(encoding="utf-8") == body
    assert entry.stage == "published" and entry.published_by == "anna"
    assert entry.sha256 == digest(body)
    result = CliRunner().invoke(
        cli, ["diagnose", "--json", "--packs", str(entry.path), "-a", "wired_cable_seated=no"]
    )
    assert result.exit_code == 0, result.output


def _race(store_url: str, texts: list[Path]) -> list[str]:
    """Publish each text from its own store connection at the same moment."""
    stores = [open_store(store_url) for _ in texts]
    results: list[str] = []
    barrier = threading.Barrier(len(texts))

    def publish(n: int, source: Path) -> None:
        barrier.wait()
        try:
            Registry(stores[n]).publish(source, by=f"engineer {n}")
            results.append(f"won {n}")
        except PublishConflict as err:
            results.append(f"refused: {err.message}")

    threads = [threading.Thread(target=publish, args=(n, t)) for n, t in enumerate(texts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_publishes_of_one_version_exactly_one_wins(tmp_path: Path, store_url: str) -> None:
    Registry(open_store(store_url)).entries()  # seeded once
    for round_ in range(4):
        version = f"1.{round_ + 1}.0"
        texts = [_variant(tmp_path, WIRED, version, f"# engineer {n}\n") for n in range(2)]
        results = _race(store_url, texts)
        won = [r for r in results if r.startswith("won")]
        assert len(won) == 1, results
        refused = next(r for r in results if r.startswith("refused"))
        assert f"network-wired {version}" in refused
        winner = int(won[0][-1])
        kept = Registry(open_store(store_url)).current("network-wired")
        assert kept is not None and kept.version == version
        assert kept.path.read_text(encoding="utf-8") == texts[winner].read_text(encoding="utf-8")


def test_publishing_in_parallel_loses_no_version(tmp_path: Path, store_url: str) -> None:
    """The audit's other case: two processes publishing 30 versions each."""
    Registry(open_store(store_url)).entries()  # seeded once
    errors: list[BaseException] = []

    def publish_all(source: Path) -> None:
        registry = Registry(open_store(store_url))
        try:
            for n in range(1, 31):
                registry.publish(_variant(tmp_path, source, f"1.0.{n}"), by=source.stem)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=publish_all, args=(s,)) for s in (WIRED, WIFI)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    registry = Registry(open_store(store_url))
    for pack in ("network-wired", "wifi"):
        kept = registry.entries(pack)
        assert [e.version for e in kept] == ["1.0.0"] + [f"1.0.{n}" for n in range(1, 31)]
        assert [e.stage for e in kept].count("published") == 1
        assert kept[-1].stage == "published"


def test_an_edited_copy_is_refused(store_env: str) -> None:
    registry = Registry(open_store(store_env))
    entry = registry.current("network-wired")
    assert entry is not None
    entry.path.write_text(
        entry.path.read_text(encoding="utf-8").replace("certainty: 0.8", "certainty: 0.1", 1),
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match="edited after publishing") as err:
        registry.current("network-wired")
    assert "delete the file" in (err.value.hint or "")
    result = CliRunner().invoke(cli, ["diagnose", "-a", "wired_cable_seated=no"])
    assert result.exit_code == 4 and "edited after publishing" in result.output


def test_a_changed_text_in_the_store_is_refused(store_url: str) -> None:
    store = open_store(store_url)
    registry = Registry(store)
    registry.entries()
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE packs SET text = text || '# sneaky' WHERE pack = 'wifi'")
    with pytest.raises(RegistryError, match="does not match its hash"):
        Registry(open_store(store_url)).current("wifi")


def test_export_and_import_move_a_registry(tmp_path: Path, store_url: str) -> None:
    source = tmp_path / "src.sqlite3"
    Registry(open_store(source)).publish(_variant(tmp_path, WIRED, "1.1.0"), by="anna")
    out = CliRunner().invoke(
        cli, ["registry", "export", str(tmp_path / "x"), "--store", str(source)]
    )
    assert out.exit_code == 0, out.output
    index = json.loads((tmp_path / "x" / "index.json").read_text(encoding="utf-8"))
    assert index["packs"]["network-wired"]["versions"]["1.1.0"]["published_by"] == "anna"
    result = CliRunner().invoke(
        cli, ["registry", "import", str(tmp_path / "x"), "--store", store_url]
    )
    assert result.exit_code == 0, result.output
    assert "imported 1 pack versions" in result.output
    kept = Registry(open_store(store_url)).current("network-wired")
    assert kept is not None and kept.version == "1.1.0" and kept.published_by == "anna"


def test_the_old_folder_registry_is_imported_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "old-registry"
    body = _variant(tmp_path, WIRED, "1.2.0").read_text(encoding="utf-8")
    write_folder(
        folder,
        [
            {
                "pack": "network-wired",
                "version": "1.2.0",
                "line": 1,
                "stage": "published",
                "text": body,
                "sha256": digest(body),
                "published_by": "",
                "published_at": "2026-01-01T00:00:00+00:00",
            }
        ],
    )
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    for info in index["packs"].values():  # as the old linewise wrote it: no hash, no publisher
        for item in info["versions"].values():
            del item["sha256"], item["published_by"]
    (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")
    monkeypatch.setenv("LINEWISE_REGISTRY", str(folder))
    result = CliRunner().invoke(cli, ["diagnose", "--json", "-a", "wired_cable_seated=no"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["packs"]["network-wired"] == "1.2.0"
    history = CliRunner().invoke(cli, ["pack", "history", "network-wired"])
    assert f"imported from {folder}" in history.output
