"""Shared fixtures: the shipped knowledge, compiled per line, and pack-folder helpers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

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
    monkeypatch.setenv("LINEWISE_PACK_CACHE", str(path.parent / "pack-cache"))
    monkeypatch.setenv("LINEWISE_CACHE", str(path.parent / "cache"))  # parsed packs
    return path


# ---- the two store backends -------------------------------------------------------------

PG_ENV = "LINEWISE_TEST_POSTGRES"


@pytest.fixture(scope="session")
def postgres_admin() -> str:
    """The throw-away cluster scripts/test starts (scripts/with-postgres). Without it the
    PostgreSQL tests fail under CI and skip, with the reason, elsewhere."""
    url = os.environ.get(PG_ENV)
    if not url:
        reason = os.environ.get(
            PG_ENV + "_ERROR",
            f"{PG_ENV} is not set: run the tests with 'bash scripts/test' (it starts PostgreSQL)",
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"the PostgreSQL store tests cannot run: {reason}")
        pytest.skip(f"PostgreSQL store tests skipped: {reason}")
    return url


@pytest.fixture
def postgres_url(postgres_admin: str) -> Iterator[str]:
    """A fresh, empty database in the test cluster, dropped afterwards."""
    name = f"lw_{uuid.uuid4().hex[:16]}"
    admin = create_engine(
        make_url(postgres_admin).set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(postgres_admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store's address on each backend (the store tests run on both)."""
    if request.param == "sqlite":
        return str(tmp_path / "cases.sqlite3")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store_env(store_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """$LINEWISE_STORE set to a new store on each backend (for commands and processes)."""
    monkeypatch.setenv("LINEWISE_STORE", store_url)
    return store_url
