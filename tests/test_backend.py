"""Rendering with Graphviz: real renders are marked needs_dot; a missing `dot` is explained."""

from __future__ import annotations

import shutil
from pathlib import Path

import graphviz
import pytest
from click.testing import CliRunner

from cli.main import cli
from visualize.backend import GraphvizMissingError, render_bytes

needs_dot = pytest.mark.needs_dot
HAS_DOT = shutil.which("dot") is not None
skip_without_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz 'dot' is not installed")

MAGIC = {"png": b"\x89PNG", "pdf": b"%PDF", "svg": b"<?xml"}


def test_missing_dot_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args: object, **kwargs: object) -> bytes:
        raise graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(graphviz.Source, "pipe", missing)
    with pytest.raises(GraphvizMissingError) as caught:
        render_bytes("digraph { a }", "png")
    assert "apt-get install graphviz" in caught.value.render()
    result = CliRunner().invoke(cli, ["graph", "render", "--format", "svg"])
    assert result.exit_code == 70
    assert "apt-get install graphviz" in result.stderr and "Traceback" not in result.output


def test_dot_and_mermaid_need_no_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    for fmt in ("dot", "mermaid"):  # one pack: a whole line is too large for Mermaid
        argv = ["graph", "render", "--pack", "network-wired", "--format", fmt]
        result = CliRunner().invoke(cli, argv)
        assert result.exit_code == 0, result.output


@needs_dot
@skip_without_dot
@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_renders_each_format(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"line1.{fmt}"
    result = CliRunner().invoke(cli, ["graph", "render", "--line", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(MAGIC[fmt])


@needs_dot
@skip_without_dot
def test_svg_carries_fix_steps_as_tooltips(tmp_path: Path) -> None:
    out = tmp_path / "line1.svg"
    CliRunner().invoke(cli, ["graph", "render", "--line", "1", "-o", str(out)])
    svg = out.read_text(encoding="utf-8")
    assert "xlink:title=" in svg and "Fix:" in svg
