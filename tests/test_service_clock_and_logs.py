"""Virtual time and no values in logs: only ``_service/clock.py`` reads the wall clock, and no event
field value reaches a server log or the audit trail."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import httpx
from service_support import LOGS, Server

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "samarbeid_rules"
#: the one module allowed to read the clock, and why
ALLOWED = {"_service/clock.py": "stamps audit records with the server's time of serving"}

_CLOCK_FUNCTIONS = {"now", "utcnow", "today"}
_TIME_READS = {"time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns", "process_time",
               "localtime", "gmtime", "ctime", "asctime", "strftime", "thread_time"}


def clock_reads(source: str) -> list[str]:
    """Where ``source`` reads a clock: datetime/date .now()/.utcnow()/.today(), the time module's clocks."""
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [f"line {node.lineno}: from time import {a.name}" for a in node.names if a.name in _TIME_READS]
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import time" for a in node.names if a.name == "time"]
        if isinstance(node, ast.Attribute) and node.attr in _CLOCK_FUNCTIONS:
            found.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.Attribute) and node.attr in _TIME_READS and isinstance(node.value, ast.Name) \
                and node.value.id == "time":
            found.append(f"line {node.lineno}: time.{node.attr}")
        if isinstance(node, ast.Attribute) and node.attr in ("loop_time",) or (
                isinstance(node, ast.Attribute) and node.attr == "time" and isinstance(node.value, ast.Call)):
            found.append(f"line {node.lineno}: a loop's clock")
    return found


def test_the_finder_finds_every_kind_of_clock_read():
    planted = [
        "from datetime import datetime\nx = datetime.now()", "import datetime\nx = datetime.datetime.utcnow()",
        "from datetime import date\nx = date.today()", "import time\nx = time.time()",
        "from time import perf_counter", "import time\nx = time.monotonic()",
        "import asyncio\nx = asyncio.get_event_loop().time()",
    ]
    for source in planted:
        assert clock_reads(source), source
    assert not clock_reads("from datetime import time, timedelta\nx = time(12, 0)")


def test_only_the_clock_module_reads_the_clock():
    readers = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        found = clock_reads(path.read_text())
        if found:
            readers[rel] = found
    assert set(readers) == set(ALLOWED), readers
    assert len(readers["_service/clock.py"]) == 1  # one read, in wall_clock_now()


# --- values never reach a log or the audit trail --------------------------------------------

#: field values (not ids) the scenario below sends; none may appear in a log or an audit record
VALUES = ["1977-07-17", "2026-03-03T03:33:00+01:00", "2026-03-03T04:44:00+01:00", "2026-09-19",
          "NOT-A-KIND-7c1e", "2026-03-03T05:55:00", "GARBAGE-VALUE-55aa", "preventive_detention"]


def test_no_field_value_in_any_log_or_audit_record(tmp_path, token_file):
    db = tmp_path / "store.db"
    srv = Server(str(db), token_file).start()
    try:
        with srv.client() as c:
            base = "/v1/prisons/oslo/cases/logs-1"
            c.put(base, json={"person": {"id": "p-logs", "birth_date": "1977-07-17"}})
            c.put(base, json={"person": {"id": "p-logs", "birth_date": "GARBAGE-VALUE-55aa"}})
            events = [
                {"id": "a1", "type": "admitted", "at": "2026-03-03T03:33:00+01:00",
                 "custody_kind": "preventive_detention"},
                {"id": "r1", "type": "expected_release_date_set", "at": "2026-03-03T04:44:00+01:00",
                 "release_date": "2026-09-19"},
            ]
            assert c.post(base + "/events", json={"events": events}).status_code == 200
            c.post(base + "/events", json={"events": [{**events[0], "custody_kind": "remand"}]})  # 409
            c.post(base + "/events", json={"events": [{"id": "b", "type": "admitted", "at": "2026-03-03T05:55:00",
                                                      "custody_kind": "NOT-A-KIND-7c1e"}]})  # 422
            c.post(base + "/events", content=b'{"events": [GARBAGE-VALUE-55aa')
            # (as_of given: by default it is the latest event's instant, which the record must name)
            c.post("/v1/evaluate", json={"case_id": "e", "person": {"id": "p", "birth_date": "1977-07-17"},
                                         "events": events}, params={"as_of": "2026-04-01T12:00:00+02:00"})
            c.get(base + "/report", params={"as_of": "2026-04-01T12:00:00+02:00"})
            c.get(base + "/worklist", params={"as_of": "2026-04-01T12:00:00+02:00", "horizon": "P30D"})
            c.get("/v1/prisons/oslo/worklist", params={"as_of": "2026-04-01T12:00:00+02:00"})
            audit = c.get("/v1/prisons/oslo/audit").text
        httpx.get(srv.url + "/v1/health", headers={"Authorization": "Bearer GARBAGE-VALUE-55aa"})
    finally:
        srv.stop()
    log = srv.log.read_text()
    assert "POST /v1/prisons/oslo/cases/logs-1/events" in log  # the log is the server's, and it was written
    for value in VALUES:
        assert value not in log, value
        assert value not in audit, value
    conn = sqlite3.connect(db)
    rows = " ".join(map(str, conn.execute("SELECT * FROM audit").fetchall()))
    conn.close()
    assert rows and not any(v in rows for v in VALUES)
    assert "Traceback" not in log


def test_no_test_value_in_the_logs_of_every_server_of_this_run():
    """Every server log written in this test run (the other service tests' too) is free of the values
    those tests send to be refused, and of tracebacks."""
    markers = ["VALUE-THAT-MUST-NOT-BE-ECHOED", *VALUES]
    logs = sorted(LOGS.glob("server-*.log")) if LOGS.exists() else []
    assert logs
    for path in logs:
        text = path.read_text()
        assert "Traceback" not in text, path
        for m in markers:
            assert m not in text, (path, m)
