"""Events at one instant are ordered by their content, the same in evaluate and the Monitor.

The canonical order (``_pipeline/facts.canonical_key``, docs/report.md#order): by instant; at one
instant admissions and measure starts first, then every other event; then by event id. The input
file's order never decides anything, and the Monitor (which keeps its events in that order) gives
what evaluate gives.
"""

from __future__ import annotations

import itertools
import json

import pytest

from samarbeid_rules import Monitor, evaluate

T0 = "2026-03-02T10:00:00+01:00"
T1 = "2026-03-02T10:20:00+01:00"


def _timeline(events):
    return {"case_id": "c-1", "person": {"id": "p-1", "birth_date": "1990-01-01"}, "events": events}


EVENTS = [
    {"id": "adm", "type": "admitted", "at": "2026-03-01T09:00:00+01:00", "custody_kind": "remand"},
    {"id": "x1", "type": "exclusion_started", "at": T0, "measure_id": "m1", "basis": "strgjfl_37",
     "scope": "full"},
    # two notices at one instant: which one fulfils the duty must not depend on the file's order
    {"id": "d-b", "type": "doctor_notified", "at": T1, "measure_id": "m1"},
    {"id": "d-a", "type": "doctor_notified", "at": T1},
    # a look at the very instant the exclusion started
    {"id": "look-0", "type": "supervision_look", "at": T0, "measure_id": "m1"},
]


def _obligations(report):
    return json.loads(report.to_json())["obligations"]


def test_every_file_order_of_tied_events_gives_the_same_report():
    """All 120 orders of the events give byte-identical obligations; the tie is broken by id (d-a)."""
    reports = {json.dumps(_obligations(evaluate(_timeline(list(p)), as_of=T1))) for p in itertools.permutations(EVENTS)}
    assert len(reports) == 1
    notify = next(o for o in json.loads(reports.pop()) if o["duty_id"] == "exclusion.notify_doctor")
    assert notify["fulfilled_by"] == ["d-a"]


@pytest.mark.parametrize("order", [EVENTS, list(reversed(EVENTS)), [EVENTS[0], EVENTS[1], *EVENTS[2:][::-1]]])
def test_the_monitor_breaks_ties_as_evaluate_does(order):
    """Fed in time order (a measure's start before what names it), the Monitor's report equals
    evaluate's on the file, whatever the file's order of the tied events."""
    mon = Monitor("c-1", {"id": "p-1", "birth_date": "1990-01-01"})
    for ev in sorted(order, key=lambda e: (e["at"], not e["type"].endswith("_started"))):
        mon.add(ev)
    assert _obligations(mon.report(as_of=T1)) == _obligations(evaluate(_timeline(order), as_of=T1))
