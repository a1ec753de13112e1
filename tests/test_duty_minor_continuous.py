"""exclusion.minor_continuous: an excluded inmate under 18 is under continuous supervision until 18."""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import cover, exclusion, obligations, oslo, only, timeline

from samarbeid_rules import evaluate

DUTY = "exclusion.minor_continuous"
MINOR = "2010-05-01"
START, END = oslo(2026, 1, 14, 10), oslo(2026, 1, 14, 14)
SEC = timedelta(seconds=1)


def _eval(events, *, birth=MINOR, as_of=END, engine="native", profile=None):
    return evaluate(timeline(events, birth_date=birth), as_of=as_of, engine=engine, profile=profile)


def test_full_cover_is_fulfilled(engine):
    """Continuous supervision over the whole exclusion of a 15-year-old fulfils the duty."""
    ob = only(_eval([*exclusion(START, END), *cover(START, END)], engine=engine), DUTY)
    assert ob.status.value == "fulfilled"
    assert ob.gaps == []
    assert ob.fulfilled_by == ["cs-start-c1"]


def test_cover_ending_one_second_early_is_breached(engine):
    """Supervision ending one second before the exclusion ends leaves a breached one-second gap."""
    ob = only(_eval([*exclusion(START, END), *cover(START, END - SEC)], engine=engine), DUTY)
    assert ob.status.value == "breached"
    [gap] = ob.gaps
    assert (gap.kind, gap.start, gap.end, gap.length) == ("uncovered", END - SEC, END, SEC)
    assert gap.status.value == "breached"


def test_cover_starting_one_second_late_is_breached(engine):
    """Supervision starting one second after the exclusion leaves a breached gap at the start."""
    ob = only(_eval([*exclusion(START, END), *cover(START + SEC, END)], engine=engine), DUTY)
    [gap] = ob.gaps
    assert (gap.start, gap.end) == (START, START + SEC)
    assert ob.status.value == "breached"


def test_no_cover_is_one_breached_gap(engine):
    """Without any continuous supervision the whole exclusion is one uncovered gap."""
    ob = only(_eval([*exclusion(START, END)], engine=engine), DUTY)
    [gap] = ob.gaps
    assert (gap.start, gap.end, gap.length) == (START, END, timedelta(hours=4))
    assert ob.status.value == "breached"


def test_chained_and_overlapping_intervals_cover(engine):
    """Intervals that touch or overlap cover the exclusion without a gap."""
    evs = [*exclusion(START, END), *cover(START - timedelta(hours=1), oslo(2026, 1, 14, 11), measure_id="c1"),
           *cover(oslo(2026, 1, 14, 11), oslo(2026, 1, 14, 12, 30), measure_id="c2"),
           *cover(oslo(2026, 1, 14, 12), END + timedelta(hours=1), measure_id="c3")]
    ob = only(_eval(evs, engine=engine), DUTY)
    assert ob.status.value == "fulfilled"
    assert ob.fulfilled_by == ["cs-start-c1", "cs-start-c2", "cs-start-c3"]


def test_hole_between_intervals_is_found(engine):
    """A five-minute handover hole between two intervals is a breached gap with its exact bounds."""
    evs = [*exclusion(START, END), *cover(START, oslo(2026, 1, 14, 11), measure_id="c1"),
           *cover(oslo(2026, 1, 14, 11, 5), END, measure_id="c2")]
    ob = only(_eval(evs, engine=engine), DUTY)
    [gap] = ob.gaps
    assert (gap.start, gap.end, gap.length) == (oslo(2026, 1, 14, 11), oslo(2026, 1, 14, 11, 5),
                                                timedelta(minutes=5))
    assert ob.status.value == "breached"


def test_adult_has_no_obligation(engine):
    """An adult's exclusion opens no minor_continuous obligation."""
    report = _eval([*exclusion(START, END)], birth="1990-01-01", engine=engine)
    assert obligations(report, DUTY) == []


def test_exclusion_starting_on_the_18th_birthday_has_no_obligation(engine):
    """An exclusion that starts on the 18th birthday (local date) opens no obligation."""
    report = _eval([*exclusion(START, END)], birth="2008-01-14", engine=engine)
    assert obligations(report, DUTY) == []


def test_exclusion_starting_the_day_before_the_18th_birthday_has_an_obligation(engine):
    """An exclusion that starts the day before the 18th birthday opens an obligation."""
    report = _eval([*exclusion(START, END)], birth="2008-01-15", engine=engine)
    assert only(report, DUTY).status.value == "breached"


def test_18th_birthday_inside_the_exclusion_ends_the_duty(engine):
    """Cover until local midnight starting the 18th birthday fulfils the duty, though the exclusion goes on."""
    start, end = oslo(2026, 1, 14, 10), oslo(2026, 1, 16, 10)
    birthday = oslo(2026, 1, 15, 0, 0)
    ob = only(_eval([*exclusion(start, end), *cover(start, birthday)], birth="2008-01-15", as_of=end,
                    engine=engine), DUTY)
    assert ob.status.value == "fulfilled"
    assert ob.window.closes == birthday


