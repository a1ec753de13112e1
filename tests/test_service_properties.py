"""Same semantics as the library: the API and a :class:`Monitor` fed the same generated event streams
(late, out of order, at tied instants, one or several per request) give the same reports, work lists
and flags after every post."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from builders import canonical_key, respecting_measures
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samarbeid_rules import Monitor, TimelineError
from samarbeid_rules.testing import timelines

_ids = itertools.count()


@st.composite
def streams(draw):
    """A timeline, its events in an arrival order (nearly in order up to shuffled; some looks moved onto
    the instant of the event before them: ties), cut into requests of one to four events."""
    tl = draw(timelines(max_looks=10))
    events = sorted(tl["events"], key=canonical_key)
    for i in range(1, len(events)):
        if events[i]["type"] == "supervision_look" and draw(st.integers(0, 4)) == 0:
            events[i] = {**events[i], "at": events[i - 1]["at"]}  # a tie (never before the measure's start)
    rnd = draw(st.randoms(use_true_random=False))
    spread = draw(st.sampled_from([1.5, 4.0, float(len(events) + 1)]))
    order = sorted(range(len(events)), key=lambda i: i + rnd.uniform(0, spread))
    arriving = respecting_measures([events[i] for i in order])
    cuts, k = [], 0
    while k < len(arriving):
        n = draw(st.integers(1, 4))
        cuts.append(arriving[k:k + n])
        k += n
    return tl, cuts, draw(st.integers(-6 * 60, 12 * 60))


def _feed(mon, batch):
    """Add a request's events as the service does: in canonical order, one refused for want of another
    tried again after the rest; the flags by event id."""
    flags, waiting = {}, sorted(batch, key=canonical_key)
    while waiting:
        refused = []
        for e in waiting:
            try:
                r = mon.add(e)
                flags[e["id"]] = (r.out_of_order, r.affects_reported)
            except TimelineError:
                refused.append(e)
        assert len(refused) < len(waiting), "the generated stream is valid"
        waiting = refused
    return flags


def _items(wl):
    return [(w.obligation_id, w.duty_id, w.actor, w.what, w.due.isoformat(), w.status.value) for w in wl]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(streams())
def test_api_and_monitor_agree_after_every_post(http, stream):
    tl, cuts, offset_minutes = stream
    n = next(_ids)
    prison, case_id = f"prop-{n}", f"case-{n}"
    assert http.put(f"/v1/prisons/{prison}/cases/{case_id}", json={"person": tl["person"]}).status_code == 201
    mon = Monitor(case_id, tl["person"], prison)
    latest = None
    for batch in cuts:
        r = http.post(f"/v1/prisons/{prison}/cases/{case_id}/events", json={"events": batch})
        assert r.status_code == 200, r.text
        flags = _feed(mon, batch)
        assert {x["event_id"]: (x["out_of_order"], x["affects_reported"]) for x in r.json()["results"]} == flags
        for e in batch:
            at = datetime.fromisoformat(e["at"])
            latest = at if latest is None or at > latest else latest
        for as_of in (latest + timedelta(minutes=offset_minutes), latest):
            params = {"as_of": as_of.isoformat()}
            rep = http.get(f"/v1/prisons/{prison}/cases/{case_id}/report", params=params)
            assert rep.status_code == 200 and rep.text == mon.report(as_of).to_json()
            wl = http.get(f"/v1/prisons/{prison}/cases/{case_id}/worklist", params={**params, "horizon": "PT8H"})
            got = [(i["obligation_id"], i["duty_id"], i["actor"], i["what"], i["due"], i["status"])
                   for i in wl.json()["items"]]
            assert got == _items(mon.worklist(as_of, timedelta(hours=8)))
    if latest is not None:
        pw = http.get(f"/v1/prisons/{prison}/worklist", params={"as_of": latest.isoformat()}).json()
        items = mon.worklist(latest)
        assert pw["cases"] == ([{"case_id": case_id, "items": [dict(zip(
            ("obligation_id", "duty_id", "actor", "what", "due", "status"), i)) for i in _items(items)]}]
            if items else [])
    assert http.get(f"/v1/prisons/{prison}/cases/{case_id}").json()["event_count"] == len(mon)
