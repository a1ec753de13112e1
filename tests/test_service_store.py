"""The store, on SQLite and on a throwaway PostgreSQL: migrations, refusals, append-only tables, backup."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest
from service_support import Server, cli

from samarbeid_rules._service.server import open_checked, open_store
from samarbeid_rules._service.store import AUDIT_COLUMNS, LATEST_VERSION, Conflict, StoreError


def test_an_empty_store_is_created_at_the_latest_schema(store_url):
    store = open_checked(store_url, upgrade=False)
    assert store.schema_version() == LATEST_VERSION
    store.close()
    again = open_checked(store_url, upgrade=False)  # opening again changes nothing
    assert again.schema_version() == LATEST_VERSION
    again.close()


def test_an_older_store_needs_an_upgrade(store_url, token_file):
    store = open_store(store_url)
    assert store.upgrade(to=1) == [1]
    store.create_case("oslo", "c1", "p1", "1990-01-01")
    store.append_events("oslo", "c1", 0, [("a1", "sha256:x", '{"id":"a1"}')])
    store.close()
    with pytest.raises(StoreError, match="older"):
        open_checked(store_url, upgrade=False)
    served = cli("serve", "--store", store_url, "--tokens", str(token_file), "--port", "1")
    assert served.returncode == 3 and "store upgrade" in served.stderr
    assert cli("store", "version", "--store", store_url).stdout.startswith("store schema 1,")
    up = cli("store", "upgrade", "--store", store_url)
    assert up.returncode == 0 and "applied 2" in up.stdout
    store = open_checked(store_url, upgrade=False)
    assert store.get_case("oslo", "c1").event_count == 1  # the data survived the upgrade
    assert [r.event_id for r in store.events_after("oslo", "c1", 0)] == ["a1"]
    store.close()
    assert "already at the latest" in cli("store", "upgrade", "--store", store_url).stdout


def test_a_newer_store_is_refused(store_url, token_file):
    store = open_checked(store_url, upgrade=False)
    with store._tx() as cur:
        cur.execute(store._sql("INSERT INTO schema_version (version) VALUES (?)"), (LATEST_VERSION + 1,))
    store.close()
    for upgrade in (False, True):
        with pytest.raises(StoreError, match="newer"):
            open_checked(store_url, upgrade=upgrade)
    served = cli("serve", "--store", store_url, "--tokens", str(token_file), "--port", "1", "--upgrade")
    assert served.returncode == 3 and "newer" in served.stderr


def test_events_and_audit_records_cannot_be_changed_or_deleted(store_url):
    store = open_checked(store_url, upgrade=False)
    store.create_case("oslo", "c1", "p1", "1990-01-01")
    store.append_events("oslo", "c1", 0, [("a1", "sha256:x", "{}")])
    rid = store.add_audit({c: (0 if c in ("as_of_us", "event_count") else "x") for c in
                           ("kind", "prison_id", "case_id", "as_of", "as_of_us", "horizon", "rule_set",
                            "rule_set_digest", "profile", "profile_digest", "engine", "library_version",
                            "event_count", "case_counts", "events_digest", "result_digest", "token", "served_at")})
    for sql in ("UPDATE events SET body = 'changed'", "DELETE FROM events",
                f"UPDATE audit SET token = 'someone' WHERE id = {rid}", "DELETE FROM audit"):
        with pytest.raises(Exception, match="append-only"):
            with store._tx() as cur:
                cur.execute(sql)
    if store.dialect == "postgresql":
        with pytest.raises(Exception, match="append-only"):
            with store._tx() as cur:
                cur.execute("TRUNCATE audit")
    assert store.get_audit(rid).values["token"] == "x"
    assert len(store.events_after("oslo", "c1", 0)) == 1
    store.close()


def test_an_append_with_a_stale_count_or_a_stored_id_writes_nothing(store_url):
    store = open_checked(store_url, upgrade=False)
    store.create_case("oslo", "c1", "p1", "1990-01-01")
    assert store.append_events("oslo", "c1", 0, [("a1", "d", "{}"), ("a2", "d", "{}")]) == 2
    with pytest.raises(Conflict):
        store.append_events("oslo", "c1", 1, [("a3", "d", "{}")])
    with pytest.raises(Conflict):
        store.append_events("oslo", "c1", 2, [("a3", "d", "{}"), ("a1", "d", "{}")])
    assert store.get_case("oslo", "c1").event_count == 2
    assert [r.seq for r in store.events_after("oslo", "c1", 0)] == [1, 2]
    assert [r.event_id for r in store.events_after("oslo", "c1", 0, 1)] == ["a1"]
    store.close()


def test_sqlite_online_backup_while_serving(tmp_path, token_file):
    db = tmp_path / "store.db"
    srv = Server(str(db), token_file).start()
    try:
        with srv.client() as c:
            assert c.put("/v1/prisons/oslo/cases/b1", json={"person": {"id": "p", "birth_date": "1990-01-01"}}).status_code == 201
            c.post("/v1/prisons/oslo/cases/b1/events", json={"events": [
                {"id": "a1", "type": "admitted", "at": "2026-01-01T10:00:00+01:00", "custody_kind": "sentence"}]})
        done = cli("store", "backup", "--store", str(db), "--to", str(tmp_path / "copy.db"))
        assert done.returncode == 0, done.stderr
    finally:
        srv.stop()
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT event_count FROM cases WHERE case_id = 'b1'").fetchone() == (1,)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()
    restored = Server(str(tmp_path / "copy.db"), token_file).start()
    try:
        with restored.client() as c:
            assert c.get("/v1/prisons/oslo/cases/b1").json()["event_count"] == 1
    finally:
        restored.stop()


def test_store_urls(tmp_path):
    with pytest.raises(StoreError):
        open_store("mysql://somewhere/db")
    s = open_store(f"sqlite:///{tmp_path}/x.db")
    assert s.schema_version() == 0
    s.close()
    assert cli("store", "backup", "--store", "postgresql://127.0.0.1:1/none", "--to", "x").returncode in (2, 3)


def test_postgres_is_really_there(postgres):
    """The PostgreSQL tests ran against a server of the machine's binaries (never skipped silently in CI)."""
    import psycopg

    with psycopg.connect(postgres.url()) as conn:
        assert conn.execute("SHOW server_version").fetchone()[0].split(".")[0].isdigit()


