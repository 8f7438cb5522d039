"""The library API (engine.api) and the examples in docs/api.md, which must stay true."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import engine.api

ROOT = Path(__file__).resolve().parent.parent


def test_the_examples_in_docs_api_md_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(
        str(ROOT / "docs" / "api.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert result.attempted > 10 and result.failed == 0


def test_the_module_example_runs() -> None:
    result = doctest.testmod(engine.api)
    assert result.attempted and result.failed == 0
