"""Golden pictures: DOT and Mermaid text compared without the Graphviz binary.

The pack is a frozen copy in tests/data/dot; after a deliberate change to the pictures,
regenerate a golden file with the command in GOLDEN and review the diff.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.conftest import DATA, ROOT
from visualize.dot import dot_text, to_dot
from visualize.mermaid import mermaid_text
from visualize.picture import Edge, Node, Picture

DOT = DATA / "dot"
PACKS = ["--packs", "tests/data/dot/pack.yaml"]
GOLDEN: dict[str, list[str]] = {
    "knowledge.dot": ["--line", "1"],
    "knowledge-ru.dot": ["--line", "1", "--lang", "ru"],
    "knowledge.mmd": ["--line", "1", "--format", "mermaid"],
    "fault.dot": ["--fault", "wired_cable_faulty"],
    "trace.dot": ["--line", "1", "--trace", "tests/data/dot/trace.json"],
    "traffic.dot": ["--line", "1", "--traces", "tests/data/dot/traffic"],
    "guided.dot": ["--line", "1", "--view", "guided"],
    "guided-ru.dot": ["--line", "1", "--view", "guided", "--lang", "ru"],
    "guided.mmd": ["--line", "1", "--view", "guided", "--format", "mermaid"],
    "guided-trace.dot": ["--line", "1", "--view", "guided", "--trace", "tests/data/dot/trace.json"],
    "guided-traffic.dot": ["--line", "1", "--view", "guided", "--traces", "tests/data/dot/traffic"],
    "guided-truncated.dot": ["--line", "1", "--view", "guided", "--max-nodes", "8"],
    "guided-failed-fix.dot": [
        *("--line", "1", "--view", "guided", "--trace", "tests/data/dot/failed-fix.json"),
    ],
    "guided-dag.dot": ["--packs", "tests/data/dot/dag.yaml", "--line", "1", "--view", "guided"],
    "guided-dag-ru.mmd": [
        *("--packs", "tests/data/dot/dag.yaml", "--line", "1", "--view", "guided"),
        *("--format", "mermaid", "--lang", "ru"),
    ],
}


def _render(args: list[str]) -> str:
    packs = [] if "--packs" in args else PACKS
    result = CliRunner().invoke(cli, ["graph", "render", *packs, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_picture_matches_its_golden_file(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert _render(GOLDEN[name]) == (DOT / name).read_text(encoding="utf-8")


def test_every_golden_file_is_checked() -> None:
    on_disk = {p.name for p in DOT.iterdir() if p.suffix in (".dot", ".mmd")}
    assert on_disk == set(GOLDEN)


def test_russian_picture_uses_russian_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    text = (DOT / "knowledge-ru.dot").read_text(encoding="utf-8")
    assert "Неисправный сетевой кабель" in text and "Обозначения" in text
    assert "Faulty network cable" not in text


def test_fix_steps_are_in_fault_tooltips() -> None:
    text = (DOT / "knowledge.dot").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.strip().startswith('"F.wired_cable_faulty"'))
    assert "tooltip=" in line and "Replace the cable with a known-good one" in line


def test_traffic_marks_unused_branches_and_where_sessions_end() -> None:
    text = (DOT / "traffic.dot").read_text(encoding="utf-8")
    assert 'xlabel="1×"' in text  # one session escalated
    assert "style=dashed" in text  # branches no session took
    assert 'label="0.9 (2)"' in text  # two sessions concluded the unplugged cable


def test_output_is_sorted_whatever_the_insertion_order() -> None:
    def picture(order: list[str]) -> Picture:
        pic = Picture(title="t")
        for name in order:
            pic.add(Node(f"q:{name}", "question", name, line=1))
        for a, b in itertools.pairwise(order):
            pic.connect(Edge(f"q:{a}", f"q:{b}", "condition"))
        return pic

    assert to_dot(picture(["a", "b", "c"])).count(' -> "q.') == 2
    forward = picture(["a", "b", "c"])
    backward = Picture(title="t")
    for node in reversed(forward.sorted_nodes()):
        backward.add(node)
    for edge in reversed(forward.edges):
        backward.connect(edge)
    assert to_dot(forward) == to_dot(backward)


def test_pack_texts_are_escaped_not_interpreted() -> None:
    assert dot_text('C:\\Temp "x"\nnext') == 'C:\\\\Temp "x"\\nnext'
    pic = Picture(title="t")
    pic.add(Node("q:x", "question", '<b>bold</b> "quoted"'))
    text = to_dot(pic)
    assert '"<b>bold</b> \\"quoted\\""' in text
    assert mermaid_text('say "hi" <now>') == "say #quot;hi#quot; #lt;now#gt;"


def test_unknown_pack_is_an_unknown_id() -> None:
    result = CliRunner().invoke(cli, ["graph", "render", "--pack", "network-wird"])
    assert result.exit_code == 3
    assert "did you mean 'network-wired'" in result.stderr


def test_bad_trace_file_says_how_to_make_one(tmp_path: Path) -> None:
    bad = tmp_path / "t.json"
    bad.write_text('{"line": 1}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["graph", "render", "--trace", str(bad)])
    assert result.exit_code == 2
    assert "linewise diagnose --json" in result.stderr


def test_guided_leaves_show_fault_and_fix_or_escalation() -> None:
    text = (DOT / "guided.dot").read_text(encoding="utf-8")
    assert "Faulty network cable\\nFix:\\n1. Replace the cable" in text
    assert "Escalate to Line 2" in text
    assert "not expanded" not in text


def test_truncated_tree_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (DOT / "guided-truncated.dot").read_text(encoding="utf-8")
    assert "… not expanded" in text
    assert "3 × not expanded (max 8 nodes, depth 12)" in text


def test_case_from_the_store_is_highlighted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cases.desk import Desk
    from cases.store import open_store
    from rules.knowledge import load_knowledge

    monkeypatch.chdir(ROOT)
    store_path = tmp_path / "cases.db"
    store = open_store(store_path)
    live = Desk(store, load_knowledge([DOT / "pack.yaml"])).open({"complaint": "wired_no_network"})
    live.answer("wired_cable_seated", "no")
    store.close()
    args = ["--line", "1", "--view", "guided", "--store", str(store_path)]
    marked = _render([*args, "--case", live.case_id])
    assert 'label=no color="#e11d48"' in marked  # the branch the case took
    counted = _render([*args, "--traffic"])
    assert "1 cases" in counted and "style=dashed" in counted


def test_the_last_line_draws_unresolved_not_an_escalation_to_line_5() -> None:
    """Regression: the vendor pack's guided view crashed (no colour for 'Line 5')."""
    result = CliRunner().invoke(
        cli, ["graph", "render", "--pack", "vendor", "--view", "guided", "--format", "dot"]
    )
    assert result.exit_code == 0, result.output
    assert "Unresolved at Line 4, the last line" in result.stdout
    assert "Line 5" not in result.stdout