def test_sqlite_commits_concurrent_writes_together_and_a_failed_one_undoes_only_its_own(tmp_path):
    """Group commit: the writes that queue while a commit is under way are committed by the next one,
    in one transaction; a write that fails (a stale count) is undone alone, the others are stored."""
    store = open_checked(str(tmp_path / "g.db"), upgrade=False)
    for n in range(6):
        store.create_case("oslo", f"c{n}", "p", "1990-01-01")
    store.append_events("oslo", "c5", 0, [("a0", "d", "{}")])
    groups: list[int] = []
    commit_group = store._commit_group
    store._commit_group = lambda group: (groups.append(len(group)), commit_group(group))[1]
    results: dict[int, object] = {}

    def append(n: int) -> None:
        expected = 0  # stale for c5, which holds one event
        try:
            results[n] = store.append_events("oslo", f"c{n}", expected, [(f"e{n}", "d", "{}")])
        except Conflict as exc:
            results[n] = exc

    store._lock.acquire()  # a commit "under way": the first writer waits for the connection
    threads = [threading.Thread(target=append, args=(0,))]
    threads[0].start()
    while not store._committing:
        time.sleep(0.001)
    threads += [threading.Thread(target=append, args=(n,)) for n in range(1, 6)]
    for t in threads[1:]:
        t.start()
    while len(store._queue) < 5:  # the other five queue behind the first
        time.sleep(0.001)
    store._lock.release()
    for t in threads:
        t.join(10)
    assert groups == [1, 5]  # two commits for six writes
    assert [results[n] for n in range(5)] == [1, 1, 1, 1, 1]
    assert isinstance(results[5], Conflict)
    assert [store.get_case("oslo", f"c{n}").event_count for n in range(6)] == [1, 1, 1, 1, 1, 1]
    assert [r.event_id for r in store.events_after("oslo", "c5", 0)] == ["a0"]  # the stale write left nothing
    assert [r.event_id for n in range(5) for r in store.events_after("oslo", f"c{n}", 0)] == [f"e{n}" for n in range(5)]
    store.close()


def test_sqlite_a_failed_group_commit_stores_nothing_and_the_next_commit_works(tmp_path):
    store = open_checked(str(tmp_path / "f.db"), upgrade=False)
    store.create_case("oslo", "c1", "p", "1990-01-01")
    real_tx = store._tx

    @contextmanager
    def failing_tx():
        with real_tx() as cur:
            yield cur
            raise sqlite3.OperationalError("disk I/O error")  # at the commit

    store._tx = failing_tx
    with pytest.raises(sqlite3.OperationalError):
        store.append_events("oslo", "c1", 0, [("e1", "d", "{}")])
    store._tx = real_tx
    assert store.get_case("oslo", "c1").event_count == 0
    assert store.append_events("oslo", "c1", 0, [("e1", "d", "{}")]) == 1  # the next commit works
    store.close()


def _audit(kind: str, prison_id: str, case_id: str | None, as_of_us: int) -> dict:
    values = {c: "x" for c in AUDIT_COLUMNS}
    values.update(kind=kind, prison_id=prison_id, case_id=case_id, as_of_us=as_of_us, horizon=None,
                  event_count=None, case_counts=None)
    return values


def test_a_case_and_what_was_reported_of_it_are_read_together(store_url):
    """case_and_reported: the case and the latest as_of served for it or its prison's work lists
    (evaluations and other cases and prisons not counted); a missing case reads as nothing."""
    store = open_checked(store_url, upgrade=False)
    assert store.case_and_reported("oslo", "c1") == (None, None)
    store.create_case("oslo", "c1", "p1", "1990-01-01")
    store.create_case("oslo", "c2", "p2", "1990-01-01")
    row, upto = store.case_and_reported("oslo", "c1")
    assert (row.case_id, row.person_id, row.event_count, upto) == ("c1", "p1", 0, None)
    store.add_audit(_audit("report", "oslo", "c1", 100))
    store.add_audit(_audit("evaluation", "oslo", "c1", 900))  # stateless: not a report of the case
    store.add_audit(_audit("report", "oslo", "c2", 800))  # another case
    store.add_audit(_audit("prison_worklist", "bergen", None, 700))  # another prison
    assert store.case_and_reported("oslo", "c1")[1] == 100
    store.add_audit(_audit("prison_worklist", "oslo", None, 300))  # its prison's work list
    assert store.case_and_reported("oslo", "c1")[1] == 300
    assert store.case_and_reported("oslo", "c1")[1] == store.reported_upto("oslo", None)
    assert store.case_and_reported("oslo", "c9") == (None, None)
    store.close()
