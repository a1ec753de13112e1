"""Timeline validation: bad input raises TimelineError that names the event and field."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from builders import doctor_notified, exclusion, exclusion_ended, look, oslo, timeline

from samarbeid_rules import TimelineError, evaluate, load_timeline

T = oslo(2026, 1, 14, 10)


def _good() -> dict:
    return timeline([*exclusion(T, oslo(2026, 1, 14, 12)), look(oslo(2026, 1, 14, 11), id="look-1")])


def test_valid_timeline_loads():
    """A well-formed timeline loads with its events in input order."""
    tl = load_timeline(_good())
    assert [e.id for e in tl.events] == ["x-start-m1", "x-end-m1", "look-1"]
    assert tl.events[0].at.utcoffset() is not None


def test_naive_datetime_is_rejected():
    """An event instant without a UTC offset is an error naming that event and its 'at' field."""
    tl = _good()
    tl["events"][2]["at"] = "2026-01-14T11:00:00"
    with pytest.raises(TimelineError) as info:
        load_timeline(tl)
    exc = info.value
    assert (exc.index, exc.event_id, exc.field) == (2, "look-1", "at")
    assert "offset" in exc.problem
    assert "look-1" in str(exc)


def test_naive_expected_end_is_rejected():
    """A naive expected_end on an exclusion is an error naming the field."""
    tl = _good()
    tl["events"][0]["expected_end"] = "2026-01-20T10:00:00"
    with pytest.raises(TimelineError) as info:
        load_timeline(tl)
    assert (info.value.index, info.value.event_id, info.value.field) == (0, "x-start-m1", "expected_end")


def test_end_before_start_is_rejected():
    """An exclusion that ends before it started is an error naming the end event."""
    tl = timeline([*exclusion(T, oslo(2026, 1, 14, 9))])
    with pytest.raises(TimelineError) as info:
        load_timeline(tl)
    assert (info.value.index, info.value.event_id, info.value.field) == (1, "x-end-m1", "at")
    assert "before it started" in info.value.problem


def test_expected_end_before_start_is_rejected():
    """An expected_end before the exclusion started is an error naming the exclusion."""
    tl = timeline([*exclusion(T)])
    tl["events"][0]["expected_end"] = oslo(2026, 1, 14, 9).isoformat()
    with pytest.raises(TimelineError) as info:
        load_timeline(tl)
    assert (info.value.event_id, info.value.field) == ("x-start-m1", "expected_end")


def test_unknown_event_type_is_rejected():
    """An unknown event type is an error naming the event and listing the known types."""
    tl = _good()
    tl["events"].append({"id": "weird-1", "type": "teleported", "at": T.isoformat()})
    with pytest.raises(TimelineError) as info:
        load_timeline(tl)
    assert (info.value.index, info.value.event_id) == (3, "weird-1")
    assert "unknown event type" in info.value.problem
    assert "supervision_look" in info.value.problem


def test_missing_type_is_rejected():
    """An event without a type is an error naming the event."""
    tl = _good()
    tl["events"].append({"id": "typeless", "at": T.isoformat()})
    with pytest.raises(TimelineError) as info:
        load_timeline(tl)
    assert (info.value.index, info.value.event_id) == (3, "typeless")


def test_duplicate_ids_are_rejected():
    """Two events with the same id is an error naming the second one and pointing at the first."""
    tl = _good()
    tl["events"].append(look(oslo(2026, 1, 14, 11, 30), id="look-1"))
    with pytest.raises(TimelineError) as info:
        load_timeline(tl)
    assert (info.value.index, info.value.event_id, info.value.field) == (3, "look-1", "id")
    assert "events[2]" in info.value.problem


def test_unknown_measure_referenced_by_look_is_rejected():
    """A look naming a measure that no started event opens is an error naming the look."""
    tl = _good()
    tl["events"].append(look(oslo(2026, 1, 14, 11, 30), measure_id="nope", id="look-2"))
    with pytest.raises(TimelineError) as info:
        load_timeline(tl)
    assert (info.value.index, info.value.event_id, info.value.field) == (3, "look-2", "measure_id")
    assert "'nope'" in info.value.problem


def test_end_without_start_is_rejected():
    """An exclusion_ended for an unknown measure is an error naming the end event."""
    tl = timeline([exclusion_ended(T, measure_id="ghost", id="end-ghost")])
    with pytest.raises(TimelineError) as info:
        load_timeline(tl)
    assert (info.value.index, info.value.event_id, info.value.field) == (0, "end-ghost", "measure_id")


def test_doctor_notice_before_its_measure_is_rejected():
    """A doctor notice naming a measure before that measure started is an error naming the notice."""
    tl = timeline([*exclusion(T), doctor_notified(oslo(2026, 1, 14, 9), measure_id="m1", id="doc")])
    with pytest.raises(TimelineError) as info:
        load_timeline(tl)
    assert (info.value.event_id, info.value.field) == ("doc", "at")


def test_measure_started_twice_is_rejected():
    """Two started events with one measure id is an error naming the second."""
    tl = timeline([*exclusion(T), {**exclusion(oslo(2026, 1, 14, 11))[0], "id": "again"}])
    with pytest.raises(TimelineError) as info:
        load_timeline(tl)
    assert (info.value.index, info.value.event_id, info.value.field) == (1, "again", "measure_id")


def test_extra_field_is_rejected():
    """A field the event type does not have is an error naming the event and the field."""
    tl = _good()
    tl["events"][2]["officer_name"] = "Kari"
    with pytest.raises(TimelineError) as info:
        load_timeline(tl)
    exc = info.value
    assert (exc.index, exc.event_id, exc.field) == (2, "look-1", "officer_name")
    assert "Kari" not in str(exc)


def test_extra_top_level_field_is_rejected():
    """An unknown top-level field is an error naming that field."""
    tl = _good()
    tl["comment"] = "x"
    with pytest.raises(TimelineError) as info:
        load_timeline(tl)
    assert info.value.field == "comment"
    assert info.value.index is None


def test_invalid_json_names_the_file(tmp_path):
    """A file that is not valid JSON is an error naming the file."""
    path = tmp_path / "broken.json"
    path.write_text('{"case_id": "c", "events": [', encoding="utf-8")
    with pytest.raises(TimelineError) as info:
        load_timeline(path)
    assert info.value.source == str(path)
    assert "not valid JSON" in info.value.problem
    assert "broken.json" in str(info.value)
    # where the reader stopped, as attributes (a caller need not read it out of the message)
    assert (info.value.line, info.value.column) == (1, 29)
    assert str(info.value).endswith("at line 1 column 29")


def test_json_error_location_counts_lines_and_columns_from_one():
    with pytest.raises(TimelineError) as info:
        load_timeline('{"case_id": "c",\n  "events": [}\n')
    assert (info.value.line, info.value.column) == (2, 14)  # the "}" where a value was expected
    assert info.value.index is None and info.value.field is None
    with pytest.raises(TimelineError) as valid_json_bad_timeline:
        load_timeline('{"case_id": "c"}')
    assert valid_json_bad_timeline.value.line is None  # only JSON that does not parse has a place in the text


def test_errors_in_a_file_name_the_file(tmp_path):
    """A validation error in a timeline file carries the file name as source."""
    tl = _good()
    tl["events"][2]["at"] = "2026-01-14T11:00:00"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(tl), encoding="utf-8")
    with pytest.raises(TimelineError) as info:
        load_timeline(path)
    assert info.value.source == str(path)
    assert info.value.event_id == "look-1"


def test_missing_file_is_a_timeline_error(tmp_path):
    """A timeline path that does not exist raises TimelineError naming it."""
    path = tmp_path / "absent.json"
    with pytest.raises(TimelineError) as info:
        load_timeline(path)
    assert info.value.source == str(path)


def test_json_text_is_accepted():
    """A JSON text is parsed and validated like a mapping."""
    tl = load_timeline(json.dumps(_good()))
    assert len(tl.events) == 3


def test_timeline_must_be_an_object():
    """A JSON array at top level is rejected."""
    with pytest.raises(TimelineError):
        load_timeline("[1, 2]".encode())


def test_evaluate_rejects_naive_as_of():
    """evaluate() with a naive as_of raises TimelineError on the as_of field."""
    with pytest.raises(TimelineError) as info:
        evaluate(_good(), as_of="2026-01-14T12:00:00")
    assert info.value.field == "as_of"


def test_evaluate_validates_its_input():
    """evaluate() on an invalid dict raises the same located TimelineError."""
    tl = _good()
    tl["events"][1]["at"] = "not a date"
    with pytest.raises(TimelineError) as info:
        evaluate(tl, as_of=T)
    assert (info.value.index, info.value.event_id, info.value.field) == (1, "x-end-m1", "at")


@pytest.mark.parametrize(
    ("at", "ok"),
    [
        ("1900-01-01T00:00:00+00:00", True),
        ("1899-12-31T23:59:59+00:00", False),
        ("1900-01-01T00:30:00+01:00", True),  # its own date is 1900-01-01 (UTC 1899-12-31T23:30)
        ("1899-12-31T23:30:00-01:00", False),  # its own date is 1899-12-31 (UTC 1900-01-01T00:30)
        ("1901-01-01T00:00:00+14:00", True),
        ("2199-12-31T23:59:59+00:00", True),
        ("2199-12-31T23:30:00-01:00", True),  # 2200-01-01T00:30Z, but written on 2199-12-31
        ("2200-01-01T00:00:00+00:00", False),
        ("2200-01-01T00:30:00+01:00", False),  # 2199-12-31T23:30Z, but written in 2200
    ],
)
def test_instant_range_is_decided_on_the_written_date_at_both_ends(at, ok):
    """Instants whose own date lies in 1900-01-01 ... 2199-12-31 are accepted, whatever the offset:
    the rule the JSON Schema's pattern states (tests/test_schema_equivalence.py)."""
    data = {"case_id": "c", "person": {"id": "p", "birth_date": "1900-01-01"},
            "events": [{"id": "e", "type": "admitted", "at": at, "custody_kind": "remand"}]}
    if ok:
        assert load_timeline(data).events[0].at == datetime.fromisoformat(at)
    else:
        with pytest.raises(TimelineError) as info:
            load_timeline(data)
        assert info.value.field == "at"


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1898, 1, 1), max_value=datetime(2201, 12, 31)),
    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
)
def test_instant_range_check_equals_the_utc_comparison(naive, offset_minutes):
    """The range check (which skips the UTC conversion for years well inside the range) accepts
    exactly the instants whose UTC value lies from 1900 up to 2200."""
    from datetime import timedelta, timezone

    from samarbeid_rules._inputs.timeline import EARLIEST, LATEST, _in_range

    value = naive.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    try:
        expected = EARLIEST <= value.astimezone(timezone.utc) < LATEST
    except OverflowError:
        expected = False
    try:
        _in_range(value)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == expected
