"""How a `linewise serve` process is set up: where the data lives, its secret, its limits.

The secret that signs login cookies comes from $LINEWISE_SECRET, else from the case store
(web/accounts.py: one secret for every server on the store, made on first run, from the
earlier `secret` file beside the store when there is one). It is never
logged, printed or committed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cases.database import resolve
from cases.store_access import default_path

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
        """Where earlier versions kept web accounts, imported into the store on first use."""
        return self.data_dir / "accounts.sqlite3"


def load_secret(store: str | Path) -> str:
    """$LINEWISE_SECRET, else the store's secret (web/accounts.py), shared by every server
    on the store; made on first run from the earlier `secret` file beside the store, if any."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return env
    from web.accounts import Accounts

    settings = Settings(store_path=store, secret="")
    accounts = Accounts.open(store, legacy=settings.accounts_path)
    try:
        return accounts.secret(settings.data_dir / SECRET_FILE)
    finally:
        accounts.close()
