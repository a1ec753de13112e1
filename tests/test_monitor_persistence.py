"""Monitor.from_events, snapshot and restore: a monitor rebuilt from stored events reports as the one fed live."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from builders import respecting_measures
from hypothesis import given, settings
from hypothesis import strategies as st

from samarbeid_rules import Monitor, TimelineError
from samarbeid_rules.testing import generate_population, timelines


def _live(tl, events):
    mon = Monitor(tl["case_id"], tl["person"], tl.get("prison_id"))
    for ev in events:
        mon.add(ev)
    return mon


def _arrival(events, rnd):
    """A shuffled arrival order in which an event naming a measure comes after the measure's start."""
    order = list(events)
    rnd.shuffle(order)
    return respecting_measures(order)


def _instants(events):
    if not events:
        return ["2026-01-01T12:00+01:00"]
    at = sorted(datetime.fromisoformat(e["at"]) for e in events)
    return [at[0], at[len(at) // 2], at[-1], at[-1] + timedelta(hours=7)]


@settings(max_examples=25, deadline=None)
@given(timelines(max_looks=20), st.randoms(use_true_random=False))
def test_from_events_reports_and_worklists_as_the_live_monitor(tl, rnd):
    """Rebuilt from the events in any order, a monitor gives the live one's reports and work lists."""
    live = _live(tl, _arrival(tl["events"], rnd))
    stored = list(tl["events"])
    rnd.shuffle(stored)
    rebuilt = Monitor.from_events(tl["case_id"], tl["person"], tl.get("prison_id"), stored)
    assert [e.id for e in rebuilt.events] == [e.id for e in live.events]
    for as_of in _instants(tl["events"]):
        assert rebuilt.report(as_of).to_json() == live.report(as_of).to_json()
        assert rebuilt.worklist(as_of) == live.worklist(as_of)
        assert rebuilt.worklist(as_of, timedelta(days=3)) == live.worklist(as_of, timedelta(days=3))


def test_rebuilt_monitor_takes_further_events_as_the_live_one():
    """Events added after a rebuild give what they give to a monitor that was never rebuilt."""
    tl = next(iter(generate_population(1, "persist")))
    events = sorted(tl["events"], key=lambda e: datetime.fromisoformat(e["at"]))
    half = len(events) // 2
    live = _live(tl, events)
    rebuilt = Monitor.from_events(tl["case_id"], tl["person"], tl.get("prison_id"), events[:half])
    for ev in events[half:]:
        rebuilt.add(ev)
    for as_of in _instants(events):
        assert rebuilt.report(as_of).to_json() == live.report(as_of).to_json()
        assert rebuilt.worklist(as_of) == live.worklist(as_of)


def test_snapshot_round_trips_through_json():
    """restore(json of snapshot()) reports, work-lists and flags late events as the monitor snapshotted."""
    tl = next(iter(generate_population(1, "snap")))
    events = sorted(tl["events"], key=lambda e: datetime.fromisoformat(e["at"]))
    mon = _live(tl, events[:-1])
    reported_at = datetime.fromisoformat(events[-2]["at"])
    mon.report(reported_at)
    snap = json.loads(json.dumps(mon.snapshot()))
    back = Monitor.restore(snap)
    assert back.snapshot() == mon.snapshot()
    for as_of in _instants(events[:-1]):
        assert back.report(as_of).to_json() == mon.report(as_of).to_json()
        assert back.worklist(as_of) == mon.worklist(as_of)
    # the latest as_of reported for survives: the flags of a further event are the same
    last = events[-1]
    assert back.add(last).affects_reported == mon.add(last).affects_reported


def test_snapshot_keeps_reported_upto():
    tl = {"case_id": "c", "person": {"id": "p", "birth_date": "1990-01-01"}}
    mon = Monitor("c", tl["person"])
    mon.add({"id": "a", "type": "admitted", "at": "2026-01-01T10:00+01:00", "custody_kind": "sentence"})
    mon.report("2026-01-02T10:00+01:00")
    back = Monitor.restore(mon.snapshot())
    result = back.add({"id": "i", "type": "intake_interview", "at": "2026-01-01T12:00+01:00"})
    assert result.affects_reported and not result.out_of_order
    fresh = Monitor.from_events("c", tl["person"], None, [e.model_dump(mode="json") for e in mon.events])
    assert not fresh.add({"id": "i", "type": "intake_interview", "at": "2026-01-01T12:00+01:00"}).affects_reported


def test_from_events_refuses_bad_events_naming_their_position():
    person = {"id": "p", "birth_date": "1990-01-01"}
    good = {"id": "a", "type": "admitted", "at": "2026-01-01T10:00+01:00", "custody_kind": "sentence"}
    with pytest.raises(TimelineError) as exc:
        Monitor.from_events("c", person, None, [good, {"id": "b", "type": "admitted", "at": "2026-01-01T10:00"}])
    assert exc.value.index == 1 and exc.value.field == "at"
    with pytest.raises(TimelineError):
        Monitor.from_events("c", person, None, [good, dict(good)])
    with pytest.raises(TimelineError):
        Monitor.restore({"snapshot": 2})


def test_empty_from_events_is_a_fresh_monitor():
    mon = Monitor.from_events("c", {"id": "p", "birth_date": "1990-01-01"}, "oslo")
    assert len(mon) == 0 and mon.prison_id == "oslo"
    assert Monitor.restore(mon.snapshot()).snapshot() == mon.snapshot()
