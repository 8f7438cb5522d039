"""The pack life cycle: publish refusals, kept versions, archive, replay with exact versions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cases.registry import Registry, version_key
from cases.store import open_store
from cli.main import cli
from rules.errors import UnknownIdError
from rules.loader import SHIPPED_DIR, load_pack_file

WIRED = SHIPPED_DIR / "line1" / "network_wired.yaml"


def with_status(text: str, status: str) -> str:
    """A test pack's text with its top-level status set (test data only; the registry never
    rewrites a pack's text)."""
    if re.search(r"^status:", text, re.MULTILINE):
        return re.sub(r"^status:.*$", f"status: {status}", text, count=1, flags=re.MULTILINE)
    return re.sub(r"^(line:.*)$", rf"\1\nstatus: {status}", text, count=1, flags=re.MULTILINE)


def _registry() -> Registry:
    """The registry in this test's store ($LINEWISE_STORE)."""
    return Registry(open_store())


def _version(folder: Path, version: str, *, certainty: str = "0.8", status: str = "draft") -> Path:
    text = WIRED.read_text(encoding="utf-8").replace("version: 1.0.0", f"version: {version}", 1)
    text = text.replace("certainty: 0.8\n", f"certainty: {certainty}\n", 1)
    text = with_status(text, status)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"network_wired-{version}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _publish(registry: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["pack", "publish", "--registry", str(registry), *args])
    return result.exit_code, result.stdout, result.stderr


def test_version_order() -> None:
    assert version_key("1.2.0-rc1") < version_key("1.2.0") < version_key("1.10.0")


def test_registry_seeds_itself_with_the_shipped_packs() -> None:
    registry = _registry()
    current = registry.current("network-wired")
    assert current is not None and current.version == "1.0.0" and current.stage == "published"
    assert current.path.read_bytes() == WIRED.read_bytes()  # the text, verbatim
    assert current.published_by == "linewise (shipped)" and len(current.sha256) == 64


