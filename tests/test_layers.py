"""Architecture rules that are cheap to check: one experta importer, one-way layers."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("rules", "engine", "cases", "visualize", "present", "cli")
EXPERTA_IMPORT = re.compile(r"^\s*(import experta|from experta\b)", re.MULTILINE)
ADAPTER = ("engine", "experta_adapter")


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def test_only_the_adapter_imports_experta() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in _modules()
        if EXPERTA_IMPORT.search(p.read_text(encoding="utf-8"))
        and p.relative_to(ROOT).parts[:2] != ADAPTER
        and p.relative_to(ROOT).with_suffix("").parts != ADAPTER
    ]
    assert offenders == []


def test_import_layers_contract() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    command = str(lint) if lint.exists() else shutil.which("lint-imports")
    assert command, "import-linter is not installed"
    result = subprocess.run([command], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_modules_stay_small() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}
