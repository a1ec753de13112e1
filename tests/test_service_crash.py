"""kill -9 during a load of concurrent posts, on SQLite and on PostgreSQL: after a restart every
acknowledged event is there, and reports and work lists are those of an uninterrupted run."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import httpx
import pytest
from service_support import Server

from samarbeid_rules import Monitor, evaluate
from samarbeid_rules.testing import generate_population

PRISON = "oslo"


def _batches(tl, size):
    ordered = sorted(tl["events"], key=lambda e: (datetime.fromisoformat(e["at"]), not e["type"].endswith("_started")))
    return [ordered[k:k + size] for k in range(0, len(ordered), size)]


@pytest.mark.parametrize("store_kind", ["sqlite", "postgresql"])
def test_kill_9_loses_no_acknowledged_event(store_kind, tmp_path, token_file, request):
    url = str(tmp_path / "store.db") if store_kind == "sqlite" else request.getfixturevalue("postgres").new_database()
    population = list(generate_population(12, f"crash-{store_kind}"))
    cases = {f"k{n}": tl for n, tl in enumerate(population)}
    srv = Server(url, token_file).start()
    acked: dict[str, set[str]] = {c: set() for c in cases}
    lock = threading.Lock()
    stop = threading.Event()

    with srv.client() as c:
        for case_id, tl in cases.items():
            assert c.put(f"/v1/prisons/{PRISON}/cases/{case_id}", json={"person": tl["person"]}).status_code == 201

    def client(case_ids):
        with httpx.Client(base_url=srv.url, headers={"Authorization": srv.client().headers["Authorization"]},
                          timeout=10) as c:
            for case_id in case_ids:
                for batch in _batches(cases[case_id], 3):
                    if stop.is_set():
                        return
                    try:
                        r = c.post(f"/v1/prisons/{PRISON}/cases/{case_id}/events", json={"events": batch})
                    except httpx.HTTPError:
                        return  # the server died under us: this batch is not acknowledged
                    assert r.status_code == 200, r.text
                    with lock:
                        acked[case_id].update(e["id"] for e in batch)

    ids = list(cases)
    threads = [threading.Thread(target=client, args=(ids[k::4],)) for k in range(4)]
    for t in threads:
        t.start()
    # let the load run until a good share is acknowledged, then kill the server mid-flight
    deadline = time.monotonic() + 60
    total = sum(len(tl["events"]) for tl in cases.values())
    while time.monotonic() < deadline and sum(map(len, acked.values())) < total // 3:
        time.sleep(0.02)
    srv.kill9()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    n_acked = sum(map(len, acked.values()))
    assert 0 < n_acked < total, "the kill came during the load"

    srv.start()
    try:
        with srv.client() as c:
            for case_id, tl in cases.items():
                # every acknowledged event is stored: posting it again stores nothing
                by_id = {e["id"]: e for e in tl["events"]}
                mine = sorted(acked[case_id])
                for k in range(0, len(mine), 200):
                    r = c.post(f"/v1/prisons/{PRISON}/cases/{case_id}/events",
                               json={"events": [by_id[i] for i in mine[k:k + 200]]})
                    assert r.status_code == 200, r.text
                    assert not any(x["stored"] for x in r.json()["results"]), case_id
                # then finish the load: idempotent posts of everything
                for batch in _batches(tl, 200):
                    assert c.post(f"/v1/prisons/{PRISON}/cases/{case_id}/events",
                                  json={"events": batch}).status_code == 200
            # reports and work lists are those of an uninterrupted run (the library on all the events)
            latest = max(datetime.fromisoformat(e["at"]) for tl in cases.values() for e in tl["events"])
            as_ofs = [latest - timedelta(days=2), latest + timedelta(hours=1)]
            for case_id, tl in cases.items():
                assert c.get(f"/v1/prisons/{PRISON}/cases/{case_id}").json()["event_count"] == len(tl["events"])
                mon = Monitor.from_events(case_id, tl["person"], PRISON, tl["events"])
                for as_of in as_ofs:
                    rep = c.get(f"/v1/prisons/{PRISON}/cases/{case_id}/report", params={"as_of": as_of.isoformat()})
                    # evaluate() of the case's events in the monitor's canonical order
                    assert rep.text == evaluate(mon.timeline(), as_of=as_of).to_json()
                    wl = c.get(f"/v1/prisons/{PRISON}/cases/{case_id}/worklist",
                               params={"as_of": as_of.isoformat()}).json()["items"]
                    assert [(i["obligation_id"], i["due"], i["status"]) for i in wl] == [
                        (w.obligation_id, w.due.isoformat(), w.status.value) for w in mon.worklist(as_of)]
            for as_of in as_ofs:
                got = c.get(f"/v1/prisons/{PRISON}/worklist", params={"as_of": as_of.isoformat()}).json()
                expect = sorted(
                    (items[0].due, case_id) for case_id, tl in cases.items()
                    if (items := Monitor.from_events(case_id, tl["person"], PRISON, tl["events"]).worklist(as_of))
                )
                assert [r["case_id"] for r in got["cases"]] == [case_id for _, case_id in expect]
                assert c.post(f"/v1/audit/{got['audit_id']}/verify").json()["confirmed"] is True
    finally:
        srv.stop()
