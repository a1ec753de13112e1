"""release.health_notice: KHO is told of the expected release two calendar months ahead, or as early as practicable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import obligations, oslo, only, release_date_set, release_notice, released, timeline

from samarbeid_rules import evaluate

DUTY = "release.health_notice"
KNOWN = oslo(2025, 11, 3, 10)
SEC = timedelta(seconds=1)


def _eval(events, *, as_of, engine):
    return evaluate(timeline(events), as_of=as_of, engine=engine)


def test_notice_two_months_ahead_is_fulfilled(engine):
    """A notice to KHO in mid-January for a 31 March release is on time."""
    evs = [release_date_set(KNOWN, "2026-03-31"), release_notice(oslo(2026, 1, 15, 10))]
    ob = only(_eval(evs, as_of=oslo(2026, 4, 1), engine=engine), DUTY)
    assert ob.status.value == "fulfilled"
    assert ob.fulfilled_by == ["notice-1"]


def test_notice_to_another_agency_does_not_count(engine):
    """The same notice sent to the specialist health service instead of KHO does not fulfil the duty."""
    evs = [release_date_set(KNOWN, "2026-03-31"), release_notice(oslo(2026, 1, 15, 10), recipient="sht")]
    ob = only(_eval(evs, as_of=oslo(2026, 4, 1), engine=engine), DUTY)
    assert ob.status.value == "breached"
    assert ob.fulfilled_by == []


@pytest.mark.parametrize(
    ("release", "last_ok", "first_late"),
    [
        ("2026-03-31", oslo(2026, 1, 31, 23, 59, 59), oslo(2026, 2, 1, 0, 0, 0)),  # 31 Mar -> 31 Jan
        ("2026-04-30", oslo(2026, 2, 28, 23, 59, 59), oslo(2026, 3, 1, 0, 0, 0)),  # 30 Apr -> 28 Feb
        ("2028-04-30", oslo(2028, 2, 29, 23, 59, 59), oslo(2028, 3, 1, 0, 0, 0)),  # leap year -> 29 Feb
        ("2026-03-15", oslo(2026, 1, 15, 23, 59, 59), oslo(2026, 1, 16, 0, 0, 0)),
    ],
    ids=["31mar-31jan", "30apr-28feb", "30apr-29feb-leap", "15mar-15jan"],
)
def test_deadline_is_end_of_local_day_two_calendar_months_before(engine, release, last_ok, first_late):
    """The last second of the local day two calendar months before is on time; the next second is late."""
    ok = only(_eval([release_date_set(KNOWN, release), release_notice(last_ok)], as_of=last_ok + timedelta(days=90),
                    engine=engine), DUTY)
    late = only(_eval([release_date_set(KNOWN, release), release_notice(first_late)],
                      as_of=first_late + timedelta(days=90), engine=engine), DUTY)
    assert ok.status.value == "fulfilled"
    assert late.status.value == "fulfilled_late"
    assert late.breach is True
    assert ok.window.due.date() == last_ok.date()
    assert ok.window.due.astimezone(last_ok.tzinfo).strftime("%H:%M:%S") == "23:59:59"


def test_date_deadline_has_no_lenient_extension(engine):
    """A fixed two-month deadline is the same by both bounds: a day late is late, not contested."""
    evs = [release_date_set(KNOWN, "2026-03-31"), release_notice(oslo(2026, 2, 1, 12))]
    ob = only(_eval(evs, as_of=oslo(2026, 4, 1), engine=engine), DUTY)
    assert ob.window.due == ob.window.due_lenient
    assert ob.status.value == "fulfilled_late"
    # due by the end of 31 Jan (23:59:59.999999): noon the next day is 12 h and a microsecond late, rounded up
    assert ob.lateness == timedelta(hours=12, seconds=1)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(oslo(2026, 1, 31, 23, 59, 59), "due"), (oslo(2026, 2, 1, 0, 0, 0), "breached")],
    ids=["last-second", "next-day"],
)
def test_open_notice_duty_status(engine, as_of, expected):
    """Without a notice the duty is due until the end of the deadline day and breached after it."""
    ob = only(_eval([release_date_set(KNOWN, "2026-03-31")], as_of=as_of, engine=engine), DUTY)
    assert ob.status.value == expected


# --- the date became known late ----------------------------------------------

LATE_KNOWN = oslo(2026, 2, 2, 10)  # release 15 March: the two-month mark (15 Jan) has passed


@pytest.mark.parametrize(
    ("delay", "expected"),
    [
        (timedelta(0), "fulfilled"),
        (timedelta(days=2), "fulfilled"),
        (timedelta(days=2, seconds=1), "contested"),
        (timedelta(days=7), "contested"),
        (timedelta(days=7, seconds=1), "fulfilled_late"),
    ],
    ids=["at-once", "exactly-2d", "2d+1s", "exactly-7d", "7d+1s"],
)
def test_date_known_late_bounds(engine, delay, expected):
    """A date known after the two-month mark is due 2 days (strict) / 7 days (lenient) after it became known."""
    evs = [release_date_set(LATE_KNOWN, "2026-03-15"), release_notice(LATE_KNOWN + delay)]
    ob = only(_eval(evs, as_of=oslo(2026, 3, 16), engine=engine), DUTY)
    assert ob.status.value == expected
    assert ob.window.due == LATE_KNOWN + timedelta(days=2)
    assert ob.window.due_lenient == LATE_KNOWN + timedelta(days=7)


def test_date_known_late_on_the_deadline_day_gets_the_practicable_allowance(engine):
    """A date that became known at 23:00 on the last day of the two-month mark is due as early as practicable after."""
    known = oslo(2026, 1, 15, 23, 0)
    evs = [release_date_set(known, "2026-03-15"), release_notice(oslo(2026, 1, 16, 10))]
    ob = only(_eval(evs, as_of=oslo(2026, 3, 16), engine=engine), DUTY)
    assert ob.window.due == known + timedelta(days=2)
    assert ob.status.value == "fulfilled"


def test_date_known_in_the_morning_of_the_mark_day_is_due_two_days_later(engine):
    """Known at 10:00 on the mark day itself: not due by the end of that day, but 2 days (strict) /
    7 days (lenient) after it became known; the later of the two readings wins (docs/duties.md)."""
    known = oslo(2026, 1, 15, 10, 0)
    for sent, expected in ((oslo(2026, 1, 17, 9, 0), "fulfilled"), (oslo(2026, 1, 20, 9, 0), "contested"),
                           (oslo(2026, 1, 23, 9, 0), "fulfilled_late")):
        evs = [release_date_set(known, "2026-03-15"), release_notice(sent)]
        ob = only(_eval(evs, as_of=oslo(2026, 3, 16), engine=engine), DUTY)
        assert ob.window.due == known + timedelta(days=2)
        assert ob.window.due_lenient == known + timedelta(days=7)
        assert ob.status.value == expected, sent


def test_date_known_weeks_before_the_mark_keeps_the_date_deadline(engine):
    """A date known weeks before the mark is due by the end of the mark day; a day later is late."""
    known = oslo(2025, 12, 1, 9, 0)
    evs = [release_date_set(known, "2026-03-15"), release_notice(oslo(2026, 1, 16, 10))]
    ob = only(_eval(evs, as_of=oslo(2026, 3, 16), engine=engine), DUTY)
    assert ob.window.due == ob.window.due_lenient == oslo(2026, 1, 15, 23, 59, 59) + timedelta(microseconds=999999)
    assert ob.status.value == "fulfilled_late"


def test_date_known_days_before_the_mark_is_contested_when_late(engine):
    """A date known three days before the mark: late by the strict reading, within the lenient practicable bound."""
    known = oslo(2026, 1, 12, 9, 0)
    evs = [release_date_set(known, "2026-03-15"), release_notice(oslo(2026, 1, 16, 10))]
    ob = only(_eval(evs, as_of=oslo(2026, 3, 16), engine=engine), DUTY)
    assert ob.window.due == oslo(2026, 1, 15, 23, 59, 59) + timedelta(microseconds=999999)
    assert ob.window.due_lenient == known + timedelta(days=7)
    assert ob.status.value == "contested"


def test_date_known_just_after_the_deadline_day_gets_the_practicable_bound(engine):
    """A date that became known at local midnight after the mark day is due within 2 days of becoming known."""
    known = oslo(2026, 1, 16, 0, 0)
    evs = [release_date_set(known, "2026-03-15"), release_notice(oslo(2026, 1, 16, 10))]
    ob = only(_eval(evs, as_of=oslo(2026, 3, 16), engine=engine), DUTY)
    assert ob.window.due == known + timedelta(days=2)
    assert ob.status.value == "fulfilled"


# --- changed release date ------------------------------------------------------


def test_changed_date_moves_the_deadline(engine):
    """A release postponed from 31 March to 31 May makes a mid-March notice on time instead of late."""
    notice = release_notice(oslo(2026, 3, 15, 10))
    without = only(_eval([release_date_set(KNOWN, "2026-03-31"), notice], as_of=oslo(2026, 6, 1), engine=engine),
                   DUTY)
    assert without.status.value == "fulfilled_late"
    evs = [release_date_set(KNOWN, "2026-03-31", id="rd-1"),
           release_date_set(oslo(2025, 12, 1, 10), "2026-05-31", id="rd-2"), notice]
    report = _eval(evs, as_of=oslo(2026, 6, 1), engine=engine)
    ob = only(report, DUTY)
    assert ob.status.value == "fulfilled"
    assert ob.trigger_event_ids == ["rd-1", "rd-2"]
    assert ob.window.due == oslo(2026, 3, 31, 23, 59, 59) + timedelta(microseconds=999999)


def test_notice_before_a_change_does_not_cover_the_new_date(engine):
    """A notice sent before the release date changed does not count for the new date."""
    evs = [release_date_set(KNOWN, "2026-03-31", id="rd-1"), release_notice(oslo(2025, 11, 5, 10)),
           release_date_set(oslo(2025, 12, 1, 10), "2026-05-31", id="rd-2")]
    report = _eval(evs, as_of=oslo(2026, 6, 1), engine=engine)
    by = {o.trigger_event_ids[-1]: o for o in obligations(report, DUTY)}
    assert by["rd-1"].status.value == "fulfilled"
    assert by["rd-2"].status.value == "breached"
    assert by["rd-2"].fulfilled_by == []


def test_release_brought_forward_becomes_known_late(engine):
    """A release brought forward to a date whose two-month mark has passed is due within 2 days of the change."""
    change = oslo(2026, 3, 1, 10)
    evs = [release_date_set(KNOWN, "2026-06-30", id="rd-1"), release_date_set(change, "2026-04-15", id="rd-2"),
           release_notice(change + timedelta(days=3))]
    ob = only(_eval(evs, as_of=oslo(2026, 4, 16), engine=engine), DUTY)
    assert ob.window.due == change + timedelta(days=2)
    assert ob.status.value == "contested"


# --- released ------------------------------------------------------------------


def test_released_without_notice_is_breached(engine):
    """Released before any notice is a breach even before the deadline has passed."""
    evs = [release_date_set(KNOWN, "2026-03-31"), released(oslo(2026, 1, 10, 9))]
    ob = only(_eval(evs, as_of=oslo(2026, 1, 11), engine=engine), DUTY)
    assert ob.status.value == "breached"
    assert ob.window.closes == oslo(2026, 1, 10, 9)


def test_notice_before_release_is_fulfilled(engine):
    """The same early release after a notice to KHO fulfils the duty."""
    evs = [release_date_set(KNOWN, "2026-03-31"), release_notice(oslo(2026, 1, 5, 9)), released(oslo(2026, 1, 10, 9))]
    ob = only(_eval(evs, as_of=oslo(2026, 1, 11), engine=engine), DUTY)
    assert ob.status.value == "fulfilled"


def test_notice_after_release_does_not_count(engine):
    """A notice sent after the release cannot fulfil the duty."""
    evs = [release_date_set(KNOWN, "2026-03-31"), released(oslo(2026, 1, 10, 9)), release_notice(oslo(2026, 1, 10, 10))]
    ob = only(_eval(evs, as_of=oslo(2026, 1, 11), engine=engine), DUTY)
    assert ob.status.value == "breached"
    assert ob.fulfilled_by == []


def test_notice_before_the_date_was_known_does_not_count(engine):
    """A notice sent before the expected release date was set does not fulfil the duty."""
    evs = [release_notice(oslo(2025, 11, 1, 10)), release_date_set(KNOWN, "2026-03-31")]
    ob = only(_eval(evs, as_of=oslo(2026, 2, 2), engine=engine), DUTY)
    assert ob.status.value == "breached"
