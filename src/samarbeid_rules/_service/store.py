"""The durable store: cases, their events and the audit trail, with a versioned schema.

An event is **committed before it is acknowledged**: :meth:`Store.append_events`
returns only after its transaction has committed (SQLite in WAL mode with
``synchronous=FULL``, or PostgreSQL). Events and audit records are append-only:
the store has no path that updates or deletes them, and triggers in the
database refuse an ``UPDATE`` or ``DELETE`` of either table.

Each case counts its events (``cases.event_count``); an event's ``seq`` is its
place in the case's arrival order (1, 2, ...). Appending is optimistic: it
names the count it expects and fails (:class:`Conflict`) if another writer (a
second server process on the same PostgreSQL) got there first; the caller
catches up with :meth:`events_after` and tries again.

The schema has a version (table ``schema_version``) and numbered migrations
(:data:`MIGRATIONS`). :meth:`Store.upgrade` applies those not yet applied;
:meth:`Store.check_schema` refuses a store made by a newer release, or one
that needs upgrading (see docs/service.md, "Upgrading the schema").
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .._common.errors import SamarbeidError

__all__ = [
    "LATEST_VERSION",
    "AuditRow",
    "CaseRow",
    "Conflict",
    "EventRow",
    "SQLiteStore",
    "Store",
    "StoreError",
]


_T = TypeVar("_T")

#: the latest as_of (µs) reported of a prison's case (``{}``: ``case_id = ?``) or of the prison
#: as a whole (``case_id IS NULL``: its work lists); stateless evaluations do not count
_REPORTED = "SELECT MAX(as_of_us) FROM audit WHERE prison_id = ? AND {} AND kind <> 'evaluation'"


class StoreError(SamarbeidError):
    """The store cannot be opened or used as it is (a schema too new or too old, a bad URL)."""


class Conflict(Exception):
    """An append found another event count than it expected: catch up and try again."""


@dataclass(frozen=True, slots=True)
class CaseRow:
    prison_id: str
    case_id: str
    person_id: str
    birth_date: str
    event_count: int


@dataclass(frozen=True, slots=True)
class EventRow:
    seq: int
    event_id: str
    digest: str
    body: str


#: the audit record's columns, in order (``id`` is given by the store)
AUDIT_COLUMNS = (
    "kind", "prison_id", "case_id", "as_of", "as_of_us", "horizon", "rule_set", "rule_set_digest",
    "profile", "profile_digest", "engine", "library_version", "event_count", "case_counts",
    "events_digest", "result_digest", "token", "served_at",
)


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    values: dict[str, Any]


# Migrations: version -> statements per dialect. Never edit one that has shipped; add the next.
def _append_only_sqlite(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
    ]


def _append_only_pg(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION samarbeid_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION samarbeid_append_only()",
    ]


_V1 = [
    """CREATE TABLE cases (
    prison_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    event_count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (prison_id, case_id)
)""",
    """CREATE TABLE events (
    prison_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (prison_id, case_id, seq),
    UNIQUE (prison_id, case_id, event_id),
    FOREIGN KEY (prison_id, case_id) REFERENCES cases (prison_id, case_id)
)""",
]
_V2 = """CREATE TABLE audit (
    id {serial} PRIMARY KEY,
    kind TEXT NOT NULL,
    prison_id TEXT NOT NULL,
    case_id TEXT,
    as_of TEXT NOT NULL,
    as_of_us BIGINT NOT NULL,
    horizon TEXT,
    rule_set TEXT NOT NULL,
    rule_set_digest TEXT NOT NULL,
    profile TEXT NOT NULL,
    profile_digest TEXT NOT NULL,
    engine TEXT NOT NULL,
    library_version TEXT NOT NULL,
    event_count INTEGER,
    case_counts TEXT,
    events_digest TEXT NOT NULL,
    result_digest TEXT NOT NULL,
    token TEXT NOT NULL,
    served_at TEXT NOT NULL
)"""
_AUDIT_INDEX = "CREATE INDEX audit_by_case ON audit (prison_id, case_id, as_of_us)"
_PG_FUNCTION = """CREATE FUNCTION samarbeid_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"""

MIGRATIONS: dict[int, dict[str, list[str]]] = {
    1: {
        "sqlite": [*_V1, *_append_only_sqlite("events")],
        "postgresql": [_PG_FUNCTION, *_V1, *_append_only_pg("events")],
    },
    2: {
        "sqlite": [_V2.format(serial="INTEGER"), _AUDIT_INDEX, *_append_only_sqlite("audit")],
        "postgresql": [_V2.format(serial="BIGSERIAL"), _AUDIT_INDEX, *_append_only_pg("audit")],
    },
}
LATEST_VERSION = max(MIGRATIONS)


class Store:
    """Cases, events and audit records; subclasses give the connection and the dialect."""

    dialect = "?"
    #: several server processes may write it: a warm case is checked against the store before a read
    shared = False

    # --- to be given by a subclass ----------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[Any]:  # pragma: no cover - abstract
        """A cursor inside one transaction: committed on leaving, rolled back on an error."""
        raise NotImplementedError
        yield

    @contextmanager
    def _statement(self) -> Iterator[Any]:
        """A cursor for one statement, which is a transaction of its own (a server round trip
        fewer than :meth:`_tx` where the connection begins and commits transactions apart)."""
        with self._tx() as cur:
            yield cur

    def _write(self, work: Callable[[Any], _T]) -> _T:
        """``work(cursor)`` in a committed transaction: its result once the commit is durable.

        An exception raised by ``work`` undoes only its own writes. (SQLite commits the writes of
        concurrent requests together: see :class:`SQLiteStore`.)
        """
        with self._tx() as cur:
            return work(cur)

    def _has_version_table(self, cur: Any) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _lock_for_migration(self, cur: Any) -> None:
        return None

    def _sql(self, sql: str) -> str:
        return sql

    def close(self) -> None:
        return None

    @property
    def label(self) -> str:
        """The store as it may be logged: its kind and no credentials."""
        return self.dialect

    # --- the schema ---------------------------------------------------------------------

    def schema_version(self) -> int:
        """The schema's version: 0 for an empty store."""
        with self._tx() as cur:
            return self._version(cur)

    def _version(self, cur: Any) -> int:
        if not self._has_version_table(cur):
            return 0
        cur.execute("SELECT MAX(version) FROM schema_version")
        row = cur.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def upgrade(self, to: int = LATEST_VERSION) -> list[int]:
        """Apply the migrations not yet applied (up to version ``to``), each in its own transaction.

        Returns the versions applied. Safe to run while another process runs it (PostgreSQL takes a lock).
        """
        applied = []
        while True:
            with self._tx() as cur:
                self._lock_for_migration(cur)
                version = self._version(cur)
                if version > LATEST_VERSION:
                    raise StoreError(self._newer(version))
                if version >= to:
                    return applied
                if version == 0:
                    cur.execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY)")
                for statement in MIGRATIONS[version + 1][self.dialect]:
                    cur.execute(statement)
                cur.execute(self._sql("INSERT INTO schema_version (version) VALUES (?)"), (version + 1,))
                applied.append(version + 1)

    def _newer(self, version: int) -> str:
        return (
            f"the {self.dialect} store has schema version {version}, newer than this release's "
            f"{LATEST_VERSION}: run a newer samarbeid-rules, or restore a backup"
        )

    def check_schema(self) -> None:
        """Refuse a store whose schema is not this release's (newer, or in need of ``store upgrade``)."""
        version = self.schema_version()
        if version > LATEST_VERSION:
            raise StoreError(self._newer(version))
        if version < LATEST_VERSION:
            raise StoreError(
                f"the {self.dialect} store has schema version {version}, older than this release's "
                f"{LATEST_VERSION}: back it up, then run `samarbeid-rules store upgrade` (docs/service.md)"
            )

    # --- cases and events ------------------------------------------------------------

    def create_case(self, prison_id: str, case_id: str, person_id: str, birth_date: str) -> str:
        """``created``, ``exists`` (the same person) or ``conflict`` (another person under that case id)."""
        with self._tx() as cur:
            found = self._case(cur, prison_id, case_id)
            if found is None:
                cur.execute(
                    self._sql("INSERT INTO cases (prison_id, case_id, person_id, birth_date) VALUES (?, ?, ?, ?)"),
                    (prison_id, case_id, person_id, birth_date),
                )
                return "created"
        return "exists" if (found.person_id, found.birth_date) == (person_id, birth_date) else "conflict"

    def _case(self, cur: Any, prison_id: str, case_id: str) -> CaseRow | None:
        cur.execute(
            self._sql(
                "SELECT prison_id, case_id, person_id, birth_date, event_count FROM cases "
                "WHERE prison_id = ? AND case_id = ?"
            ),
            (prison_id, case_id),
        )
        row = cur.fetchone()
        return CaseRow(*row) if row else None

    def get_case(self, prison_id: str, case_id: str) -> CaseRow | None:
        with self._statement() as cur:
            return self._case(cur, prison_id, case_id)

    def event_counts(self, prison_id: str) -> dict[str, int]:
        """Every case of the prison and its event count."""
        with self._statement() as cur:
            cur.execute(self._sql("SELECT case_id, event_count FROM cases WHERE prison_id = ?"), (prison_id,))
            return {c: int(n) for c, n in cur.fetchall()}

    def events_after(self, prison_id: str, case_id: str, after: int, upto: int | None = None) -> list[EventRow]:
        """The case's events with ``after < seq <= upto`` (all after ``after`` without ``upto``), by seq."""
        sql = "SELECT seq, event_id, digest, body FROM events WHERE prison_id = ? AND case_id = ? AND seq > ?"
        params: tuple[Any, ...] = (prison_id, case_id, after)
        if upto is not None:
            sql += " AND seq <= ?"
            params += (upto,)
        with self._statement() as cur:
            cur.execute(self._sql(sql + " ORDER BY seq"), params)
            return [EventRow(int(s), i, d, b) for s, i, d, b in cur.fetchall()]

    def append_events(self, prison_id: str, case_id: str, expected: int, rows: Sequence[tuple[str, str, str]]) -> int:
        """Append (event id, digest, body) rows after the ``expected`` count, in one committed transaction.

        Returns the new count. Raises :class:`Conflict` if the case holds another count (a concurrent
        writer) or an event id is already stored; nothing is then written.
        """
        if not rows:
            return expected

        def append(cur: Any) -> int:
            cur.execute(
                self._sql(
                    "UPDATE cases SET event_count = event_count + ? "
                    "WHERE prison_id = ? AND case_id = ? AND event_count = ?"
                ),
                (len(rows), prison_id, case_id, expected),
            )
            if cur.rowcount != 1:
                raise Conflict()
            try:
                self._insert_events(cur, [
                    (prison_id, case_id, expected + k + 1, eid, digest, body)
                    for k, (eid, digest, body) in enumerate(rows)
                ])
            except self._integrity_errors() as exc:
                raise Conflict() from exc
            return expected + len(rows)

        return self._write(append)

    def _insert_events(self, cur: Any, values: list[tuple[Any, ...]]) -> None:
        cur.executemany(
            self._sql("INSERT INTO events (prison_id, case_id, seq, event_id, digest, body) VALUES (?, ?, ?, ?, ?, ?)"),
            values,
        )

    def _integrity_errors(self) -> tuple[type[BaseException], ...]:
        return (sqlite3.IntegrityError,)

    # --- the audit trail ----------------------------------------------------------------

    def add_audit(self, values: dict[str, Any]) -> int:
        """Append one audit record (committed on return); its id."""
        cols = ", ".join(AUDIT_COLUMNS)
        marks = ", ".join("?" for _ in AUDIT_COLUMNS)
        def insert(cur: Any) -> int:
            cur.execute(
                self._sql(f"INSERT INTO audit ({cols}) VALUES ({marks}) RETURNING id"),
                tuple(values[c] for c in AUDIT_COLUMNS),
            )
            return int(cur.fetchone()[0])

        return self._write(insert)

    def get_audit(self, record_id: int) -> AuditRow | None:
        with self._statement() as cur:
            cur.execute(self._sql(f"SELECT id, {', '.join(AUDIT_COLUMNS)} FROM audit WHERE id = ?"), (record_id,))
            row = cur.fetchone()
        return None if row is None else AuditRow(int(row[0]), dict(zip(AUDIT_COLUMNS, row[1:])))

    def list_audit(self, prison_id: str, after: int, limit: int) -> list[AuditRow]:
        with self._statement() as cur:
            cur.execute(
                self._sql(
                    f"SELECT id, {', '.join(AUDIT_COLUMNS)} FROM audit WHERE prison_id = ? AND id > ? "
                    "ORDER BY id LIMIT ?"
                ),
                (prison_id, after, limit),
            )
            return [AuditRow(int(r[0]), dict(zip(AUDIT_COLUMNS, r[1:]))) for r in cur.fetchall()]

    def case_and_reported(self, prison_id: str, case_id: str) -> tuple[CaseRow | None, int | None]:
        """The case, and the latest ``as_of`` (µs) served for it or for its prison's work lists, in one
        statement (what posting to a shared store reads first: one round trip)."""
        with self._statement() as cur:
            cur.execute(
                self._sql(
                    "SELECT prison_id, case_id, person_id, birth_date, event_count, "
                    f"({_REPORTED.format('case_id = ?')}), ({_REPORTED.format('case_id IS NULL')}) "
                    "FROM cases WHERE prison_id = ? AND case_id = ?"
                ),
                (prison_id, case_id, prison_id, prison_id, case_id),
            )
            row = cur.fetchone()
        if row is None:
            return None, None
        known = [int(v) for v in row[5:] if v is not None]
        return CaseRow(*row[:5]), max(known) if known else None

    def reported_upto(self, prison_id: str, case_id: str | None) -> int | None:
        """The latest ``as_of`` (µs) of a report or work list served for the case (``case_id``) or for
        the prison as a whole (``None``: its prison work lists), if any."""
        where = "case_id = ?" if case_id is not None else "case_id IS NULL"
        params: tuple[Any, ...] = (prison_id, case_id) if case_id is not None else (prison_id,)
        with self._statement() as cur:
            cur.execute(self._sql(_REPORTED.format(where)), params)
            row = cur.fetchone()
        return None if row is None or row[0] is None else int(row[0])


