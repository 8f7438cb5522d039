"""The application factory uvicorn's workers call (`linewise serve` sets its settings in
$LINEWISE_SERVE, the secret in $LINEWISE_SECRET)."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from cases.registry import live_pack_files
from helpdesk.mapping import load_mapping
from rules.knowledge import load_knowledge
from web.app import create_app
from web.settings import Settings, load_secret


def app() -> FastAPI:
    """One worker's application."""
    config = json.loads(os.environ.get("LINEWISE_SERVE", "{}"))
    store = str(config["store"])
    settings = Settings(
        store_path=store,
        secret=load_secret(store),
        lang=config.get("lang", "en"),
        portal=bool(config.get("portal", True)),
        helpdesks=_helpdesks(config.get("helpdesks", [])),
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access = logging.getLogger("linewise.access")
    if not access.handlers:
        access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
    packs = [Path(p) for p in config.get("packs", [])]
    kb = load_knowledge(packs or live_pack_files(config["store"]))
    return create_app(settings, kb)


def _helpdesks(paths: list[str]) -> dict[str, Any]:
    """The helpdesk mappings given to `serve --helpdesk`, by helpdesk name."""
    mappings = [load_mapping(Path(p)) for p in paths]
    return {m.helpdesk: m for m in mappings}
