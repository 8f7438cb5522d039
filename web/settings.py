"""How a `linewise serve` process is set up: where the data lives, its secret, its limits.

The secret that signs login cookies comes from $LINEWISE_SECRET, else from the file
`secret` beside the case store, which is generated (0600) on first run. It is never
logged, printed or committed.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cases.database import default_path, resolve
from cases.store import StoreError

SECRET_ENV = "LINEWISE_SECRET"
SECRET_FILE = "secret"
MAX_BODY_BYTES = 1_000_000
SESSION_HOURS = 8.0


@dataclass(frozen=True)
class Settings:
    """Everything `create_app` needs; tests build their own."""

    store_path: str | Path  # a SQLite file or a postgresql:// URL
    secret: str = field(repr=False)
    lang: str = "en"
    session_seconds: int = int(SESSION_HOURS * 3600)
    max_body_bytes: int = MAX_BODY_BYTES
    portal: bool = True
    portal_per_minute: int = 60  # requests per client per minute on the portal
    secure_cookies: bool = False  # set behind TLS
    # helpdesk mappings by helpdesk name (zammad, glpi): their webhooks are served
    helpdesks: dict[str, Any] = field(default_factory=dict)
    helpdesk_interval: float = 30.0  # seconds between background helpdesk rounds

    @property
    def data_dir(self) -> Path:
        """Beside a SQLite store; the user data dir for a shared (PostgreSQL) store."""
        path = resolve(self.store_path).path
        return (path if path is not None else default_path()).parent

    @property
    def accounts_path(self) -> Path:
        """Web accounts live in a sibling file of the case store (see web/accounts.py)."""
        return self.data_dir / "accounts.sqlite3"


def load_secret(data_dir: Path) -> str:
    """$LINEWISE_SECRET, else the data dir's secret file (made on first run)."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return env
    path = data_dir / SECRET_FILE
    try:
        if path.exists():
            text = path.read_text(encoding="utf-8").strip()
            if len(text) >= 32:
                return text
        data_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(value + "\n")
        return value
    except OSError as err:
        raise StoreError(
            f"cannot read or create the server secret in {data_dir}: {err.strerror}",
            hint=f"make the folder writable, or set ${SECRET_ENV}",
        ) from err
