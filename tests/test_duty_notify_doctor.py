"""exclusion.notify_doctor: a doctor is notified within 'uten ugrunnet opphold' (strict 1h, lenient 4h)."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from builders import doctor_notified, exclusion, oslo, only, timeline

from samarbeid_rules import evaluate

DUTY = "exclusion.notify_doctor"
START = oslo(2026, 1, 14, 10, 0)
END = oslo(2026, 1, 14, 18, 0)
AS_OF = oslo(2026, 1, 15, 12, 0)


def _with_notice(at, *, measure_id="m1", as_of=AS_OF, engine="native", profile=None):
    tl = timeline([*exclusion(START, END), doctor_notified(at, measure_id=measure_id)])
    return evaluate(tl, as_of=as_of, engine=engine, profile=profile)


def test_notice_within_the_hour_is_fulfilled(engine):
    """A doctor notified 30 minutes after the exclusion started fulfils the duty."""
    ob = only(_with_notice(START + timedelta(minutes=30), engine=engine), DUTY)
    assert ob.status.value == "fulfilled"
    assert ob.breach is False
    assert ob.fulfilled_by == ["doctor-1"]
    assert ob.lateness is None


def test_no_notice_is_breached(engine):
    """The same exclusion without any doctor notice is breached once the lenient bound has passed."""
    tl = timeline([*exclusion(START, END)])
    ob = only(evaluate(tl, as_of=AS_OF, engine=engine), DUTY)
    assert ob.status.value == "breached"
    assert ob.breach is True
    assert ob.fulfilled_by == []


@pytest.mark.parametrize(
    ("delay", "expected"),
    [
        (timedelta(0), "fulfilled"),
        (timedelta(hours=1), "fulfilled"),
        (timedelta(hours=1, seconds=1), "contested"),
        (timedelta(hours=4), "contested"),
        (timedelta(hours=4, seconds=1), "fulfilled_late"),
    ],
    ids=["at-start", "exactly-1h", "1h+1s", "exactly-4h", "4h+1s"],
)
def test_notice_delay_boundaries(engine, delay, expected):
    """The strict (1h) and lenient (4h) bounds are inclusive; one second later moves to the next status."""
    ob = only(_with_notice(START + delay, engine=engine), DUTY)
    assert ob.status.value == expected
    assert ob.breach is (expected == "fulfilled_late")


def test_lateness_is_measured_from_the_strict_deadline(engine):
    """A notice 90 minutes after the start is 30 minutes late by the strict bound."""
    ob = only(_with_notice(START + timedelta(minutes=90), engine=engine), DUTY)
    assert ob.status.value == "contested"
    assert ob.lateness == timedelta(minutes=30)
    assert ob.window.due == START + timedelta(hours=1)
    assert ob.window.due_lenient == START + timedelta(hours=4)


@pytest.mark.parametrize(
    ("as_of_delay", "expected"),
    [
        (timedelta(minutes=59), "due"),
        (timedelta(hours=1), "due"),
        (timedelta(hours=1, seconds=1), "contested"),
        (timedelta(hours=4), "contested"),
        (timedelta(hours=4, seconds=1), "breached"),
    ],
    ids=["59min", "exactly-1h", "1h+1s", "exactly-4h", "4h+1s"],
)
def test_open_obligation_status_follows_as_of(engine, as_of_delay, expected):
    """Without a notice the obligation is due until 1h, contested until 4h, then breached."""
    tl = timeline([*exclusion(START, END)])
    ob = only(evaluate(tl, as_of=START + as_of_delay, engine=engine), DUTY)
    assert ob.status.value == expected


def test_notice_after_as_of_does_not_count_yet(engine):
    """A notice recorded after as_of has not happened at the instant judged."""
    report = _with_notice(START + timedelta(minutes=30), as_of=START + timedelta(minutes=20), engine=engine)
    ob = only(report, DUTY)
    assert ob.status.value == "due"
    assert ob.fulfilled_by == []


def test_notice_for_another_measure_does_not_count(engine):
    """A notice naming a different exclusion does not fulfil this one's duty."""
    tl = timeline(
        [
            *exclusion(START, END, measure_id="m1"),
            *exclusion(START + timedelta(minutes=5), END, measure_id="m2"),
            doctor_notified(START + timedelta(minutes=30), measure_id="m2"),
        ]
    )
    report = evaluate(tl, as_of=AS_OF, engine=engine)
    by_trigger = {o.trigger_event_ids[0]: o for o in report.obligations if o.duty_id == DUTY}
    assert by_trigger["x-start-m1"].status.value == "breached"
    assert by_trigger["x-start-m2"].status.value == "fulfilled"


