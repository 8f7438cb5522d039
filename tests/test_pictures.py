"""Pictures for trainers: the guided view as a DAG, number ranges, failed-fix overlays,
one picture per complaint (with an index), and Mermaid within its limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.graph import Overlay, build_picture
from cli.main import cli
from engine.compile import compile_knowledge
from engine.guided import guided_tree
from rules.knowledge import load_knowledge
from tests.conftest import DATA, ROOT
from tests.mermaid_parser import installed, parse
from visualize.guided import number_branches, range_label, shared_ids
from visualize.mermaid import MAX_TEXT

DAG = DATA / "dot" / "dag.yaml"
WIRED = DATA / "dot" / "pack.yaml"


def _dag_tree() -> tuple[object, dict[str, str]]:
    kb = load_knowledge([DAG]).for_line(1)
    tree = guided_tree(compile_knowledge(kb, name="Dag"), line=1, symptoms=["room_uncomfortable"])
    return tree, shared_ids(tree)


def test_shared_sub_trees_are_drawn_once() -> None:
    tree, ids = _dag_tree()
    nodes = tree.nodes()  # type: ignore[attr-defined]
    picture = build_picture(
        load_knowledge([DAG]),
        pack=None,
        line=1,
        fault=None,
        view="guided",
        lang="en",
        overlay=Overlay(),
    )
    drawn = [n for n in picture.nodes.values() if n.kind != "symptom"]
    assert len(drawn) == len(set(ids.values())) < len(nodes)
    # every step of the tree is still there: each branch is an arrow between the shared boxes
    arrows = {(e.src, e.dst) for e in picture.edges}
    for node in nodes:
        for _, child in node.children:
            assert (ids[node.id], ids[child.id]) in arrows
    # one box for 'heating switched off', reached after either answer about the window
    heating_off = [n.id for n in drawn if n.label.startswith("Heating switched off")]
    assert len(heating_off) == 1
    assert sum(1 for e in picture.edges if e.dst == heating_off[0]) == 2
    assert any("drawn once" in note for note in picture.notes)


def test_number_branches_are_ranges_not_sample_values() -> None:
    bounds = [18.0, 26.0]
    assert range_label(17, 17, bounds, "en") == "under 18"
    assert range_label(18, 18, bounds, "en") == "18"
    assert range_label(22, 22, bounds, "en") == "over 18 under 26"
    assert range_label(18, 26, bounds, "en") == "from 18 to 26"
    assert range_label(27, 27, bounds, "ru") == "больше 26"
    assert range_label(5, 5, [], "en") == "any number"
    # neighbouring answers that lead to the same place are one arrow
    merged = number_branches([(17, "a"), (18, "b"), (22, "b"), (26, "b"), (27, "c")], bounds, "en")
    assert merged == [("a", "under 18"), ("b", "from 18 to 26"), ("c", "over 26")]
    text = (DATA / "dot" / "guided-dag.dot").read_text(encoding="utf-8")
    assert 'label="from 18 to 26"' in text and "label=22" not in text


def test_a_failed_fix_shows_the_escalation_that_followed() -> None:
    """The case's branch ends on the fix it tried; that fix is marked as not working and
    the overlay goes on to the escalation, highlighted, instead of ending on the fault."""
    text = (DATA / "dot" / "guided-failed-fix.dot").read_text(encoding="utf-8")
    fault = next(line for line in text.splitlines() if "Faulty network cable" in line)
    assert 'xlabel="✗ fix did not work"' in fault and "dashed" in fault
    after = next(line for line in text.splitlines() if '-> "after.' in line)
    assert 'label="the fix did not work"' in after and "penwidth=4" in after
    escalation = next(line for line in text.splitlines() if line.lstrip().startswith('"after.'))
    assert "Escalate to Line 2" in escalation and "penwidth=4" in escalation
    plain = (DATA / "dot" / "guided-trace.dot").read_text(encoding="utf-8")
    assert "fix did not work" not in plain  # a case whose fix worked ends on its fault


def _gallery(tmp_path: Path, *extra: str) -> tuple[int, list[dict[str, object]], str]:
    args = ["graph", "render", "--packs", str(WIRED), "--packs", str(DAG), "--line", "1"]
    folder = tmp_path / "line1"
    result = CliRunner().invoke(
        cli, [*args, "--view", "guided", "--per-complaint", str(folder), "--json", *extra]
    )
    data = json.loads(result.stdout) if result.exit_code == 0 else []
    return result.exit_code, data, result.stderr


def test_one_picture_per_complaint_with_an_index(tmp_path: Path) -> None:
    code, written, err = _gallery(tmp_path, "--format", "dot")
    assert code == 0, err
    assert [w["complaint"] for w in written] == ["room_uncomfortable", "wired_no_network"]
    assert written[0]["title"] == "Guided diagnosis: Line 1 — The room is uncomfortable"
    for item in written:
        text = Path(str(item["path"])).read_text(encoding="utf-8")
        assert text.startswith("digraph") and str(item["title"]) in text
    index = (tmp_path / "line1" / "index.html").read_text(encoding="utf-8")
    assert '<a href="room_uncomfortable.dot">' in index
    assert "The room is uncomfortable" in index and "No network over the cable" in index


@pytest.mark.skipif(installed() is not None, reason=str(installed()))
def test_per_complaint_mermaid_fits_and_parses(tmp_path: Path) -> None:
    code, written, err = _gallery(tmp_path, "--format", "mermaid")
    assert code == 0, err
    texts = [Path(str(w["path"])).read_text(encoding="utf-8") for w in written]
    assert all(len(t) < MAX_TEXT for t in texts)
    assert all(r["ok"] for r in parse(texts))


def test_a_complaint_too_large_for_mermaid_is_refused_by_name(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    text = DAG.read_text(encoding="utf-8")
    big.write_text(text.replace("The room is uncomfortable", "Uncomfortable " + "x" * 60_000))
    args = ["graph", "render", "--packs", str(big), "--line", "1", "--view", "guided"]
    result = CliRunner().invoke(
        cli, [*args, "--per-complaint", str(tmp_path / "out"), "--format", "mermaid"]
    )
    assert result.exit_code == 2
    assert "complaint room_uncomfortable: the picture is too large for Mermaid" in result.stderr
    assert "--per-complaint" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_one_complaint_and_json_for_one_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "one.dot"
    args = ["graph", "render", "--packs", str(WIRED), "--packs", str(DAG), "--view", "guided"]
    result = CliRunner().invoke(
        cli, [*args, "--complaint", "room_uncomfortable", "-o", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert done["path"] == str(out) and done["format"] == "dot" and done["nodes"] > 3
    text = out.read_text(encoding="utf-8")
    assert "The room is uncomfortable" in text and "No network over the cable" not in text
    wrong = CliRunner().invoke(cli, [*args, "--complaint", "room_uncomfortabel"])
    assert wrong.exit_code == 3 and "room_uncomfortable" in wrong.stderr
