"""The events' instants in UTC that validation works out are the ones the facts are derived from, while the
timeline holds the very events validated; a timeline whose list was changed in place gets them afresh."""

from __future__ import annotations

import json
import pickle
from datetime import timezone

from samarbeid_rules import Timeline, default_profile, evaluate
from samarbeid_rules._inputs.timeline import _KEPT, load_timeline, utc_instants
from samarbeid_rules._pipeline.facts import derive_facts
from samarbeid_rules.testing import generate_population

AS_OF = "2027-12-31T12:00:00+01:00"


def _timeline() -> Timeline:
    """A generated timeline whose first and last events are at different instants."""
    for data in generate_population(20, seed=11):
        if len(data["events"]) >= 3 and data["events"][0]["at"] != data["events"][-1]["at"]:
            return load_timeline(json.dumps(data))
    raise AssertionError("no such timeline in the population")


def test_validation_keeps_the_instants_it_worked_out():
    tl = _timeline()
    got = utc_instants(tl)
    assert got is tl.__dict__[_KEPT][1]  # kept, not worked out again
    assert list(got) == [ev.at.astimezone(timezone.utc) for ev in tl.events]
    assert all(t.tzinfo is timezone.utc for t in got)


def test_events_changed_in_place_are_read_afresh():
    tl = _timeline()
    first, last = tl.events[0], tl.events[-1]
    tl.events[0] = first.model_copy(update={"at": last.at})  # the list changed in place, same length
    got = utc_instants(tl)
    assert got[0] == last.at and got[0] != first.at
    assert list(got) == [ev.at.astimezone(timezone.utc) for ev in tl.events]
    tl.events.append(first.model_copy(update={"id": "appended"}))  # and made longer
    assert list(utc_instants(tl)) == [ev.at.astimezone(timezone.utc) for ev in tl.events]


def test_facts_of_a_changed_timeline_follow_its_events():
    tl = _timeline()
    moved = tl.events[0].model_copy(update={"at": tl.events[-1].at})
    tl.events[0] = moved
    facts = derive_facts(tl, tl.events[-1].at, default_profile())
    assert facts.by_id[moved.id].at == moved.at.astimezone(timezone.utc) != utc_instants(_timeline())[0]


def test_a_timeline_built_without_validation_has_its_instants_worked_out():
    tl = _timeline()
    built = Timeline.model_construct(**dict(tl))
    assert _KEPT not in built.__dict__
    assert list(utc_instants(built)) == list(utc_instants(tl))
    assert evaluate(built, as_of=AS_OF).to_json() == evaluate(tl, as_of=AS_OF).to_json()


def test_the_kept_instants_are_not_a_field():
    """Equality, dump, JSON, dict() and pickling see the fields only: the instants kept are not part of
    the timeline's data (an unpickled timeline works them out again)."""
    tl = _timeline()
    built = Timeline.model_construct(**dict(tl))
    assert _KEPT in tl.__dict__ and _KEPT not in built.__dict__
    assert tl == built and built == tl
    assert tl.model_dump() == built.model_dump() and tl.model_dump_json() == built.model_dump_json()
    assert list(dict(tl)) == ["case_id", "prison_id", "person", "events"]
    back = pickle.loads(pickle.dumps(tl))
    assert _KEPT not in back.__dict__ and back == tl
    assert len(pickle.dumps(tl)) == len(pickle.dumps(built))
    assert list(utc_instants(back)) == list(utc_instants(tl))