def test_notice_naming_the_measure_counts(engine):
    """A notice naming this exclusion's measure id fulfils its duty."""
    ob = only(_with_notice(START + timedelta(minutes=30), measure_id="m1", engine=engine), DUTY)
    assert ob.status.value == "fulfilled"


def test_notice_naming_no_measure_counts_for_every_exclusion(engine):
    """A notice without a measure id counts for each exclusion it follows."""
    tl = timeline(
        [
            *exclusion(START, END, measure_id="m1"),
            *exclusion(START + timedelta(minutes=5), END, measure_id="m2"),
            doctor_notified(START + timedelta(minutes=30)),
        ]
    )
    report = evaluate(tl, as_of=AS_OF, engine=engine)
    got = sorted(o.status.value for o in report.obligations if o.duty_id == DUTY)
    assert got == ["fulfilled", "fulfilled"]


def test_notice_before_the_exclusion_does_not_count(engine):
    """A notice one second before the exclusion started does not fulfil the duty."""
    ob = only(_with_notice(START - timedelta(seconds=1), measure_id=None, engine=engine), DUTY)
    assert ob.status.value == "breached"
    assert ob.fulfilled_by == []


def test_first_of_several_notices_is_used(engine):
    """With a late and an early notice, the earliest one at or after the start decides."""
    tl = timeline(
        [
            *exclusion(START, END),
            doctor_notified(START + timedelta(hours=5), id="late"),
            doctor_notified(START + timedelta(minutes=10), id="early"),
        ]
    )
    ob = only(evaluate(tl, as_of=AS_OF, engine=engine), DUTY)
    assert ob.status.value == "fulfilled"
    assert ob.fulfilled_by == ["early"]


def test_profile_override_moves_the_bounds(engine):
    """Overriding uten_ugrunnet_opphold to strict 2h makes a 90-minute notice on time."""
    profile = {"terms": {"uten_ugrunnet_opphold": {"strict": "PT2H", "lenient": "PT4H"}}}
    ob = only(_with_notice(START + timedelta(minutes=90), engine=engine, profile=profile), DUTY)
    assert ob.status.value == "fulfilled"


def test_every_exclusion_basis_and_scope_triggers(engine):
    """Partial exclusions decided by a court trigger the duty as full ones do."""
    tl = timeline(
        [
            {"id": "xs", "type": "exclusion_started", "at": START.isoformat(), "measure_id": "m1",
             "basis": "strpl_186a", "scope": "partial"},
        ]
    )
    ob = only(evaluate(tl, as_of=AS_OF, engine=engine), DUTY)
    assert ob.status.value == "breached"
    assert ob.trigger_event_ids == ["xs"]


def test_zoneinfo_datetimes_measure_elapsed_time_across_dst(engine):
    """A notice 50 elapsed minutes after an exclusion at 01:30 on 29 March 2026 is on time when given as zoned datetimes."""
    start = oslo(2026, 3, 29, 1, 30)  # CET; 02:00 -> 03:00 follows
    notice = oslo(2026, 3, 29, 3, 20)  # CEST, 50 minutes later
    assert (notice.astimezone(timezone.utc) - start.astimezone(timezone.utc)) == timedelta(minutes=50)
    tl = timeline([
        {"id": "xs", "type": "exclusion_started", "at": start, "measure_id": "m1", "basis": "strgjfl_37",
         "scope": "full"},
        {"id": "doc", "type": "doctor_notified", "at": notice},
    ])
    ob = only(evaluate(tl, as_of=oslo(2026, 3, 29, 12), engine=engine), DUTY)
    assert ob.status.value == "fulfilled"
    assert ob.window.due.astimezone(timezone.utc) == start.astimezone(timezone.utc) + timedelta(hours=1)
