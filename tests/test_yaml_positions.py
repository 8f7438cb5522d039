"""YAML mistakes are reported where they are, with the offending line shown.

The positions below are where a person fixes the file (found by reading it, not by
running the parser): an unclosed '[' or quote where it opens, a key without ':' on its
own line, a tab on its line, and a mis-indented line even when a tab that YAML allows
sits 42 lines earlier (one parser reads the file: a second one used to disagree and
point at the tab).
"""

from __future__ import annotations

import pytest

from rules.errors import PackError
from rules.loader import load_pack_file
from rules.source import DataFileError, parse_data
from rules.yaml_errors import excerpt
from tests.conftest import ROOT

BAD = ROOT / "tests" / "data" / "bad_packs"

# file -> (line, column, the text of that line, a word of the message)
POSITIONS = {
    "yaml_syntax": (26, 15, "    priority: [1", "never closed"),
    "tab_indent": (8, 1, "\ttype: yesno", "tab"),
    "tab_then_indent": (49, 12, "      title: Cable", "mapping values"),
    "unclosed_quote": (10, 11, '    text: "What address?', "quote"),
    "key_without_colon": (8, 5, "    type yesno", "without ':'"),
    "duplicate_key": (5, 1, "line: 2", "duplicate key 'line'"),
    "python_tag": (4, 8, 'title: !!python/object/apply:os.system ["echo pwned"]', "tag"),
}


@pytest.mark.parametrize("name", sorted(POSITIONS))
def test_a_yaml_mistake_is_reported_at_its_line_and_column(name: str) -> None:
    line, col, text, word = POSITIONS[name]
    path = BAD / f"{name}.yaml"
    assert path.read_text("utf-8").split("\n")[line - 1] == text  # the table is right
    with pytest.raises(PackError) as caught:
        load_pack_file(path)
    (problem,) = caught.value.diagnostics
    assert (problem.line, problem.col) == (line, col)
    assert word in problem.message
    assert problem.excerpt is not None
    shown, caret = problem.excerpt.split("\n")
    assert shown.endswith(text.replace("\t", "→"))
    assert caret.index("^") == shown.index(text.replace("\t", "→")) + col - 1


def test_every_yaml_level_mistake_of_the_corpus_is_in_the_table() -> None:
    """A new syntax error in the corpus needs its real position written down here."""
    unreadable = set()
    for path in BAD.glob("*.yaml"):
        try:
            parse_data(path.read_bytes(), path.name)
        except DataFileError as err:
            message = err.diagnostics[0].message
            if any(w in message for w in ("YAML", "duplicate key", "tag")):  # not empty
                unreadable.add(path.stem)
    assert unreadable == set(POSITIONS)


def test_the_caret_sits_under_the_column_after_cyrillic_text() -> None:
    with pytest.raises(DataFileError) as caught:
        parse_data("title: Привет: мир\n", "x.yaml")
    (problem,) = caught.value.diagnostics
    assert (problem.line, problem.col) == (1, 14)
    shown, caret = (problem.excerpt or "").split("\n")
    assert shown[caret.index("^")] == ":"


def test_a_long_line_is_shown_around_the_column() -> None:
    text = "k: " + "x" * 500 + ": y"
    shown, caret = (excerpt(text, 1, 504) or "").split("\n")
    assert len(shown) < 200
    assert shown[caret.index("^")] == ":"


def test_a_json_pack_gets_positions_too() -> None:
    with pytest.raises(DataFileError) as caught:
        parse_data('{"id": "demo",\n "rules": [1, 2\n}\n', "p.json")
    (problem,) = caught.value.diagnostics
    assert (problem.line, problem.col) == (2, 11)
    assert "never closed" in problem.message
