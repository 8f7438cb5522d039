"""Shared fixtures: the shipped knowledge, compiled per line, and pack-folder helpers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine.compile import CompiledKnowledge, compile_knowledge
from rules.knowledge import KnowledgeBase, load_knowledge

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def shipped_kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="session")
def line1(shipped_kb: KnowledgeBase) -> CompiledKnowledge:
    return compile_knowledge(shipped_kb.for_line(1), name="Line1Test")


@pytest.fixture
def write_pack(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a pack file into a temporary folder and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def _case_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own case store, never the user's."""
    path = tmp_path_factory.mktemp("store") / "cases.sqlite3"
    monkeypatch.setenv("LINEWISE_STORE", str(path))
    # and its own (empty) pack registry: the shipped packs are live until a test publishes
    monkeypatch.setenv("LINEWISE_REGISTRY", str(path.parent / "packs"))
    return path
