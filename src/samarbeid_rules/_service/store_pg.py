"""The PostgreSQL store (psycopg 3 and its connection pool), for several server processes.

Several ``serve`` processes may share one database: appends are optimistic on
the case's event count (see :mod:`.store`), so two writers to one case never
both succeed with stale knowledge; migrations take an advisory lock.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .store import Conflict, Store, StoreError

__all__ = ["PostgresStore"]

_MIGRATION_LOCK = 0x5A4D  # pg_advisory_xact_lock key of schema migrations

#: Store.append_events as one statement: the UPDATE of the count and the INSERT of the events stand
#: or fall together; a count other than the expected one updates no row and so inserts none
_APPEND = """WITH bumped AS (
    UPDATE cases SET event_count = event_count + %(n)s
    WHERE prison_id = %(p)s AND case_id = %(c)s AND event_count = %(expected)s
    RETURNING event_count
)
INSERT INTO events (prison_id, case_id, seq, event_id, digest, body)
SELECT %(p)s, %(c)s, %(expected)s + v.k, v.event_id, v.digest, v.body
FROM bumped, unnest(%(ids)s::text[], %(digests)s::text[], %(bodies)s::text[]) WITH ORDINALITY
    AS v(event_id, digest, body, k)"""


class PostgresStore(Store):
    dialect = "postgresql"
    shared = True

    def __init__(self, url: str, *, min_size: int = 2, max_size: int = 10) -> None:
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError:
            raise StoreError("PostgreSQL needs the service extra: pip install 'samarbeid-rules[service]'") from None
        self._psycopg = psycopg
        try:
            psycopg.connect(url, connect_timeout=10).close()  # fail at once, not after the pool's retries
            # autocommit: a lone statement is its own transaction (one round trip, not three);
            # _tx() still begins and commits a transaction around several
            self._pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=True, timeout=30,
                                        kwargs={"autocommit": True})
            self._pool.wait(timeout=30)
        except Exception as exc:  # the URL may hold a password: never echo it
            raise StoreError(f"cannot connect to PostgreSQL ({type(exc).__name__})") from None

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self._pool.connection() as conn:
            with conn.transaction():
                with conn.cursor() as cur:
                    yield cur

    @contextmanager
    def _statement(self) -> Iterator[Any]:
        with self._pool.connection() as conn:
            with conn.cursor() as cur:
                yield cur

    def append_events(self, prison_id: str, case_id: str, expected: int, rows: Sequence[tuple[str, str, str]]) -> int:
        """As :meth:`Store.append_events`, in one statement and so one round trip: the count is raised
        only where it still is ``expected``, and the events are inserted only if it was."""
        if not rows:
            return expected
        ids, digests, bodies = (list(col) for col in zip(*rows))
        try:
            with self._statement() as cur:
                cur.execute(_APPEND, {"n": len(rows), "p": prison_id, "c": case_id, "expected": expected,
                                      "ids": ids, "digests": digests, "bodies": bodies})
                appended = cur.rowcount
        except self._psycopg.errors.IntegrityError as exc:  # an event id stored meanwhile
            raise Conflict() from exc
        if appended != len(rows):  # the count was not ``expected``: nothing was written
            raise Conflict()
        return expected + len(rows)

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s")

    def _has_version_table(self, cur: Any) -> bool:
        cur.execute("SELECT to_regclass('schema_version') IS NOT NULL")
        return bool(cur.fetchone()[0])

    def _lock_for_migration(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))

    def close(self) -> None:
        self._pool.close()