class _Write:
    """One request's writes, waiting to be committed with others (see :meth:`SQLiteStore._write`)."""

    __slots__ = ("work", "done", "result", "error")

    def __init__(self, work: Callable[[Any], Any]) -> None:
        self.work = work
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None


class SQLiteStore(Store):
    """The embedded store: one SQLite file in WAL mode, every commit synced (``synchronous=FULL``).

    One server process writes it (several readers, such as a backup, may read it meanwhile).

    **Group commit**: a commit waits for the disk (the sync), and one server's requests write
    one file, so they would wait for each other's syncs one by one. Instead, the writes of the
    requests that arrive while a commit is under way are committed together by the next one:
    one transaction, each request's writes in their own savepoint (a request that fails, such
    as an append with a stale count, undoes only its own), one sync; then each request gets its
    result. Nothing is acknowledged before the commit that holds it is durable.
    """

    dialect = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=30)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the SQLite store ({type(exc).__name__})") from None
        self._lock = threading.Lock()  # the connection
        self._queue: list[_Write] = []  # writes waiting for the next group commit
        self._queued = threading.Condition()  # guards _queue and _committing
        self._committing = False

    def _write(self, work: Callable[[Any], _T]) -> _T:
        mine = _Write(work)
        with self._queued:
            self._queue.append(mine)
            while self._committing and not mine.done:
                self._queued.wait()
            if not mine.done:  # no commit under way: this request commits every write waiting
                self._committing = True
                group, self._queue = self._queue, []
        if not mine.done:
            try:
                self._commit_group(group)
            finally:
                with self._queued:
                    self._committing = False
                    self._queued.notify_all()
        if mine.error is not None:
            raise mine.error
        return mine.result  # type: ignore[no-any-return]

    def _commit_group(self, group: list[_Write]) -> None:
        """Run every write of ``group`` in one transaction, each in a savepoint, and commit once."""
        try:
            with self._tx() as cur:
                for w in group:
                    cur.execute("SAVEPOINT w")
                    try:
                        w.result = w.work(cur)
                    except Exception as exc:
                        cur.execute("ROLLBACK TO w")
                        w.error = exc
                    cur.execute("RELEASE w")
        except BaseException as exc:  # the commit failed: no write of the group is stored
            for w in group:  # the request committing raises exc itself; each other gets its own error
                w.error, w.result = StoreError(f"the store's commit failed ({type(exc).__name__})"), None
            raise
        finally:
            for w in group:
                w.done = True

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                self._conn.rollback()
                raise
            else:
                self._conn.commit()
            finally:
                cur.close()

    def _has_version_table(self, cur: Any) -> bool:
        cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
        return cur.fetchone() is not None

    def backup(self, target: str | Path) -> None:
        """An online backup into ``target`` (SQLite's backup API), consistent while the server runs."""
        dest = sqlite3.connect(str(target))
        try:
            with self._lock:
                self._conn.backup(dest)
        finally:
            dest.close()

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def audit_json(row: AuditRow) -> dict[str, Any]:
    """An audit record as served (``case_counts`` decoded)."""
    out: dict[str, Any] = {"id": row.id, **row.values}
    if out.get("case_counts") is not None:
        out["case_counts"] = json.loads(out["case_counts"])
    return out
