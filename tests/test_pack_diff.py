"""`linewise pack diff`: the structural diff of two pack versions and the cases they change."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bench.loop_impact import changed_pack  # the same one-pack change the bench measures
from cases import cache
from cases.golden import golden_files
from cases.publish import golden_paths, kb_related
from cases.rerun import rerun
from cli.main import cli
from engine.compile import CompiledKnowledge
from rules.diff import diff_packs, field_changes, flatten
from rules.loader import SHIPPED_DIR, load_pack_file
from tests.history import Builder, write_store

WIRED = SHIPPED_DIR / "line1" / "network_wired.yaml"
# the pack's own golden cases keep these tests fast (the whole library is replayed by default)
CASES = ("--cases", str(SHIPPED_DIR.parent / "cases" / "golden" / "network-wired"))


def test_flatten_and_field_changes() -> None:
    old = {"when": {"all": [{"question": "a", "equals": True}]}, "then": [{"conclude": "f"}]}
    new = {"when": {"all": [{"question": "a", "equals": False}]}, "then": [{"conclude": "f"}]}
    assert flatten(old)["when.all[0].equals"] is True
    changes = field_changes(old, new)
    assert [(c.path, c.old, c.new) for c in changes] == [("when.all[0].equals", True, False)]
    # lists of plain values are compared whole: 'requires: [] -> [a]', not per index
    assert flatten({"requires": ["a"], "empty": []}) == {"requires": ["a"], "empty": []}
    # a value of another type is a change even when Python calls it equal (1 == True)
    assert field_changes({"v": 1}, {"v": True})


def test_a_pack_has_no_difference_with_itself() -> None:
    pack = load_pack_file(WIRED).pack
    assert diff_packs(pack, pack).empty


def test_structural_diff_names_each_change(tmp_path: Path) -> None:
    old = load_pack_file(WIRED).pack
    new = load_pack_file(changed_pack(tmp_path)).pack
    diff = diff_packs(old, new)
    assert [(c.path, c.old, c.new) for c in diff.header] == [("version", "1.0.0", "1.1.0")]
    items = {(i.section, i.id): i for i in diff.items}
    assert items[("questions", "wired_dock_used")].kind == "added"
    cost = items[("questions", "wired_other_cable_works")]
    assert cost.kind == "changed" and [(f.path, f.old, f.new) for f in cost.fields] == [
        ("cost", 5.0, 3.0)
    ]
    rule = items[("rules", "spare_cable_fixes")]
    assert [(f.path, f.old, f.new) for f in rule.fields] == [("then[0].certainty", 0.8, 0.5)]
    assert diff.totals()["questions"] == {"added": 1, "removed": 0, "changed": 1}
    back = diff_packs(new, old)
    assert {(i.section, i.id) for i in back.items if i.kind == "removed"} == {
        ("questions", "wired_dock_used")
    }


def test_cli_lists_cases_whose_outcome_changes(tmp_path: Path) -> None:
    new = changed_pack(tmp_path / "new")
    result = CliRunner().invoke(cli, ["pack", "diff", str(WIRED), str(new), "--json", *CASES])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["structure"]["new_version"] == "1.1.0"
    impact = data["impact"]
    assert impact["totals"]["now_escalated"] >= 1
    change = next(c for c in impact["changes"] if c["case"] == "wired-cable-faulty")
    assert change["old"]["outcome"] == "fault wired_cable_faulty"
    assert change["new"]["outcome"].startswith("escalate to Line 2 (below_threshold)")
    assert change["old"]["expected_ok"] is True and change["new"]["expected_ok"] is False
    text = CliRunner().invoke(cli, ["pack", "diff", str(WIRED), str(new), *CASES]).stdout
    assert "~ spare_cable_fixes" in text and "then[0].certainty: 0.8 -> 0.5" in text
    assert "[now_escalated] wired-cable-faulty" in text


def test_unchanged_version_changes_no_case() -> None:
    result = CliRunner().invoke(cli, ["pack", "diff", str(WIRED), str(WIRED), "--json", *CASES])
    data = json.loads(result.stdout)
    assert data["impact"]["changed"] == 0 and data["impact"]["replayed"] >= 1


def test_two_different_packs_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(
        WIRED.read_text(encoding="utf-8").replace("id: network-wired", "id: network-other", 1)
    )
    result = CliRunner().invoke(cli, ["pack", "diff", str(WIRED), str(other)])
    assert result.exit_code == 2
    assert "same pack" in result.stderr


def _related() -> list[str]:
    """network-l2 requires network-wired: its golden cases (and its other packs') replay too."""
    return sorted(kb_related(cache.knowledge(cache.resolve_files(None)), "network-wired"))


def _stored_case(tmp_path: Path) -> Path:
    case = Builder({"service_form": "paid", "channel": "phone", "complaint": "wired_no_network"})
    case.start(1, 1)
    for minute, (question, value) in enumerate(
        [
            ("wired_cable_seated", True),
            ("wired_link_light", False),
            ("wired_neighbours_ok", True),
            ("wired_other_cable_works", True),
        ],
        2,
    ):
        case.answer(minute, 1, question, value)
    case.add(8, 1, "fix_proposed", fault="wired_cable_faulty")
    case.add(9, 1, "fix_worked", fault="wired_cable_faulty")
    never_line_1 = Builder({"complaint": "wired_no_network"})  # no session: not re-run
    twin = Builder({**case.intake, "customer": "Someone else"})  # same answers: re-run once
    twin.events = [*twin.events[:1], *case.events[1:]]
    path = tmp_path / "store.sqlite3"
    write_store(path, [case, never_line_1, twin])
    return path


def test_rerun_counts_the_questions_the_session_asks(line1: CompiledKnowledge) -> None:
    golden = {
        "wired_cable_seated": "yes",
        "wired_link_light": "no",
        "wired_neighbours_ok": "yes",
        "wired_other_cable_works": "yes",
        "wired_adapter_enabled": "yes",
        "wired_ip_kind": "none",
    }
    intake = {"complaint": "wired_no_network"}
    full = rerun(line1, 1, intake, golden)
    assert full.outcome == "fault wired_cable_faulty" and full.kind == "fault"
    assert full.unanswered == 0 and 3 <= full.questions <= len(golden)
    partial = dict(golden)
    asked_first = "wired_cable_seated"  # fixed order 1 in the pack: always asked first
    del partial[asked_first]
    missing = rerun(line1, 1, intake, partial)
    assert missing.unanswered >= 1 and missing.questions >= missing.unanswered
    failed = rerun(line1, 1, intake, golden, failed={"wired_cable_faulty"})
    assert failed.kind == "escalate" and "fix_failed" in failed.outcome


def test_stored_cases_are_rerun_with_old_and_new(tmp_path: Path) -> None:
    store = _stored_case(tmp_path)
    new = changed_pack(tmp_path / "new")
    args = [
        "pack",
        "diff",
        str(WIRED),
        str(new),
        "--stored",
        "--store",
        str(store),
        "--json",
        "--cases",
        *CASES[1:],
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    impact = json.loads(result.stdout)["impact"]
    assert impact["questions_compared"] is True
    stored = [c for c in impact["changes"] if c["source"] == "store:C-000001"]
    assert len(stored) == 1 and stored[0]["change"] == "now_escalated"
    assert stored[0]["old"]["outcome"] == "fault wired_cable_faulty"
    assert stored[0]["old"]["questions"] >= 4 and stored[0]["new"]["questions"] >= 4
    assert not any(c["source"] == "store:C-000002" for c in impact["changes"])
    twin = [c for c in impact["changes"] if c["source"] == "store:C-000003"]
    assert [(c["case"], c["change"]) for c in twin] == [("C-000003", "now_escalated")]
    golden = len(golden_files(golden_paths(new, "network-wired", [Path(CASES[1])], _related())))
    assert impact["replayed"] == golden + 2
    scope = json.loads(result.stdout)["stored"]
    assert scope == {"line": 1, "reached": 2, "replayed": 2, "skipped": 0, "everything": False}


def test_a_new_pack_is_diffed_against_the_knowledge_without_it(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "id: wired-extra\nversion: 0.1.0\nline: 1\ntitle: Extra\nrequires: [network-wired]\n"
        "faults:\n  - {id: wired_extra_fault, title: Extra, fix: [Do it], line: 1, prior: 0.1}\n"
        "rules:\n  - id: extra_rule\n    when: {question: wired_ip_kind, equals: none}\n"
        "    then: [{conclude: wired_extra_fault, certainty: 0.3}]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["pack", "diff", "-", str(extra), "--json", *CASES])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["structure"]["old_version"] == "0.0.0"
    totals = data["structure"]["totals"]
    assert totals["rules"]["added"] == 1 and totals["faults"]["added"] == 1
    assert data["impact"]["replayed"] >= 1
    missing = CliRunner().invoke(cli, ["pack", "diff", str(tmp_path / "nope.yaml"), str(extra)])
    assert missing.exit_code == 2 and "give '-' as OLD for a new pack" in missing.stderr
