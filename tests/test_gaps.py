"""`linewise cases gaps`: groups of gap cases, and the draft pack that validates and replays."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cases.gaps import find_gaps, gap_case
from cases.model import Case
from cases.replay import run_golden
from cli.main import cli
from rules.knowledge import load_knowledge
from rules.loader import SHIPPED_DIR, load_pack_file
from tests.history import Builder, write_store

WIRED = "wired_no_network"


def _stuck(
    seated: object,
    light: object,
    *,
    kind: str = "no_rule",
    fallback: bool = False,
    extra: object = None,
) -> Builder:
    case = Builder({"service_form": "paid", "channel": "phone", "complaint": WIRED})
    case.start(1, 1).answer(2, 1, "wired_cable_seated", seated).answer(
        3, 1, "wired_link_light", light
    )
    if extra is not None:
        case.answer(4, 1, "wired_ip_kind", extra)
    return case.escalate(10, 1, 2, kind, fallback=fallback)


def _history() -> list[Builder]:
    group = [_stuck(True, True, extra="none") for _ in range(4)]
    group.append(_stuck(True, True, kind="rule", fallback=True, extra="none"))
    other = [_stuck(False, False), _stuck(False, False)]
    designed = [_stuck(True, True, kind="needs_line", extra="none") for _ in range(3)]
    resolved = Builder({"complaint": WIRED}).start(1, 1).answer(2, 1, "wired_cable_seated", False)
    resolved.add(5, 1, "fix_worked", fault="wired_cable_unplugged")
    return [*group, *other, *designed, resolved]


def _cases(tmp_path: Path) -> tuple[Path, list[Case]]:
    from cases.store import open_store

    path = tmp_path / "h.sqlite3"
    write_store(path, _history())
    store = open_store(path)
    try:
        return path, list(store.iter_cases())
    finally:
        store.close()


def test_designed_escalations_and_resolved_cases_are_not_gaps(tmp_path: Path) -> None:
    _, cases = _cases(tmp_path)
    kinds = [gap_case(c).kind if gap_case(c) else None for c in cases]  # type: ignore[union-attr]
    assert kinds == ["no_rule"] * 4 + ["rule"] + ["no_rule"] * 2 + [None] * 4


def test_groups_are_ranked_by_size(tmp_path: Path) -> None:
    _, cases = _cases(tmp_path)
    gaps = find_gaps(cases, min_size=2)
    assert [len(g.cases) for g in gaps] == [5, 2]
    first = gaps[0]
    assert first.signature == (
        ("wired_cable_seated", True),
        ("wired_ip_kind", "none"),
        ("wired_link_light", True),
    )
    assert [c.case_id for c in first.cases] == [f"C-00000{i}" for i in range(1, 6)]
    assert [len(g.cases) for g in find_gaps(cases, min_size=3)] == [5]


def test_draft_pack_validates_and_its_golden_cases_pass(tmp_path: Path) -> None:
    store, _ = _cases(tmp_path)
    out = tmp_path / "drafts"
    result = CliRunner().invoke(
        cli,
        ["cases", "gaps", "--store", str(store), "--min-size", "2", "--out", str(out), "--json"],
    )
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)
    assert [g["size"] for g in groups] == [5, 2]
    assert groups[0]["shared"] == {
        "wired_cable_seated": True,
        "wired_ip_kind": "none",
        "wired_link_light": True,
    }
    draft = out / f"{groups[0]['draft_pack']}.yaml"
    pack = load_pack_file(draft).pack
    assert pack.status == "draft" and pack.line == 1 and pack.requires == ["network-wired"]
    assert [f.id for f in pack.faults] == ["gap_wired_no_network_1"]
    assert pack.faults[0].prior == round(5 / 11, 3)  # the group's share of the complaint
    kb = load_knowledge([SHIPPED_DIR / "line1", draft])
    assert "gap_wired_no_network_1" in kb.faults
    validate = CliRunner().invoke(cli, ["pack", "validate", str(SHIPPED_DIR / "line1"), str(draft)])
    assert validate.exit_code == 0, validate.output
    golden = out / "golden" / pack.id
    assert len(list(golden.iterdir())) == 5
    run = run_golden([golden], [SHIPPED_DIR / "line1", draft], jobs=1)
    assert run.ok and run.count("pass") == 5


def test_text_output_lists_groups_and_their_cases(tmp_path: Path) -> None:
    store, _ = _cases(tmp_path)
    result = CliRunner().invoke(cli, ["cases", "gaps", "--store", str(store), "--min-size", "5"])
    assert result.exit_code == 0
    assert "#1  5 cases  Line 1  wired_no_network  (4 no_rule, 1 rule)" in result.stdout
    assert "shared: wired_cable_seated=yes, wired_ip_kind=none, wired_link_light=yes" in (
        result.stdout
    )
    empty = CliRunner().invoke(cli, ["cases", "gaps", "--store", str(store), "--min-size", "50"])
    assert "no group of at least 50 gap cases" in empty.stdout


def test_golden_files_hold_only_answers_known_where_the_case_got_stuck(tmp_path: Path) -> None:
    case = _stuck(True, True, extra="none")
    case.start(20, 2).answer(21, 2, "net_ap_state", "flapping")  # asked later, at Line 2
    store = tmp_path / "s.sqlite3"
    write_store(store, [case, _stuck(True, True, extra="none")])
    out = tmp_path / "drafts"
    result = CliRunner().invoke(
        cli, ["cases", "gaps", "--store", str(store), "--min-size", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = (out / "golden" / "gap-wired-no-network-1" / "c-000001.yaml").read_text()
    assert "wired_ip_kind: none" in text and "net_ap_state" not in text