def test_publish_keeps_versions_and_archives_the_replaced_one(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    code, out, err = _publish(reg, str(_version(tmp_path, "1.1.0")), "--line", "1")
    assert code == 0, err
    assert "published network-wired 1.1.0 to Line 1 (replacing 1.0.0, now archived)" in out
    result = CliRunner().invoke(
        cli, ["pack", "history", "network-wired", "--registry", str(reg), "--json"]
    )
    stages = {e["version"]: e["stage"] for e in json.loads(result.stdout)}
    assert stages == {"1.0.0": "archived", "1.1.0": "published"}
    registry = _registry()
    old = registry.files_for({"network-wired": "1.0.0"})
    assert load_pack_file(old[0]).pack.version == "1.0.0"
    current = registry.current("network-wired")
    assert current is not None and load_pack_file(current.path).pack.status == "draft"


def test_publish_refuses_a_version_not_higher(tmp_path: Path) -> None:
    code, _, err = _publish(tmp_path / "reg", str(_version(tmp_path, "1.0.0")), "--line", "1")
    assert code == 1
    assert "version 1.0.0 is not higher than the published 1.0.0" in err


def test_publish_refuses_failing_golden_cases_and_the_wrong_line(tmp_path: Path) -> None:
    weak = _version(tmp_path, "1.2.0", certainty="0.5")
    code, _, err = _publish(tmp_path / "reg", str(weak), "--line", "2")
    assert code == 1
    assert "refusing to publish network-wired 1.2.0" in err
    assert "network-wired is a Line 1 pack, not a Line 2 pack" in err
    assert "golden case wired-cable-faulty fails: expected fault wired_cable_faulty" in err
    assert _registry().current("network-wired").version == "1.0.0"  # type: ignore[union-attr]


def test_a_refusal_is_json_with_json(tmp_path: Path) -> None:
    code, out, err = _publish(
        tmp_path / "reg", str(_version(tmp_path, "1.0.0")), "--line", "2", "--json"
    )
    assert code == 1 and "refusing to publish" in err
    data = json.loads(out)
    assert data["ok"] is False and data["published_entry"] is None
    assert data["pack"] == "network-wired" and data["published"] == "1.0.0"
    assert data["reasons"][:2] == [
        "network-wired is a Line 1 pack, not a Line 2 pack",
        "version 1.0.0 is not higher than the published 1.0.0",
    ]


def test_publish_refuses_a_pack_that_does_not_validate(tmp_path: Path) -> None:
    bad = _version(tmp_path, "1.3.0")
    bad.write_text(bad.read_text().replace("conclude: wired_cable_faulty", "conclude: nope", 1))
    code, _, err = _publish(tmp_path / "reg", str(bad), "--line", "1")
    assert code == 1
    assert "does not validate with the published packs" in err and "nope" in err


def test_publish_refuses_a_pack_without_golden_cases(tmp_path: Path) -> None:
    text = WIRED.read_text(encoding="utf-8").replace("id: network-wired", "id: network-new", 1)
    for old in ("wired_", "spare_cable", "no_link"):
        text = text.replace(old, "n" + old)
    path = tmp_path / "new.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, err = _publish(tmp_path / "reg", str(path), "--line", "1")
    assert code == 1
    assert "no golden cases for network-new" in err


def test_dry_run_publishes_nothing(tmp_path: Path) -> None:
    code, out, _ = _publish(
        tmp_path / "reg", str(_version(tmp_path, "1.4.0")), "--line", "1", "--dry-run"
    )
    assert code == 0 and "dry run" in out
    assert _registry().current("network-wired").version == "1.0.0"  # type: ignore[union-attr]


def test_archive_withdraws_but_keeps(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    args = ["pack", "archive", "network-wired", "--registry", str(reg), "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    archived = json.loads(result.stdout)
    assert (archived["pack"], archived["stage"]) == ("network-wired", "archived")
    registry = _registry()
    assert registry.current("network-wired") is None
    assert registry.files_for({"network-wired": "1.0.0"})
    with pytest.raises(UnknownIdError, match=r"no published version 9\.9\.9"):
        registry.file_for("network-wired", "9.9.9")


def test_publish_refuses_a_pack_the_checker_finds_errors_in(tmp_path: Path) -> None:
    path = _version(tmp_path, "1.5.0")
    text = path.read_text(encoding="utf-8").replace(
        "rules:\n",
        "rules:\n  - id: never_fires\n    when:\n      all:\n"
        "        - {question: wired_cable_seated, equals: yes}\n"
        "        - {question: wired_cable_seated, equals: no}\n"
        "    then:\n      - conclude: wired_cable_faulty\n",
        1,
    )
    path.write_text(text, encoding="utf-8")
    code, _, err = _publish(tmp_path / "reg", str(path), "--line", "1")
    assert code == 1
    assert "verification: " in err and "E102" in err and "never_fires" in err
    assert "golden case" not in err  # the golden cases themselves pass


def test_verification_covers_the_packs_that_require_the_published_one(tmp_path: Path) -> None:
    from rules.context import neighbourhood
    from rules.knowledge import load_knowledge

    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "id: wired-extra\nversion: 0.1.0\nline: 1\ntitle: Extra\nrequires: [network-wired]\n"
        "faults:\n  - {id: wired_extra_fault, title: Extra, fix: [Do it], line: 1, prior: 0.1}\n"
        "rules:\n  - id: extra_rule\n    when: {question: wired_ip_kind, equals: none}\n"
        "    then: [{conclude: wired_extra_fault, certainty: 0.3}]\n",
        encoding="utf-8",
    )
    kb = load_knowledge([SHIPPED_DIR / "line1", extra])
    assert neighbourhood(kb, ["network-wired"]) == ["network-wired", "wired-extra"]
    assert neighbourhood(kb, ["wired-extra"]) == ["wired-extra"]


def test_publish_refuses_a_pack_that_breaks_the_golden_cases_of_a_pack_it_requires(
    tmp_path: Path,
) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "id: wired-extra\nversion: 0.1.0\nline: 1\ntitle: Extra\nrequires: [network-wired]\n"
        "faults:\n  - {id: wired_extra_fault, title: Extra, fix: [Do it], line: 1, prior: 0.1}\n"
        "rules:\n  - id: extra_rule\n    priority: 100\n"
        "    when: {question: wired_other_cable_works, equals: yes}\n"
        "    then: [{conclude: wired_extra_fault, certainty: 0.95}]\n",
        encoding="utf-8",
    )
    own = tmp_path / "golden" / "wired-extra"
    own.mkdir(parents=True)
    (own / "extra.yaml").write_text(
        "id: extra\nintake: {complaint: wired_no_network}\n"
        "answers: {wired_other_cable_works: yes}\nexpect: {fault: wired_extra_fault}\n",
        encoding="utf-8",
    )
    code, _, err = _publish(tmp_path / "reg", str(extra), "--line", "1")
    assert code == 1
    assert "golden case wired-cable-faulty fails: expected fault wired_cable_faulty" in err
    assert "golden case extra" not in err  # its own case passes


def test_a_published_version_is_what_the_lines_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publishing is how Line 3's work reaches Line 1: sessions load the registry."""
    reg = tmp_path / "live"
    monkeypatch.setenv("LINEWISE_REGISTRY", str(reg))
    before = CliRunner().invoke(cli, ["diagnose", "--json", "-a", "wired_cable_seated=no"])
    assert json.loads(before.stdout)["packs"]["network-wired"] == "1.0.0"
    code, _, err = _publish(reg, str(_version(tmp_path, "1.1.0")), "--line", "1")
    assert code == 0, err
    after = CliRunner().invoke(cli, ["diagnose", "--json", "-a", "wired_cable_seated=no"])
    data = json.loads(after.stdout)
    assert data["packs"]["network-wired"] == "1.1.0"
    assert data["outcome"]["fault"] == "wired_cable_unplugged"
