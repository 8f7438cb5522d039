"""The real Mermaid parser (npm `mermaid` under Node with jsdom, vendored in tests/mermaid/).

`parse` sends Mermaid texts to tests/mermaid/parse.mjs in one Node process and returns,
for each, whether Mermaid accepted it and the labels its parser kept; `label` turns a
kept label back into the text a reader sees (Mermaid's entity codes and <br/> decoded),
so a test can check that a pack's text survives the trip.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parent / "mermaid"
SCRIPT = FOLDER / "parse.mjs"

# Mermaid's parser swaps '#name;' and '#123;' for these markers before parsing and its
# renderer turns them into '&name;' / '&#123;' for the browser to decode.
_NUMBERED = re.compile(r"ﬂ°°(\d+)¶ß")
_NAMED = re.compile(r"ﬂ°(\w+)¶ß")
_BREAK = re.compile(r"<br\s*/?>")  # Mermaid's sanitiser writes <br/> as <br>


def installed() -> str | None:
    """Why the parser cannot run, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed (scripts/setup.sh installs it)"
    if not (FOLDER / "node_modules" / "mermaid").is_dir():
        return "the Mermaid parser is not installed: run scripts/setup.sh"
    return None


def parse(texts: list[str]) -> list[dict[str, Any]]:
    """Mermaid's verdict on each text: {'ok', 'error'} or {'ok', 'nodes', 'edges', ...}."""
    missing = installed()
    if missing:
        raise RuntimeError(missing)
    done = subprocess.run(
        ["node", str(SCRIPT)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=FOLDER,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the Mermaid parser failed: {done.stderr}")
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def label(kept: str) -> str:
    """The text a reader sees for a label as Mermaid's parser kept it."""
    text = _BREAK.sub("\n", kept)  # before decoding: a '<' of the text is '#lt;'
    text = _NUMBERED.sub(lambda m: chr(int(m[1])), text)
    return _NAMED.sub(lambda m: html.unescape(f"&{m[1]};"), text)
