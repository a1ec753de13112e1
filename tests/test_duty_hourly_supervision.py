"""The timing kind recurring_looks, on a policy copy of exclusion.hourly_supervision.

The shipped rule reads 001 §7.1.2 as it stands (``tests/test_law_readings.py``): looks
"flere ganger daglig" on each day, and once an hour in the daytime as the starting point, a gap
over an hour contested and a breach only past the profile's lenient two hours. These tests pin the
kind's own mechanics -- daytime gaps counted from the window's and the measure's ends, the strict
and lenient windows, nights short of looks, elapsed time across daylight-saving changes -- on a copy
of the rule as a stricter local policy might write it: one hour by both bounds, and a minimum count
of looks each night (``night_min_count``, a policy term ``natt_minimum``: two strictly, one
leniently), without the per-day count.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from builders import every, exclusion, later, look, looks, oslo, only, timeline

from samarbeid_rules import evaluate, load_rules
from samarbeid_rules._inputs.resources import rules_dir

DUTY = "exclusion.hourly_supervision"
HOUR = timedelta(hours=1)

_POLICY_RULE = """duty: exclusion.hourly_supervision
title: Staff look in on an excluded inmate hourly in the daytime, and a minimum each night (a local policy)
modality: skal
actor: KO
bases: [guidelines-37-14, circular-001]
source:
  document: "001"
  title: Rundskriv (2025)
  section: "7.1.2"
  text: >-
    føre tilsyn med innsatte flere ganger daglig. Utgangspunktet er tilsyn én
    gang i timen på dagtid
trigger:
  event: exclusion_started
fulfilled_by:
  event: supervision_look
  same: [measure_id]
timing:
  kind: recurring_looks
  day_window: dagtid
  day_max_gap: {term: tilsyn_dagtid_intervall}
  night_min_count: natt_minimum