def test_cover_ending_before_the_18th_birthday_is_breached(engine):
    """Cover that ends one second before the 18th birthday leaves a one-second breached gap."""
    start, end = oslo(2026, 1, 14, 10), oslo(2026, 1, 16, 10)
    birthday = oslo(2026, 1, 15, 0, 0)
    ob = only(_eval([*exclusion(start, end), *cover(start, birthday - SEC)], birth="2008-01-15", as_of=end,
                    engine=engine), DUTY)
    [gap] = ob.gaps
    assert (gap.start, gap.end) == (birthday - SEC, birthday)
    assert ob.status.value == "breached"


def test_open_exclusion_with_open_cover_is_due(engine):
    """An exclusion and its supervision both still in effect at as_of: due, no gap."""
    ob = only(_eval([*exclusion(START), *cover(START)], as_of=END, engine=engine), DUTY)
    assert ob.status.value == "due"
    assert ob.gaps == []


def test_open_exclusion_with_ended_cover_has_ongoing_gap(engine):
    """Supervision that stopped while the exclusion is still in effect is an ongoing breached gap."""
    ob = only(_eval([*exclusion(START), *cover(START, oslo(2026, 1, 14, 12))], as_of=END, engine=engine), DUTY)
    [gap] = ob.gaps
    assert gap.ongoing is True
    assert (gap.start, gap.end) == (oslo(2026, 1, 14, 12), END)
    assert ob.status.value == "breached"


def test_cover_end_after_as_of_has_not_happened(engine):
    """A cover end recorded after as_of does not end the cover at as_of."""
    evs = [*exclusion(START), *cover(START, oslo(2026, 1, 14, 16))]
    ob = only(_eval(evs, as_of=END, engine=engine), DUTY)
    assert ob.status.value == "due"
    assert ob.gaps == []


# --- born 29 February ----------------------------------------------------------

LEAP_BIRTH = "2008-02-29"  # 18 in 2026, a common year
FEB28 = {"settings": {"leap_day_birthday": "feb28"}}


@pytest.mark.parametrize(
    ("profile", "birthday"),
    [(None, oslo(2026, 3, 1)), (FEB28, oslo(2026, 2, 28))],
    ids=["mar1-default", "feb28"],
)
def test_leap_day_birthday_setting_decides_when_the_duty_ends(engine, profile, birthday):
    """Born 29 February: the duty ends at 1 March by default, at 28 February with leap_day_birthday=feb28."""
    start, end = oslo(2026, 2, 27, 10), oslo(2026, 3, 2, 10)
    ob = only(_eval([*exclusion(start, end), *cover(start, birthday)], birth=LEAP_BIRTH, as_of=end,
                    engine=engine, profile=profile), DUTY)
    assert ob.status.value == "fulfilled"
    assert ob.window.closes == birthday


def test_leap_day_cover_to_feb28_is_short_by_default(engine):
    """Born 29 February, with the default setting cover until 28 February leaves that whole day uncovered."""
    start, end = oslo(2026, 2, 27, 10), oslo(2026, 3, 2, 10)
    ob = only(_eval([*exclusion(start, end), *cover(start, oslo(2026, 2, 28))], birth=LEAP_BIRTH, as_of=end,
                    engine=engine), DUTY)
    [gap] = ob.gaps
    assert (gap.start, gap.end) == (oslo(2026, 2, 28), oslo(2026, 3, 1))
    assert ob.status.value == "breached"


@pytest.mark.parametrize(("profile", "has_duty"), [(None, True), (FEB28, False)], ids=["mar1-default", "feb28"])
def test_leap_day_birthday_setting_decides_the_age_at_the_trigger(engine, profile, has_duty):
    """An exclusion on 28 February 2026 of a person born 29 February 2008 is of a minor only under the mar1 setting."""
    start, end = oslo(2026, 2, 28, 10), oslo(2026, 2, 28, 12)
    report = _eval([*exclusion(start, end)], birth=LEAP_BIRTH, as_of=end, engine=engine, profile=profile)
    assert len(obligations(report, DUTY)) == (1 if has_duty else 0)


@pytest.mark.parametrize(
    ("at", "has_duty"),
    [("2026-01-14T23:30:00+00:00", False), ("2026-01-14T22:30:00+00:00", True)],
    ids=["00:30-local-on-birthday", "23:30-local-day-before"],
)
def test_age_at_the_trigger_uses_the_local_date(engine, at, has_duty):
    """An exclusion given in UTC is judged by its Oslo date: 00:30 local on the 18th birthday is of an adult."""
    tl = timeline([{"id": "xs", "type": "exclusion_started", "at": at, "measure_id": "m1", "basis": "strgjfl_37",
                    "scope": "full"}], birth_date="2008-01-15")
    report = evaluate(tl, as_of="2026-01-15T06:00:00+00:00", engine=engine)
    obs = obligations(report, DUTY)
    assert len(obs) == (1 if has_duty else 0)
    if has_duty:
        assert obs[0].window.closes == oslo(2026, 1, 15, 0, 0)
