"""experta on Python 3.11+: the install strategy works from a clean install, in one adapter."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT

SMOKE = """
import logging, sys
import frozendict
from engine import experta_adapter as xa
assert not logging.getLogger().handlers, "experta's basicConfig leaked"
seen = []
def action(engine, index, bindings):
    seen.append((index, sorted(xa.fact_of(b) for b in bindings.values())))
    if index == 0:
        xa.declare(engine, "derived", True)
specs = [
    xa.RuleSpec(0, 5, xa.Leaf("q", literal=True)),
    xa.RuleSpec(
        1, 0, xa.AllOf([xa.Leaf("derived", literal=True), xa.Leaf("n", test=lambda v: v > 3)])
    ),
]
cls = xa.build_engine_class("Smoke", specs, action)
engine = xa.new_engine(cls)
xa.run_with(engine, [("n", 5), ("q", True)])
assert seen == [(0, [("q", True)]), (1, [("derived", True), ("n", 5)])], seen
print("ok", sys.version_info[:2], frozendict.__version__)
"""


def test_importing_the_adapter_leaves_logging_alone() -> None:
    """experta calls logging.basicConfig() at import; only the CLI may configure logging."""
    code = "import logging, engine.experta_adapter; print(len(logging.getLogger().handlers))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "0"


@pytest.mark.slow
def test_clean_install_imports_and_runs_the_engine(tmp_path: Path) -> None:
    """A new virtual environment, set up by the same script as the README's commands."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        ["bash", str(ROOT / "scripts" / "install-python-deps"), str(env_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    frozen = subprocess.run(
        [str(python), "-m", "pip", "show", "frozendict", "experta"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Version: 2." in frozen and "Version: 1.9.4" in frozen
    run = subprocess.run(
        [str(python), "-c", SMOKE], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok")