"""
_POLICY = {"terms": {"tilsyn_dagtid_intervall": {"lenient": "PT1H"},
                     "natt_minimum": {"kind": "count", "words": ["flere ganger daglig"], "strict": 2, "lenient": 1}}}


def _policy_rules():
    root = Path(tempfile.mkdtemp(prefix="policy-rules-")) / "rules"
    shutil.copytree(rules_dir(), root)
    (root / "duties" / "exclusion" / "hourly_supervision.yaml").write_text(_POLICY_RULE, encoding="utf-8")
    return load_rules(root).only([DUTY])


RULES = _policy_rules()


def _eval(events, *, as_of, engine, profile=None):
    merged = {"terms": {**_POLICY["terms"], **((profile or {}).get("terms", {}))}}
    return evaluate(timeline(events), as_of=as_of, engine=engine, profile=merged, rules=RULES)


def _gaps(ob, kind=None):
    return [g for g in ob.gaps if kind is None or g.kind == kind]


# --- daytime gaps -----------------------------------------------------------


def test_hourly_looks_in_the_day_are_fulfilled(engine):
    """Looks exactly one hour apart through a daytime exclusion leave no gap."""
    start, end = oslo(2026, 1, 14, 10), oslo(2026, 1, 14, 14)
    ob = only(_eval([*exclusion(start, end), *looks(every(start + HOUR, end, HOUR))], as_of=end, engine=engine), DUTY)
    assert ob.status.value == "fulfilled"
    assert ob.gaps == []


def test_one_second_late_look_is_a_breached_gap(engine):
    """Moving one look one second later turns an exactly-1h interval into a breached 1h+1s gap."""
    start, end = oslo(2026, 1, 14, 10), oslo(2026, 1, 14, 12)
    ok = _eval([*exclusion(start, end), look(oslo(2026, 1, 14, 11))], as_of=end, engine=engine)
    bad = _eval([*exclusion(start, end), look(oslo(2026, 1, 14, 11, 0, 1))], as_of=end, engine=engine)
    assert only(ok, DUTY).status.value == "fulfilled"
    ob = only(bad, DUTY)
    assert ob.status.value == "breached"
    assert ob.breach is True
    [gap] = ob.gaps
    assert gap.kind == "daytime"
    assert gap.start == start and gap.end == oslo(2026, 1, 14, 11, 0, 1)
    assert gap.length == timedelta(hours=1, seconds=1)
    assert gap.status.value == "breached"


def test_gap_measured_from_the_measure_start(engine):
    """The first interval runs from the start of the measure, not from the first look."""
    start, end = oslo(2026, 1, 14, 10), oslo(2026, 1, 14, 13)
    evs = [*exclusion(start, end), look(oslo(2026, 1, 14, 11, 30)), look(oslo(2026, 1, 14, 12, 30))]
    ob = only(_eval(evs, as_of=end, engine=engine), DUTY)
    assert [(g.start, g.end) for g in ob.gaps] == [(start, oslo(2026, 1, 14, 11, 30))]


def test_gap_measured_to_the_measure_end(engine):
    """The last interval runs to the end of the measure."""
    start, end = oslo(2026, 1, 14, 10), oslo(2026, 1, 14, 12, 30)
    evs = [*exclusion(start, end), look(oslo(2026, 1, 14, 11))]
    ob = only(_eval(evs, as_of=end, engine=engine), DUTY)
    assert [(g.start, g.end, g.length) for g in ob.gaps] == [
        (oslo(2026, 1, 14, 11), end, timedelta(minutes=90))
    ]


def test_gap_only_in_the_strict_window_is_contested(engine):
    """A two-hour evening gap between 20:00 and 22:00 lies only in the strict window: contested."""
    start, end = oslo(2026, 1, 14, 19), oslo(2026, 1, 14, 22)
    evs = [*exclusion(start, end), look(oslo(2026, 1, 14, 20))]
    ob = only(_eval(evs, as_of=end, engine=engine), DUTY)
    [gap] = _gaps(ob, "daytime")
    assert (gap.start, gap.end) == (oslo(2026, 1, 14, 20), oslo(2026, 1, 14, 22))
    assert gap.status.value == "contested"
    assert ob.status.value == "contested"
    assert ob.breach is False


def test_morning_gap_only_in_the_strict_window_is_contested(engine):
    """A look missing between 07:00 and 08:00 only (gap 07:00-08:30 against lenient 08:00 start) is contested."""
    start, end = oslo(2026, 1, 14, 6), oslo(2026, 1, 14, 9)
    evs = [*exclusion(start, end), look(oslo(2026, 1, 14, 6, 30)), look(oslo(2026, 1, 14, 8, 10)),
           look(oslo(2026, 1, 14, 9))]
    ob = only(_eval(evs, as_of=end, engine=engine), DUTY)
    [gap] = _gaps(ob, "daytime")
    assert (gap.start, gap.end) == (oslo(2026, 1, 14, 7), oslo(2026, 1, 14, 8, 10))
    assert gap.status.value == "contested"


def test_gap_reaching_into_the_lenient_window_is_breached(engine):
    """A strict-window gap that contains a >1h gap inside the lenient window (18:30-20:00) is breached."""
    start, end = oslo(2026, 1, 14, 18), oslo(2026, 1, 14, 22)
    evs = [*exclusion(start, end), look(oslo(2026, 1, 14, 18, 30))]
    ob = only(_eval(evs, as_of=end, engine=engine), DUTY)
    [gap] = _gaps(ob, "daytime")
    assert (gap.start, gap.end) == (oslo(2026, 1, 14, 18, 30), end)
    assert gap.status.value == "breached"
    assert ob.status.value == "breached"


def test_exactly_one_hour_inside_the_lenient_window_is_contested(engine):
    """A strict gap whose lenient part is exactly one hour (19:00-20:00) stays contested."""
    start, end = oslo(2026, 1, 14, 18), oslo(2026, 1, 14, 22)
    evs = [*exclusion(start, end), look(oslo(2026, 1, 14, 18, 30)), look(oslo(2026, 1, 14, 19))]
    ob = only(_eval(evs, as_of=end, engine=engine), DUTY)
    [gap] = _gaps(ob, "daytime")
    assert (gap.start, gap.end) == (oslo(2026, 1, 14, 19), end)
    assert gap.status.value == "contested"


def test_each_gap_is_reported_and_status_is_the_worst(engine):
    """Two separate gaps are two findings; the obligation takes the worst status."""
    start, end = oslo(2026, 1, 14, 10), oslo(2026, 1, 14, 22)
    times = [oslo(2026, 1, 14, h) for h in (11, 13, 14, 15, 16, 17, 18, 19, 20)]
    ob = only(_eval([*exclusion(start, end), *looks(times)], as_of=end, engine=engine), DUTY)
    kinds = [(g.start, g.end, g.status.value) for g in _gaps(ob, "daytime")]
    assert kinds == [
        (oslo(2026, 1, 14, 11), oslo(2026, 1, 14, 13), "breached"),
        (oslo(2026, 1, 14, 20), oslo(2026, 1, 14, 22), "contested"),
    ]
    assert ob.status.value == "breached"


def test_look_for_another_measure_does_not_count(engine):
    """A look recorded under another measure does not count for this exclusion."""
    start, end = oslo(2026, 1, 14, 10), oslo(2026, 1, 14, 12)
    evs = [*exclusion(start, end, measure_id="m1"), *exclusion(start, end, measure_id="m2"),
           look(oslo(2026, 1, 14, 11), measure_id="m2")]
    report = _eval(evs, as_of=end, engine=engine)
    by = {o.trigger_event_ids[0]: o.status.value for o in report.obligations if o.duty_id == DUTY}
    assert by == {"x-start-m1": "breached", "x-start-m2": "fulfilled"}


def test_open_measure_is_due_and_reports_next_look(engine):
    """A measure still in effect with no gap so far is due, with the next look due an hour after the last."""
    start = oslo(2026, 1, 14, 10)
    evs = [*exclusion(start), look(oslo(2026, 1, 14, 10, 45))]
    ob = only(_eval(evs, as_of=oslo(2026, 1, 14, 11, 15), engine=engine), DUTY)
    assert ob.status.value == "due"
    assert ob.gaps == []
    assert ob.next_due == oslo(2026, 1, 14, 11, 45)


def test_open_measure_with_an_overdue_look_has_an_ongoing_gap(engine):
    """A measure still in effect whose last look was over an hour ago has an ongoing breached gap."""
    start = oslo(2026, 1, 14, 10)
    ob = only(_eval([*exclusion(start)], as_of=oslo(2026, 1, 14, 11, 30), engine=engine), DUTY)
    [gap] = ob.gaps
    assert gap.ongoing is True
    assert gap.status.value == "breached"
    assert ob.status.value == "breached"


# --- nights -----------------------------------------------------------------

NIGHT_START, NIGHT_END = oslo(2026, 1, 14, 22), oslo(2026, 1, 15, 7)  # 9 of the 12 night hours


@pytest.mark.parametrize(("n", "expected"), [(2, "fulfilled"), (1, "contested"), (0, "breached")])
def test_night_look_count(engine, n, expected):
    """A night (22:00-07:00, 3/4 of 20:00-08:00) needs 2 looks strictly and 1 leniently."""
    times = [oslo(2026, 1, 15, 1), oslo(2026, 1, 15, 4)][:n]
    ob = only(_eval([*exclusion(NIGHT_START, NIGHT_END), *looks(times)], as_of=NIGHT_END, engine=engine), DUTY)
    assert ob.status.value == expected
    assert _gaps(ob, "daytime") == []
    if expected != "fulfilled":
        [gap] = _gaps(ob, "night")
        assert (gap.looks, gap.required, gap.required_lenient) == (n, 2, 1)
        assert (gap.start, gap.end) == (NIGHT_START, NIGHT_END)


def test_full_night_needs_two_looks(engine):
    """A whole night 20:00-08:00 with looks only at 21:00 and 22:00 in the evening counts those two."""
    start, end = oslo(2026, 1, 14, 20), oslo(2026, 1, 15, 8)
    times = [oslo(2026, 1, 14, 21), oslo(2026, 1, 14, 22), oslo(2026, 1, 15, 7)]
    ob = only(_eval([*exclusion(start, end), *looks(times)], as_of=end, engine=engine), DUTY)
    assert ob.status.value == "fulfilled"


def test_partial_night_rounds_half_up(engine):
    """A quarter night (22:00-01:00) needs round(0.5)=1 strict look and round(0.25)=0 lenient: no look is contested."""
    start, end = oslo(2026, 1, 14, 22), oslo(2026, 1, 15, 1)
    ob = only(_eval([*exclusion(start, end)], as_of=end, engine=engine), DUTY)
    [gap] = _gaps(ob, "night")
    assert (gap.required, gap.required_lenient, gap.looks) == (1, 0, 0)
    assert ob.status.value == "contested"


def test_short_partial_night_needs_no_look(engine):
    """An eighth of a night (22:00-23:30) needs round(0.25)=0 looks: no finding."""
    start, end = oslo(2026, 1, 14, 22), oslo(2026, 1, 14, 23, 30)
    ob = only(_eval([*exclusion(start, end)], as_of=end, engine=engine), DUTY)
    assert ob.status.value == "fulfilled"
    assert ob.gaps == []


def test_unfinished_night_of_open_measure_is_not_judged(engine):
    """A night still in progress at as_of is not yet short of looks."""
    start = oslo(2026, 1, 14, 22)
    ob = only(_eval([*exclusion(start)], as_of=oslo(2026, 1, 15, 6), engine=engine), DUTY)
    assert _gaps(ob, "night") == []
    assert ob.status.value == "due"


# --- daylight saving time (Europe/Oslo) -------------------------------------

ALL_DAY = {"terms": {"dagtid": {"strict": {"start": "00:00", "end": "23:59"},
                                 "lenient": {"start": "00:00", "end": "23:59"}}}}


@pytest.mark.parametrize(
    ("first", "second", "gap"),
    [
        # spring forward 29 March 2026: 02:00 CET -> 03:00 CEST
        ("2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00", False),
        ("2026-03-29T01:30:00+01:00", "2026-03-29T03:31:00+02:00", True),
        # fall back 25 October 2026: 03:00 CEST -> 02:00 CET
        ("2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00", False),
        ("2026-10-25T02:30:00+02:00", "2026-10-25T02:31:00+01:00", True),
    ],
    ids=["spring-60min", "spring-61min", "autumn-60min", "autumn-61min"],
)
def test_gap_across_dst_change_is_elapsed_time(engine, first, second, gap):
    """Across a DST change a gap is elapsed time: 60 real minutes is no gap, 61 is, whatever the wall clock says."""
    from datetime import datetime

    a, b = datetime.fromisoformat(first), datetime.fromisoformat(second)
    start, end = later(a, -timedelta(minutes=30)), later(b, timedelta(minutes=30))
    ob = only(_eval([*exclusion(start, end), look(a), look(b)], as_of=end, engine=engine, profile=ALL_DAY), DUTY)
    day_gaps = _gaps(ob, "daytime")
    if gap:
        [g] = day_gaps
        assert g.length == timedelta(minutes=61)
        assert ob.status.value == "breached"
    else:
        assert day_gaps == []
        assert ob.status.value == "fulfilled"


@pytest.mark.parametrize("day", [(2026, 3, 29), (2026, 10, 25)], ids=["spring", "autumn"])
def test_hourly_looks_over_a_dst_day_give_no_gap(engine, day):
    """Looks every elapsed hour from the evening before to the evening of a DST day give no finding."""
    y, m, d = day
    start = oslo(y, m, d - 1, 18)
    end = oslo(y, m, d, 21)
    times = every(later(start, HOUR), end, HOUR)
    ob = only(_eval([*exclusion(start, end), *looks(times)], as_of=end, engine=engine), DUTY)
    assert ob.gaps == []
    assert ob.status.value == "fulfilled"


@pytest.mark.parametrize("day", [(2026, 3, 29), (2026, 10, 25)], ids=["spring", "autumn"])
def test_real_61_minute_gap_on_a_dst_day_is_found(engine, day):
    """On a DST day, hourly looks with one 61-minute interval in the daytime give exactly that breached gap."""
    y, m, d = day
    start = oslo(y, m, d - 1, 18)
    end = oslo(y, m, d, 21)
    times = every(later(start, HOUR), end, HOUR)
    # delay the 10:00 look by one minute: 09:00 -> 10:01 is 61 minutes
    times = [later(t, timedelta(minutes=1)) if t == oslo(y, m, d, 10) else t for t in times]
    assert oslo(y, m, d, 10, 1) in times
    ob = only(_eval([*exclusion(start, end), *looks(times)], as_of=end, engine=engine), DUTY)
    [g] = ob.gaps
    assert (g.kind, g.start, g.end, g.length) == ("daytime", oslo(y, m, d, 9), oslo(y, m, d, 10, 1),
                                                   timedelta(minutes=61))
    assert g.status.value == "breached"


@pytest.mark.parametrize("day", [(2026, 3, 29), (2026, 10, 25)], ids=["spring", "autumn"])
def test_daytime_window_opens_at_local_seven_on_dst_day(engine, day):
    """On a DST day the window starts at 07:00 local time: a look at 08:00 local leaves no gap after a night start."""
    y, m, d = day
    start, end = oslo(y, m, d, 5), oslo(y, m, d, 8)
    ob = only(_eval([*exclusion(start, end), look(oslo(y, m, d, 5, 30)), look(oslo(y, m, d, 8))], as_of=end,
                    engine=engine), DUTY)
    assert _gaps(ob, "daytime") == []
    # one minute later opens a real gap from 07:00 local
    ob2 = only(_eval([*exclusion(start, oslo(y, m, d, 8, 1)), look(oslo(y, m, d, 5, 30)),
                      look(oslo(y, m, d, 8, 1))], as_of=oslo(y, m, d, 8, 1), engine=engine), DUTY)
    [g] = _gaps(ob2, "daytime")
    assert (g.start, g.end) == (oslo(y, m, d, 7), oslo(y, m, d, 8, 1))


def test_night_share_uses_elapsed_time_on_dst_night(engine):
    """The spring night 28-29 March is 11 elapsed hours; 22:00-07:00 is 8 of them and needs 1 strict look (round(16/11))."""
    start, end = oslo(2026, 3, 28, 22), oslo(2026, 3, 29, 7)
    ob = only(_eval([*exclusion(start, end)], as_of=end, engine=engine), DUTY)
    [g] = _gaps(ob, "night")
    assert g.length == timedelta(hours=8)
    assert (g.required, g.required_lenient) == (1, 1)
    assert g.status.value == "breached"


@pytest.mark.parametrize(
    ("start", "end", "expected", "required"),
    [
        # 28-29 March 2026: the night 20:00-08:00 lasts 11 elapsed hours; 2h54m of it is 0.264 -> 2*0.264 rounds to 1
        (oslo(2026, 3, 28, 22), oslo(2026, 3, 29, 0, 54), "contested", (1, 0)),
        # 24-25 October 2026: the night lasts 13 elapsed hours; 3h06m of it is 0.238 -> 2*0.238 rounds to 0
        (oslo(2026, 10, 24, 22), oslo(2026, 10, 25, 1, 6), "fulfilled", None),
    ],
    ids=["spring-11h-night", "autumn-13h-night"],
)
def test_partial_dst_night_share_uses_elapsed_night_length(engine, start, end, expected, required):
    """A partial night's share is elapsed time over the night's elapsed length (11h in spring, 13h in autumn)."""
    ob = only(_eval([*exclusion(start, end)], as_of=end, engine=engine), DUTY)
    assert ob.status.value == expected
    night = _gaps(ob, "night")
    if required is None:
        assert night == []
    else:
        [g] = night
        assert (g.required, g.required_lenient) == required


@pytest.mark.parametrize(
    ("first", "second", "gap"),
    [
        (oslo(2026, 3, 29, 1, 30), oslo(2026, 3, 29, 3, 30), None),  # 60 elapsed minutes, 2h on the wall
        (oslo(2026, 10, 25, 2, 30), oslo(2026, 10, 25, 2, 31, fold=1), timedelta(minutes=61)),  # 61 min, 1 on the wall
    ],
    ids=["spring-60min", "autumn-61min"],
)
def test_zoneinfo_datetimes_across_dst_measure_elapsed_time(engine, first, second, gap):
    """Looks given as Python datetimes in Europe/Oslo are compared in elapsed time across a DST change."""
    start, end = later(first, -timedelta(minutes=30)), later(second, timedelta(minutes=30))
    # datetimes with the zone attached, as an API caller would pass them (not ISO strings)
    events = [
        {"id": "xs", "type": "exclusion_started", "at": start, "measure_id": "m1", "basis": "strgjfl_37",
         "scope": "full"},
        {"id": "xe", "type": "exclusion_ended", "at": end, "measure_id": "m1"},
        {"id": "l1", "type": "supervision_look", "at": first},
        {"id": "l2", "type": "supervision_look", "at": second},
    ]
    ob = only(_eval(events, as_of=end, engine=engine, profile=ALL_DAY), DUTY)
    day_gaps = _gaps(ob, "daytime")
    if gap is None:
        assert day_gaps == []
        assert ob.status.value == "fulfilled"
    else:
        assert [g.length for g in day_gaps] == [gap]
        assert ob.status.value == "breached"
