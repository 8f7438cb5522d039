"""The case store: every case and every event, kept as they happen, in SQLite or PostgreSQL.

`CaseStore` is the interface the rest of linewise uses; `SQLStore` implements it on
SQLAlchemy Core over either backend (chosen by the URL: cases.database). Each event is
its own transaction, so a crash or a lost connection never leaves half an event. Case
ids come from the database, unique across processes and machines. Readers open it
read-only (`open_reader`: never the write lock; a missing store is refused).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, func, insert, select, text, update

from cases import migrate
from cases.case_filter import CaseFilter, filtered
from cases.database import (
    StoreURL,
    make_engine,
    resolve,
    simulated_store_path,
    store_errors,
)
from cases.digest import Digest, fold
from cases.digest import load as load_digest
from cases.model import (
    Case,
    CaseMovedOn,
    CaseSummary,
    Event,
    case_id,
    normalise_id,
    opening_event,
)
from cases.rows import event_row, mark_row, summary_of
from cases.store_access import (
    ENV_VAR,
    MissingStore,
    StoreError,
    default_path,
    missing_store,
    require_store,
)
from cases.tables import case_digests, case_marks, cases, events
from rules.errors import UnknownIdError, did_you_mean

__all__ = [
    "ENV_VAR",
    "CaseStore",
    "MissingStore",
    "SQLStore",
    "SQLiteStore",
    "StoreError",
    "case_id",
    "default_path",
    "normalise_id",
    "open_reader",
    "open_store",
    "simulated_store_path",
]


class CaseStore(Protocol):
    """What linewise needs from a case store (SQLite or PostgreSQL, or memory for bulk work)."""

    location: str

    def create(
        self,
        intake: dict[str, Any],
        at: str,
        *,
        agent: str | None = None,
        channel: str | None = None,
    ) -> str: ...

    def append(self, case_id: str, event: Event, *, after: int | None = None) -> Event: ...

    def load(self, case_id: str) -> Case: ...

    def list_cases(
        self, limit: int | None = None, where: CaseFilter | None = None
    ) -> list[CaseSummary]: ...

    def close(self) -> None: ...


def _dump(intake: dict[str, Any]) -> str:
    return json.dumps(intake, ensure_ascii=False, sort_keys=True)


class SQLStore:
    """Cases in a SQL database: one SQLite file, or a shared PostgreSQL database."""

    def __init__(
        self, where: StoreURL, *, readonly: bool = False, migrate_now: bool = False
    ) -> None:
        self.where = where
        self.location = where.shown
        self.readonly = readonly
        self.migrated: tuple[str | None, str] | None = None  # (from, to) when this open migrated
        if where.path is not None:
            self._prepare_file(where.path)
        self.engine = make_engine(where, readonly=readonly)
        self._open(migrate_now)

    def _prepare_file(self, path: Path) -> None:
        if self.readonly:
            if not path.is_file():
                raise missing_store(path, given=True)
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(
                f"cannot create the folder of the case store {path}: {err.strerror}",
                hint="use --store PATH or $LINEWISE_STORE to put it elsewhere",
            ) from err

    def _open(self, migrate_now: bool) -> None:
        """Check the schema; create an empty store, and upgrade an old SQLite one in place
        (a shared PostgreSQL store only when asked: `linewise store migrate`)."""
        try:
            with self.reading() as conn:
                current = migrate.check(conn, self.location)
            shared = not self.where.is_sqlite
            if migrate.decide(current, self.location, self.readonly, shared, migrate_now):
                self.migrated = self.migrate()
        except StoreError:
            self.engine.dispose()
            raise

    def migrate(self) -> tuple[str | None, str]:
        """Bring the store to the current schema (one transaction): (from, to)."""
        with self.writing() as conn:
            if not self.where.is_sqlite:  # one migrating process at a time
                conn.execute(text("SELECT pg_advisory_xact_lock(1515)"))
            return migrate.upgrade(conn, self.location)

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction (SQLite: BEGIN IMMEDIATE, so writers queue, never deadlock)."""
        if self.readonly:
            raise StoreError(f"the case store {self.location} is open read-only")
        with store_errors(self.where), self.engine.connect() as conn:
            conn.execution_options(linewise_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """One read transaction: a consistent view that never takes the write lock."""
        with store_errors(self.where), self.engine.connect() as conn, conn.begin():
            yield conn

    # ---- writing --------------------------------------------------------------------

    def create(
        self,
        intake: dict[str, Any],
        at: str,
        *,
        agent: str | None = None,
        channel: str | None = None,
    ) -> str:
        """A new case; its 'opened' event is written in the same transaction."""
        opened = opening_event(intake, at, agent=agent, channel=channel)
        with self.writing() as conn:
            return self._insert_cases(conn, [(intake, [opened])], simulated=False)[0]

    def append(self, case_id: str, event: Event, *, after: int | None = None) -> Event:
        """Append one event in its own transaction; returns it with its sequence number.
        `after`: only when the case's last event is still number `after` (checked in the
        same transaction), else CaseMovedOn and nothing is stored.

        The case's row is updated from its stored digest and this event alone (four
        statements; a fifth when the event adds report marks), never re-reading the case.
        """
        with self.writing() as conn:
            query = (
                select(cases.c.num, cases.c.opened_at, cases.c.intake, case_digests.c.digest)
                .outerjoin(case_digests, case_digests.c.case_num == cases.c.num)
                .where(cases.c.id == normalise_id(case_id))
            )
            if not self.where.is_sqlite:  # appends to one case queue; others run on
                query = query.with_for_update(of=cases)
            row = conn.execute(query).first()
            if row is None:
                raise self._unknown(conn, case_id)
            num = int(row.num)
            state = self._digest(conn, num, row.opened_at, row.digest)
            if after is not None and state.seen != after:
                raise CaseMovedOn(
                    f"case {case_id} has moved on (event {state.seen}, not {after})",
                    hint="reload the case",
                )
            stored = event.model_copy(update={"seq": state.seen + 1})
            conn.execute(insert(events).values(**event_row(num, stored)))
            found = state.add(stored)
            values = state.columns(json.loads(row.intake))
            conn.execute(update(cases).where(cases.c.num == num).values(**values))
            kept = state.dump()
            if row.digest is None:
                conn.execute(insert(case_digests).values(case_num=num, digest=kept))
            else:
                conn.execute(
                    update(case_digests).where(case_digests.c.case_num == num).values(digest=kept)
                )
            if found:
                conn.execute(insert(case_marks), [mark_row(num, m) for m in found])
        return stored

    def _digest(self, conn: Connection, num: int, opened_at: str, text: str | None) -> Digest:
        """A case's digest; one written before digests existed is folded once from its events."""
        if text:
            return load_digest(text, opened_at)
        return Digest.of(opened_at, self._events(conn, num))

    def import_cases(
        self, whole: Iterable[tuple[dict[str, Any], list[Event]]], *, simulated: bool = False
    ) -> list[str]:
        """Write whole cases (intake and every event) in one transaction: bulk loading,
        e.g. a simulated history (flagged `simulated`) or a copy. Returns the new ids."""
        items = [(intake, list(history)) for intake, history in whole]
        if not items:
            return []
        with self.writing() as conn:
            return self._insert_cases(conn, items, simulated=simulated)

    def _insert_cases(
        self,
        conn: Connection,
        items: list[tuple[dict[str, Any], list[Event]]],
        *,
        simulated: bool,
    ) -> list[str]:
        rows, found, kept = [], [], []
        for intake, history in items:
            opened = history[0].at if history else ""
            digest, marks = fold(opened, history)
            rows.append({"opened_at": opened, "intake": _dump(intake), "simulated": simulated})
            rows[-1].update(digest.columns(intake))
            found.append(marks)
            kept.append(digest.dump())
        nums = list(
            conn.execute(
                insert(cases).returning(cases.c.num, sort_by_parameter_order=True), rows
            ).scalars()
        )
        conn.execute(
            update(cases).where(cases.c.num == bindparam("b_num")).values(id=bindparam("b_id")),
            [{"b_num": num, "b_id": case_id(num)} for num in nums],
        )
        logged = [
            event_row(num, event.model_copy(update={"seq": seq}))
            for num, (_, history) in zip(nums, items, strict=True)
            for seq, event in enumerate(history, 1)
        ]
        if logged:
            conn.execute(insert(events), logged)
        conn.execute(
            insert(case_digests),
            [{"case_num": n, "digest": d} for n, d in zip(nums, kept, strict=True)],
        )
        marked = [mark_row(num, m) for num, marks in zip(nums, found, strict=True) for m in marks]
        if marked:
            conn.execute(insert(case_marks), marked)
        return [case_id(num) for num in nums]

    # ---- reading --------------------------------------------------------------------

    def _num(self, conn: Connection, ident: str) -> int:
        wanted = normalise_id(ident)
        num = conn.execute(select(cases.c.num).where(cases.c.id == wanted)).scalar()
        if num is None:
            raise self._unknown(conn, ident)
        return int(num)

    def _unknown(self, conn: Connection, ident: str) -> UnknownIdError:
        known = list(conn.execute(select(cases.c.id).order_by(cases.c.num)).scalars())
        hint = did_you_mean(normalise_id(ident), [k for k in known if k]) or (
            "see 'linewise case list'" if known else f"the store {self.location} is empty"
        )
        return UnknownIdError(f"unknown case '{ident}'", hint=hint)

    def _events(self, conn: Connection, num: int) -> list[Event]:
        bodies = conn.execute(
            select(events.c.body).where(events.c.case_num == num).order_by(events.c.seq)
        ).scalars()
        return [self._parse(body) for body in bodies]

    def _parse(self, body: str) -> Event:
        try:
            return Event.model_validate_json(body)
        except ValidationError as err:
            raise StoreError(
                f"the case store {self.location} holds an event this linewise cannot read",
                hint="the store may come from another version; use --store PATH",
            ) from err

    def load(self, case_id: str) -> Case:
        with self.reading() as conn:
            num = self._num(conn, case_id)
            row = conn.execute(
                select(cases.c.id, cases.c.opened_at, cases.c.intake, cases.c.simulated).where(
                    cases.c.num == num
                )
            ).one()
            return Case(
                id=row.id,
                opened_at=row.opened_at,
                intake=json.loads(row.intake),
                events=self._events(conn, num),
                simulated=bool(row.simulated),
            )

    def list_cases(
        self, limit: int | None = None, where: CaseFilter | None = None
    ) -> list[CaseSummary]:
        """Newest first, optionally filtered (line, status, agent, form, complaint, dates)."""
        with self.reading() as conn:
            rows = conn.execute(filtered(where, limit)).all()
        return [summary_of(row) for row in rows]

    def count(self) -> int:
        with self.reading() as conn:
            return int(conn.execute(select(func.count()).select_from(cases)).scalar_one())

    def iter_cases(self, simulated: bool | None = None) -> Iterator[Case]:
        """Every case with its events, oldest first, read in bulk (for metrics and mining);
        `simulated` True/False keeps only simulated/real cases."""
        picked = select(
            cases.c.num, cases.c.id, cases.c.opened_at, cases.c.intake, cases.c.simulated
        )
        picked = picked.where(cases.c.id.is_not(None)).order_by(cases.c.num)
        logged = select(events.c.case_num, events.c.body).order_by(events.c.case_num, events.c.seq)
        if simulated is not None:
            picked = picked.where(cases.c.simulated == simulated)
            logged = logged.join(cases, cases.c.num == events.c.case_num).where(
                cases.c.simulated == simulated
            )
        with self.reading() as conn:
            rows = conn.execute(picked).all()
            history: dict[int, list[Event]] = {}
            for num, body in conn.execute(logged):
                history.setdefault(num, []).append(self._parse(body))
        for num, ident, opened, intake, flag in rows:
            yield Case(
                id=ident,
                opened_at=opened,
                intake=json.loads(intake),
                events=history.get(num, []),
                simulated=bool(flag),
            )

    def close(self) -> None:
        self.engine.dispose()


class SQLiteStore(SQLStore):
    """The embedded store named by its file (`read_only` for commands that only read)."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        super().__init__(resolve(path), readonly=read_only)


def open_store(target: str | Path | None = None, *, readonly: bool = False) -> SQLStore:
    """The store at `target` (a path or URL), else $LINEWISE_STORE, else the user data dir."""
    where = resolve(target)
    if where.path is not None:
        return SQLiteStore(where.path, read_only=readonly)
    return SQLStore(where, readonly=readonly)


def open_reader(target: str | Path | None = None) -> SQLStore:
    """The store opened read-only, for commands that only read; it must exist (a mistyped
    path must not read as "no cases")."""
    require_store(target)
    where = resolve(target)
    try:
        return open_store(target, readonly=True)
    except migrate.SchemaBehind:
        if where.path is None:  # a shared store is upgraded on purpose: `store migrate`
            raise
    open_store(target).close()  # a file made by touch, or an older schema: set up once
    return open_store(target, readonly=True)
