"""Derived facts: an event's record is built on first use, and the shortcuts that avoid it agree with it."""

from __future__ import annotations

from datetime import datetime, timezone

from samarbeid_rules import default_profile, load_timeline
from samarbeid_rules._pipeline.facts import derive_facts, values_of

TIMELINE = {
    "case_id": "c-1",
    "person": {"id": "p-1", "birth_date": "2008-03-10"},
    "events": [
        {"id": "adm", "type": "admitted", "at": "2026-02-02T09:00:00+01:00", "custody_kind": "remand"},
        {"id": "exc", "type": "exclusion_started", "at": "2026-03-09T10:00:00+01:00", "measure_id": "m1",
         "basis": "strgjfl_37", "scope": "full"},
        {"id": "l1", "type": "supervision_look", "at": "2026-03-10T00:30:00+01:00", "measure_id": "m1"},
        {"id": "l2", "type": "supervision_look", "at": "2026-03-10T01:30:00+01:00"},
        {"id": "exe", "type": "exclusion_ended", "at": "2026-03-10T12:00:00+01:00", "measure_id": "m1"},
    ],
}


def _facts():
    tl = load_timeline(TIMELINE)
    return derive_facts(tl, datetime(2026, 4, 1, tzinfo=timezone.utc), default_profile())


def test_value_and_values_of_agree_with_the_record():
    """EventFact.value and values_of answer record.get for event fields (plain, enum, unset) and
    derived ones, without needing the record."""
    facts = _facts().ordered
    names = ["measure_id", "basis", "scope", "custody_kind", "age", "id", "type", "at", "no_such_field"]
    lazy = {name: [f.value(name) for f in facts] for name in names}
    bulk = {name: values_of(facts, name) for name in names}
    looks = [f for f in facts if f.type == "supervision_look"]
    bulk_looks = values_of(looks, "measure_id")
    expected = {name: [f.record.get(name) for f in facts] for name in names}
    assert lazy == expected
    assert bulk == expected
    assert bulk_looks == ["m1", None]
    assert expected["basis"][1] == "strgjfl_37" and expected["at"] == [None] * len(facts)


def test_age_changes_on_the_birthday_and_custody_kind_follows_the_admission():
    """The person turns 18 on 10 March 2026 (local midnight): the look at 00:30 that day has age 18."""
    by_id = {f.id: f for f in _facts().ordered}
    assert (by_id["exc"].age, by_id["l1"].age) == (17, 18)
    assert by_id["l1"].record["custody_kind"] == "remand"


def test_replace_keeps_the_record_and_derived_facts():
    """A fact moved to another position or instant keeps its record, age and custody kind."""
    fact = _facts().ordered[2]
    moved = fact.replace(index=9, at=datetime(2026, 3, 10, tzinfo=timezone.utc))
    assert (moved.index, moved.at, moved.id, moved.age, moved.custody_kind) == (
        9, datetime(2026, 3, 10, tzinfo=timezone.utc), fact.id, fact.age, fact.custody_kind)
    assert moved.record == fact.record
