"""`pack validate` and `pack check` in context: the packs given beside the packs the lines run.

A new pack whose id clashes with a shipped (or published) one is refused at the new pack's
file:line with a fix that fits; a new version of a shipped pack replaces it (no clash); a
reference it breaks in another pack is shown there, saying the pack given is the cause;
`--alone` takes the packs given on their own, as before.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cases.registry import Registry
from cases.store import open_store
from cli.main import EXIT_BAD_INPUT, cli
from rules.loader import SHIPPED_DIR

WIFI = SHIPPED_DIR / "line1" / "wifi.yaml"

# a new pack whose question 'wifi_switch_on' (line 13) and fault (line 18) are shipped ids
NEW_PACK = """\
id: office-radio
version: 0.1.0
line: 1
title: Office radio
symptoms:
  - id: radio_silent
    title: The office radio is silent
questions:
  - id: radio_plugged
    text: Is the radio plugged in?
    type: yesno
    cost: 1
  - id: wifi_switch_on
    text: Is the radio switched on?
    type: yesno
    cost: 1
faults:
  - id: wifi_airplane_mode
    title: The radio is off
    fix: [Switch it on]
    line: 1
rules:
  - id: radio_off_rule
    when:
      all:
        - {intake: complaint, equals: radio_silent}
        - {question: wifi_switch_on, equals: no}
    then: [{conclude: wifi_airplane_mode, certainty: 0.9}]
"""


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["pack", *args])


def _new_pack(tmp_path: Path) -> Path:
    path = tmp_path / "office_radio.yaml"
    path.write_text(NEW_PACK, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["validate", "check"])
def test_a_clash_with_a_shipped_pack_is_refused_at_the_new_pack(
    command: str, tmp_path: Path
) -> None:
    pack = _new_pack(tmp_path)
    result = _run(command, str(pack))
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    err = result.stderr
    question = re.search(r"^(\S+):(\d+):\d+: questions\[1\]\.id: duplicate question.*$", err, re.M)
    assert question is not None, err
    assert question.group(1) == str(pack) and question.group(2) == "13"
    assert "already defined in rules/line1/wifi.yaml, pack 'wifi'" in question.group(0)
    assert "rename 'wifi_switch_on' in this pack" in question.group(0)
    fault = re.search(r"^(\S+):(\d+):\d+: faults\[0\]\.id: duplicate fault id 'wifi_", err, re.M)
    assert fault is not None and fault.group(1) == str(pack) and fault.group(2) == "18", err
    assert "rules/line1/wifi.yaml:" not in err  # the shipped pack is never the one blamed
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["validate", "check"])
def test_alone_takes_the_pack_on_its_own(command: str, tmp_path: Path) -> None:
    result = _run(command, "--alone", str(_new_pack(tmp_path)))
    assert result.exit_code == 0, result.output
    if command == "validate":
        assert result.stdout.startswith("ok: 1 pack (alone), 2 questions, 1 faults, 1 rules")


def test_a_new_version_of_a_shipped_pack_replaces_it(tmp_path: Path) -> None:
    text = WIFI.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0", 1)
    newer = tmp_path / "wifi.yaml"
    newer.write_text(text, encoding="utf-8")
    result = _run("validate", "--json", str(newer))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["packs"]["wifi"] == "1.1.0"
    assert data["context"]["source"] == "shipped" and data["context"]["given"] == ["wifi"]
    assert data["context"]["replaced"] == {"wifi": "1.0.0"}
    assert "network-l2" in data["context"]["context"]  # the rest of the lines stays beside it
    text_out = _run("validate", str(newer)).stdout
    assert "1 pack (with 16 shipped packs; replacing wifi 1.0.0)" in text_out
    checked = _run("check", "--json", str(newer))
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)
    # the pack and the packs that require it (network-l2) with what they require
    assert {"wifi", "network-l2", "network-wired", "vpn"} == set(report["packs"])


def test_the_shipped_files_themselves_are_no_clash() -> None:
    result = _run("validate", str(SHIPPED_DIR / "line1"))
    assert result.exit_code == 0, result.output
    assert "12 packs (with 5 shipped packs)" in result.stdout


def test_a_reference_the_new_version_breaks_is_shown_where_it_is_used(tmp_path: Path) -> None:
    text = WIFI.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0", 1)
    newer = tmp_path / "wifi.yaml"  # the complaint renamed, everywhere in the pack
    newer.write_text(text.replace("wifi_drops", "wifi_keeps_dropping"), encoding="utf-8")
    result = _run("validate", str(newer))
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    lines = result.stderr.splitlines()
    used = [ln for ln in lines if ln.startswith("rules/line2/network_l2.yaml:")]
    assert used and all("'wifi_drops' is not a value" in ln for ln in used), result.stderr
    assert all("'network-l2' is a shipped pack, not one given" in ln for ln in used)
    assert not any(ln.startswith(str(newer)) for ln in lines)  # the pack itself is sound
    assert _run("validate", "--alone", str(newer)).exit_code == 0


def test_a_copy_under_a_new_id_is_told_to_take_the_old_id(tmp_path: Path) -> None:
    text = WIFI.read_text(encoding="utf-8").replace("id: wifi\n", "id: wifi-next\n", 1)
    copy = tmp_path / "wifi_next.yaml"
    copy.write_text(text, encoding="utf-8")
    result = _run("validate", str(copy))
    assert result.exit_code == EXIT_BAD_INPUT
    assert "if this file is a new version of pack 'wifi', give it 'id: wifi'" in result.stderr
    assert "version above 1.0.0" in result.stderr


def test_the_context_is_the_published_packs_once_a_store_has_them(tmp_path: Path) -> None:
    published = WIFI.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0", 1)
    published = published.replace("  - id: wifi_switch_on\n", "  - id: radio_plugged\n", 1)
    published = published.replace("question: wifi_switch_on,", "question: radio_plugged,")
    source = tmp_path / "published" / "wifi.yaml"
    source.parent.mkdir()
    source.write_text(published, encoding="utf-8")
    Registry(open_store()).publish(source)
    pack = _new_pack(tmp_path)
    result = _run("validate", str(pack))
    assert result.exit_code == EXIT_BAD_INPUT
    # 'radio_plugged' clashes only with the published wifi 1.1.0; 'wifi_switch_on' is free now
    assert "duplicate question id 'radio_plugged'" in result.stderr
    assert "duplicate question id 'wifi_switch_on'" not in result.stderr
    shipped = _run("validate", "--packs", str(SHIPPED_DIR), str(pack))
    assert "duplicate question id 'wifi_switch_on'" in shipped.stderr


def test_validate_json_refusal_names_the_new_pack(tmp_path: Path) -> None:
    pack = _new_pack(tmp_path)
    result = _run("validate", "--json", str(pack))
    assert result.exit_code == EXIT_BAD_INPUT
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert {p["file"] for p in data["problems"]} == {str(pack)}
    assert {p["code"] for p in data["problems"]} == {"E011"}
