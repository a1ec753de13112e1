"""Two server processes on one PostgreSQL: posts through either land once, in one order, and each
process serves the events the other stored."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from service_support import Server

from samarbeid_rules import Monitor, evaluate

PERSON = {"id": "p-2", "birth_date": "1990-01-01"}
START = datetime.fromisoformat("2026-02-10T13:20:00+01:00")


def test_two_processes_share_one_postgresql(postgres, token_file):
    url = postgres.new_database()
    a, b = Server(url, token_file).start(), Server(url, token_file).start()
    try:
        with a.client() as ca, b.client() as cb:
            assert ca.put("/v1/prisons/oslo/cases/shared", json={"person": PERSON}).status_code == 201
            assert cb.put("/v1/prisons/oslo/cases/shared", json={"person": PERSON}).status_code == 200
            start = {"id": "x1", "type": "exclusion_started", "at": START.isoformat(), "measure_id": "m1",
                     "basis": "strgjfl_37", "scope": "full"}
            assert ca.post("/v1/prisons/oslo/cases/shared/events", json={"events": [start]}).status_code == 200
            looks = [{"id": f"l{k}", "type": "supervision_look", "at": (START + timedelta(minutes=5 * k)).isoformat(),
                      "measure_id": "m1"} for k in range(1, 61)]
            errors = []

            def post_all(client, mine):
                for ev in mine:
                    r = client.post("/v1/prisons/oslo/cases/shared/events", json={"events": [ev]})
                    if r.status_code != 200:
                        errors.append(r.text)

            # the same case written through both processes at once, each look once, some through both
            ta = threading.Thread(target=post_all, args=(ca, looks[0::2] + looks[:10]))
            tb = threading.Thread(target=post_all, args=(cb, looks[1::2] + looks[:10]))
            ta.start(), tb.start()
            ta.join(), tb.join()
            assert not errors, errors[:3]
            mon = Monitor.from_events("shared", PERSON, "oslo", [start, *looks])
            as_of = (START + timedelta(hours=6)).isoformat()
            for c in (ca, cb):
                assert c.get("/v1/prisons/oslo/cases/shared").json()["event_count"] == 61
                rep = c.get("/v1/prisons/oslo/cases/shared/report", params={"as_of": as_of})
                assert rep.text == evaluate(mon.timeline(), as_of=as_of).to_json()
            # an audit record made by one process is confirmed by the other
            rid = ca.get("/v1/prisons/oslo/worklist", params={"as_of": as_of}).json()["audit_id"]
            assert cb.post(f"/v1/audit/{rid}/verify").json()["confirmed"] is True
    finally:
        a.stop()
        b.stop()
