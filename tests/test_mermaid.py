"""Every Mermaid picture linewise writes is accepted by the real Mermaid parser (npm
`mermaid` 11 under Node, tests/mermaid/), and every label comes out as it went in.
"""

from __future__ import annotations

import itertools

import pytest
import yaml
from click.testing import CliRunner

from cli.main import cli
from tests.conftest import DATA, ROOT
from tests.mermaid_parser import installed, label, parse
from visualize.mermaid import MAX_EDGES, MAX_TEXT, TooLargeForMermaid, mermaid_source, to_mermaid
from visualize.picture import Edge, Node, Picture

if installed() is not None:  # pragma: no cover - scripts/setup.sh installs it
    pytest.fail(f"{installed()}", pytrace=False)

HOSTILE = [
    'a "quoted" word',
    "pipe | and || double",
    "(round) [square] {curly} {{double}} ((circle))",
    "ends with ]",
    "# hash #quot; #124; #35; &amp; &lt;",
    "semi; colon: both;",
    "<script>alert(1)</script> <b>bold</b> <br/>",
    "first line\nsecond line\r\nthird\rfourth",
    "Кабель не подключён (проверьте ‘разъём’)",
    "`code` and ``double``",
    "`starts with a backtick`",
    '%%{init: {"theme": "dark"}}%% directive',
    "style:#f00;x; classDef:#0f0;y;",
    "A --> B -.-> C ==> D --- E",
    "end",
    "subgraph x",
    "click n0 call alert()",
    "tab\tand\\backslash",
    "emoji 🖨️ and ∞ ≠ ½",
    "---\ntitle: x\n---",
]


def _hostile_picture() -> Picture:
    kinds = ["question", "answer", "fact", "fault", "escalation", "symptom", "truncated", "rule"]
    picture = Picture(title='Title: with "quotes" | %%{init: {}}%% #35; <i>\nand a new line')
    for number, (text, kind) in enumerate(zip(HOSTILE, itertools.cycle(kinds), strict=False)):
        picture.add(Node(f"n:{number}", kind, text, cluster="c" if number % 3 == 0 else None))
    picture.clusters["c"] = 'Cluster: | (x) "y" <z> `w`'
    for number, text in enumerate(HOSTILE):
        picture.connect(Edge(f"n:{number}", f"n:{(number + 1) % len(HOSTILE)}", "then", text))
    picture.connect(Edge("n:0", "n:2", "answer", "answer edge | x"))
    picture.connect(Edge("n:1", "n:3", "then", "counted (x)", count=7))
    return picture


def _front_matter(text: str) -> dict[str, object]:
    _, head, _ = text.split("---\n", 2)
    data = yaml.safe_load(head)
    assert isinstance(data, dict)
    return data


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_hostile_labels_parse_and_survive() -> None:
    picture = _hostile_picture()
    text = to_mermaid(picture)
    (result,) = parse([text])
    assert result["ok"], result.get("error")
    normal = {n.id: _lines(n.label) for n in picture.nodes.values()}
    ids = {node.id: f"n{i}" for i, node in enumerate(picture.sorted_nodes())}
    kept = {node["id"]: node for node in result["nodes"]}
    for node_id, want in normal.items():
        got = kept[ids[node_id]]
        assert label(got["text"]) == want
        assert got["kind"] == "string"  # never read as Markdown
    edges = {(e["start"], e["end"], label(e["text"])) for e in result["edges"]}
    for edge in picture.edges:
        text_in = edge.label if edge.count is None else f"{edge.label} ({edge.count})"
        want_edge = (
            ids[edge.src],
            ids[edge.dst],
            text_in.replace("\r\n", "\n").replace("\r", "\n"),
        )
        assert want_edge in edges
    assert [label(s["text"]) for s in result["subgraphs"]] == [picture.clusters["c"]]
    assert _front_matter(text)["title"] == picture.title


def test_the_parser_refuses_what_mermaid_refuses() -> None:
    """The check can fail: the old unquoted labels and title are rejected."""
    broken = [
        "---\ntitle: Guided diagnosis: Line 1\n---\nflowchart LR\n  n0 --> n1",
        'flowchart LR\n  n0("a") -->|An address (e.g. 10.x| n1("b")',
        'flowchart LR\n  n0("a") -->|x | y| n1("b")',
    ]
    assert [r["ok"] for r in parse(broken)] == [False, False, False]


def _render(args: list[str]) -> str | None:
    """The Mermaid text, or None when linewise refused it as too large for Mermaid."""
    result = CliRunner().invoke(cli, ["graph", "render", "--format", "mermaid", *args])
    if result.exit_code == 2 and "too large for Mermaid" in result.stderr:
        return None
    assert result.exit_code == 0, result.output
    return result.stdout


def _scopes() -> list[list[str]]:
    from rules.knowledge import load_knowledge

    kb = load_knowledge()
    packs = [["--pack", pack] for pack in sorted(kb.packs)]
    return packs + [["--line", str(line)] for line in kb.lines()]


@pytest.mark.slow
@pytest.mark.parametrize("scope", _scopes(), ids=lambda s: "-".join(s).lstrip("-"))
def test_every_shipped_pack_and_line_renders_valid_mermaid(scope: list[str]) -> None:
    langs = ("en", "ru") if scope[0] == "--line" else ("en",)
    argvs = [
        [*scope, "--view", view, "--lang", lang]
        for view in ("knowledge", "guided")
        for lang in langs
    ]
    if scope[0] == "--line":  # a whole line's guided tree is drawn cut down to fit
        argvs = [[*a, "--max-nodes", "120"] if "guided" in a else a for a in argvs]
    rendered = [(argv, _render(argv)) for argv in argvs]
    texts = [(argv, text) for argv, text in rendered if text is not None]
    if scope[0] == "--pack":
        assert any("knowledge" in argv for argv, _ in texts), "a pack's rules must fit"
    results = parse([text for _, text in texts])
    failed = [
        (argv, r["error"]) for (argv, _), r in zip(texts, results, strict=True) if not r["ok"]
    ]
    assert not failed, failed
    assert all(r["nodes"] and r["edges"] for r in results)


def test_mermaid_limits_are_mermaids_own() -> None:
    """At the limit Mermaid parses the picture; one arrow more, both it and linewise refuse."""

    def fan(arrows: int) -> Picture:
        picture = Picture(title="fan")
        for number in range(arrows + 1):
            picture.add(Node(f"n:{number:04d}", "question", "q"))
        for number in range(1, arrows + 1):
            picture.connect(Edge("n:0000", f"n:{number:04d}", "then"))
        return picture

    at_limit, over = fan(MAX_EDGES), fan(MAX_EDGES + 1)
    with pytest.raises(TooLargeForMermaid, match="501 arrows"):
        to_mermaid(over)
    verdicts = parse([to_mermaid(at_limit), mermaid_source(over)])
    assert verdicts[0]["ok"] and not verdicts[1]["ok"]
    assert "Edge limit exceeded" in verdicts[1]["error"]
    wordy = Picture(title="wordy")
    wordy.add(Node("n:1", "fault", "x" * MAX_TEXT))
    with pytest.raises(TooLargeForMermaid, match="characters"):
        to_mermaid(wordy)


def test_the_golden_mermaid_files_parse() -> None:
    files = sorted((DATA / "dot").glob("*.mmd"))
    assert files
    results = parse([f.read_text(encoding="utf-8") for f in files])
    assert [r.get("error") for r in results] == [None] * len(files)
    assert (ROOT / "tests" / "mermaid" / "package-lock.json").is_file()
