"""The Monitor equals evaluate, always: on every example and every duty case, and on generated
timelines fed with late and same-instant events, after every event (docs/monitor.md).

``test_..._long`` runs many more generated cases; it is marked ``long`` and run by ``make fuzz``.
"""

from __future__ import annotations

import json
import os
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from samarbeid_rules import Monitor, Timeline, evaluate, load_timeline
from samarbeid_rules._pipeline.facts import canonical_key
from samarbeid_rules._uses.worklist import worklist_from_report
from samarbeid_rules.scenarios import load_scenario
from test_duty_cases import CASE_FILES

ROOT = Path(__file__).resolve().parents[1]
OSLO = ZoneInfo("Europe/Oslo")


def _cases():
    for path in sorted((ROOT / "examples").glob("*.json")):
        yield path.name, load_timeline(path), None
    for path in CASE_FILES:
        loaded = load_scenario(path)
        for i, run in enumerate(loaded.runs):
            name = path.name if run.variant is None else f"{path.name}#{i}"
            yield name, run.timeline, loaded.scenario.as_of


CASES = list(_cases())


def _canonical(tl: Timeline):
    return sorted(tl.events, key=lambda e: canonical_key(e, e.at.astimezone(timezone.utc)))


@pytest.mark.parametrize(("name", "tl", "as_of"), CASES, ids=[c[0] for c in CASES])
def test_monitor_accepts_and_equals_evaluate_on_every_example_and_duty_case(name, tl, as_of):
    """Every timeline evaluate accepts, fed to a Monitor in time order, is accepted, and its report
    (every obligation) and work lists equal evaluate's, at the case's as_of and at every event."""
    mon = Monitor(tl.case_id, tl.person, tl.prison_id)
    for ev in _canonical(tl):
        mon.add(ev)
    when = as_of or max(e.at for e in tl.events)
    assert json.loads(mon.report(as_of=when).to_json())["obligations"] == \
        json.loads(evaluate(tl, as_of=when).to_json())["obligations"]
    instants = sorted({e.at for e in tl.events})
    for t in [*instants[:: max(1, len(instants) // 8)], instants[-1] + timedelta(hours=30)]:
        assert mon.worklist(as_of=t) == worklist_from_report(evaluate(tl, as_of=t)), (name, t)


def _generated(rnd: random.Random) -> tuple[list[dict], datetime]:
    """An isolation measure with health visits, looks, notices, reviews, some at one instant."""
    t0 = datetime(2026, rnd.choice([3, 6, 10]), rnd.randint(20, 27), rnd.randint(0, 23), rnd.choice([0, 30]),
                  tzinfo=OSLO)
    events = [{"id": "adm", "type": "admitted", "at": (t0 - timedelta(days=1)).isoformat(),
               "custody_kind": rnd.choice(["remand", "sentence"])}]
    kind = rnd.choice(["exclusion", "security_cell", "restraint_bed"])
    start = {"id": "s1", "type": f"{kind}_started", "at": t0.isoformat(), "measure_id": "m1"}
    if kind == "exclusion":
        start.update(basis="strgjfl_37", scope=rnd.choice(["full", "partial"]))
    events.append(start)
    days = rnd.uniform(0.2, 4)
    if rnd.random() < 0.6:
        events.append({"id": "end-1", "type": f"{kind}_ended", "at": (t0 + timedelta(days=days)).isoformat(),
                       "measure_id": "m1"})
    instants = [t0 + timedelta(minutes=rnd.randint(0, int(days * 1440))) for _ in range(6)]
    for i in range(rnd.randint(0, 12)):
        # half of them at an instant another event has: same-instant ties
        at = rnd.choice(instants) if rnd.random() < 0.5 else t0 + timedelta(minutes=rnd.randint(0, int(days * 1440)))
        ev = {"id": f"{rnd.choice('abcdef')}{i}", "at": at.isoformat(),
              "type": rnd.choice(["health_visit", "supervision_look", "doctor_notified", "leader_review",
                                  "meaningful_contact"])}
        if ev["type"] == "meaningful_contact":
            ev["minutes"] = rnd.randint(1, 240)
        if rnd.random() < 0.7:
            ev["measure_id"] = "m1"
        events.append(ev)
    return events, t0


def _check_generated(seed: int) -> None:
    rnd = random.Random(seed)
    events, t0 = _generated(rnd)
    person = {"id": "p-1", "birth_date": rnd.choice(["1990-01-01", "2009-" + t0.strftime("%m-%d")])}
    arrival = events[:2] + rnd.sample(events[2:], len(events) - 2)  # late events: any order after the start
    mon = Monitor("c-1", person)
    for ev in arrival:
        mon.add(ev)
        tl = Timeline(case_id="c-1", person=person, events=list(mon.events))
        for _ in range(2):
            t = t0 + timedelta(minutes=rnd.randint(-60, 5 * 1440))
            assert mon.worklist(as_of=t) == worklist_from_report(evaluate(tl, as_of=t)), (seed, ev["id"], t)
        assert json.loads(mon.report().to_json())["obligations"] == \
            json.loads(evaluate(tl).to_json())["obligations"], (seed, ev["id"])


@pytest.mark.parametrize("seed", range(40))
def test_late_and_tied_events_keep_the_monitor_equal_to_evaluate(seed):
    """After every event of a late, shuffled arrival with same-instant ties, the work list (queried
    before and after late events, so cached results are tested) and the report equal evaluate's."""
    _check_generated(seed)


@pytest.mark.long
def test_late_and_tied_events_keep_the_monitor_equal_to_evaluate_long():
    """The same, on many more seeds (``make fuzz``; SAMARBEID_FUZZ_CASES, default 2000)."""
    for seed in range(1000, 1000 + int(os.environ.get("SAMARBEID_FUZZ_CASES", "2000"))):
        _check_generated(seed)


def _person():
    return {"id": "p-1", "birth_date": "1990-01-01"}


def test_a_doctors_statement_before_its_security_cell_is_accepted_and_resolved_when_the_cell_starts():
    """Issue 11: a statement obtained before the placement, naming it, is accepted (evaluate accepts it);
    until the cell starts it counts for any measure, then it names its own, and the report equals evaluate's."""
    events = [
        {"id": "adm", "type": "admitted", "at": "2026-03-01T09:00:00+01:00", "custody_kind": "remand"},
        {"id": "stmt", "type": "doctor_statement_obtained", "at": "2026-03-02T09:50:00+01:00", "measure_id": "c1"},
        {"id": "cell", "type": "security_cell_started", "at": "2026-03-02T10:00:00+01:00", "measure_id": "c1"},
        {"id": "out", "type": "security_cell_ended", "at": "2026-03-02T14:00:00+01:00", "measure_id": "c1"},
    ]
    mon = Monitor("c-1", _person())
    mon.add(events[0])
    mon.add(events[1])
    assert mon.timeline().events[1].measure_id is None  # pending: counts for any measure
    mon.worklist()  # readable meanwhile
    for ev in events[2:]:
        mon.add(ev)
    assert mon.timeline().events[1].measure_id == "c1"
    tl = {"case_id": "c-1", "person": _person(), "events": events}
    assert json.loads(mon.report().to_json())["obligations"] == json.loads(evaluate(tl).to_json())["obligations"]


def test_a_response_to_an_event_that_names_a_measure_is_accepted():
    """Issue 11: a response whose target names a measure is validated with that measure's start."""
    events = [
        {"id": "adm", "type": "admitted", "at": "2026-03-01T09:00:00+01:00", "custody_kind": "remand"},
        {"id": "x1", "type": "exclusion_started", "at": "2026-03-02T10:00:00+01:00", "measure_id": "m1",
         "basis": "strgjfl_37", "scope": "full"},
        {"id": "ask", "type": "inmate_asked_for_health_supervision", "at": "2026-03-02T11:00:00+01:00"},
        {"id": "look", "type": "supervision_look", "at": "2026-03-02T11:10:00+01:00", "measure_id": "m1"},
        {"id": "dev", "type": "deviation_registered", "at": "2026-03-02T12:00:00+01:00", "responds_to": "look"},
    ]
    mon = Monitor("c-1", _person())
    for ev in events:
        mon.add(ev)
    tl = {"case_id": "c-1", "person": _person(), "events": events}
    assert json.loads(mon.report().to_json())["obligations"] == json.loads(evaluate(tl).to_json())["obligations"]
