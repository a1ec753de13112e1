"""The quick way of reading a timeline (``timeline_quickly``: jiter and one validation) gives the
timeline the full way gives, or nothing; and every error is the full way's.

``load_timeline`` and the batch reader try the quick way first (issue 15, item 2). It must never
give a timeline the full way (``parse_timeline_json`` + ``validate_timeline``) would refuse or
read otherwise, and it must take the ordinary timeline, or it gains nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samarbeid_rules import TimelineError, load_timeline
from samarbeid_rules._inputs.timeline import parse_timeline_json, timeline_quickly, validate_timeline
from samarbeid_rules.testing import generate_population

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def _full(text: str | bytes) -> tuple[str, Any]:
    try:
        data, shallow = parse_timeline_json(text, "<t>")
        return "timeline", validate_timeline(data, source="<t>", _shallow=shallow)
    except TimelineError as exc:
        return "error", (str(exc), exc.index, exc.event_id, exc.field)


def _check(text: str | bytes) -> Any:
    """The quick way gives nothing, or the full way's timeline; returns what it gave."""
    quick = timeline_quickly(text)
    if quick is not None:
        full = _full(text)
        assert full[0] == "timeline", "the quick way took a text the full way refuses"
        assert quick == full[1]
        assert quick.model_dump() == full[1].model_dump()
    return quick


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_is_read_the_quick_way(path):
    raw = path.read_bytes()
    assert _check(raw) is not None
    assert _check(raw.decode("utf-8")) is not None


def test_a_generated_population_is_read_the_quick_way():
    for data in generate_population(150, seed=11):
        assert _check(json.dumps(data)) is not None


def _exclusion(**extra: Any) -> dict[str, Any]:
    return {
        "case_id": "c1", "person": {"id": "p1", "birth_date": "1990-01-01"},
        "events": [
            {"id": "a1", "type": "admitted", "at": "2026-01-05T09:00:00+01:00", "custody_kind": "remand"},
            {"id": "x1", "type": "exclusion_started", "at": "2026-01-06T09:00:00+01:00", "measure_id": "m1",
             "basis": "strgjfl_37", "scope": "full", **extra},
        ],
    }


def test_a_number_with_a_fraction_is_left_to_the_full_way():
    """A count written 22.0 is 22 (the full way reads it); the quick way never takes a float."""
    text = json.dumps(_exclusion(lock_in_hours_per_day=22.0))
    assert timeline_quickly(text) is None
    assert load_timeline(text).events[1].lock_in_hours_per_day == 22
    assert timeline_quickly(json.dumps(_exclusion(lock_in_hours_per_day=22))) is not None


@pytest.mark.parametrize("text", [
    json.dumps(_exclusion()).replace('"measure_id": "m1"', '"measure_id": "m1", "measure_id": "m2"'),
    json.dumps(_exclusion()).replace('"case_id": "c1"', '"case_id": "c1", "case_id": "c2"'),
    json.dumps(_exclusion()).replace('"scope": "full"', '"scope": "full", "lock_in_hours_per_day": 1e400'),
    json.dumps(_exclusion()).replace('"scope": "full"', '"scope": "full", "lock_in_hours_per_day": NaN'),
    json.dumps(_exclusion()).replace('"scope": "full"', '"scope": "full", "lock_in_hours_per_day": '
                                     + "9" * 4301),
    json.dumps(_exclusion()).replace('"scope": "full"', '"scope": "full", "note": "x"'),  # unknown field
    json.dumps(_exclusion()).replace("2026-01-06T09:00:00+01:00", "2026-01-06T09:00:00"),  # naive
    json.dumps(_exclusion()).replace('"x1"', '"a1"'),  # an id twice
    json.dumps(_exclusion()).replace('"p1"', '"p\\ud800"'),  # a lone surrogate
    "\ufeff" + json.dumps(_exclusion()),  # a byte-order mark: the full way reads it
    json.dumps({**_exclusion(), "x": {"y": {"z": 1}}}),
])
def test_a_text_the_quick_way_does_not_take_gets_the_full_ways_answer(text):
    assert timeline_quickly(text) is None
    full = _full(text)
    try:
        loaded = ("timeline", load_timeline(text, name="<t>"))
    except TimelineError as exc:
        loaded = ("error", (str(exc), exc.index, exc.event_id, exc.field))
    assert loaded == full


_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 30), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "m1", "m2", "a1", "full", "remand", "2026-01-07T09:00:00+01:00", "2026-01-07", "{", "æ"]),
    st.lists(st.sampled_from(["kho", "nav", "x"]), max_size=2),
)
_FIELDS = st.sampled_from(["id", "type", "at", "measure_id", "basis", "scope", "expected_end", "lock_in_hours_per_day",
                           "custody_kind", "responds_to", "x"])


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.integers(0, 1), _FIELDS, _VALUES, st.booleans()), min_size=1, max_size=4))
def test_a_changed_timeline_is_read_the_full_ways_way(changes):
    """Fields set, replaced or given twice (in the text) in the events of a valid timeline: the quick
    way gives the full way's timeline or nothing, and load_timeline the full way's answer."""
    data = _exclusion()
    text = json.dumps(data)
    for index, field, value, twice in changes:
        event = data["events"][index]
        if twice and field in event:
            text = text.replace(f'"{field}": {json.dumps(event[field])}',
                                f'"{field}": {json.dumps(event[field])}, "{field}": {json.dumps(value)}', 1)
        else:
            event[field] = value
            text = json.dumps(data)
    _check(text)
    _check(text.encode("utf-8"))
