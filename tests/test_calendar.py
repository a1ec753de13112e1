"""Calendar facts: Norwegian public holidays, working days, ages, calendar months, local time across DST."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, timezone

import pytest
from dateutil.easter import easter
from hypothesis import example, given, settings
from hypothesis import strategies as st

from samarbeid_rules._common.calendar import (
    add_working_days,
    age_on,
    birthday_in_year,
    birthday_instant,
    calendar_months_before,
    end_of_local_day,
    is_working_day,
    local_days,
    local_instant,
    norwegian_public_holidays,
    start_of_local_day,
    to_local,
    zone,
)

OSLO = zone("Europe/Oslo")
PROPS = settings(max_examples=60, deadline=None)
YEARS = st.integers(min_value=1900, max_value=2100)
DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


# --- public holidays ----------------------------------------------------------

EXPECTED = {
    2024: {
        date(2024, 1, 1), date(2024, 3, 28), date(2024, 3, 29), date(2024, 3, 31), date(2024, 4, 1),
        date(2024, 5, 1), date(2024, 5, 9), date(2024, 5, 17), date(2024, 5, 19), date(2024, 5, 20),
        date(2024, 12, 25), date(2024, 12, 26),
    },
    2025: {
        date(2025, 1, 1), date(2025, 4, 17), date(2025, 4, 18), date(2025, 4, 20), date(2025, 4, 21),
        date(2025, 5, 1), date(2025, 5, 17), date(2025, 5, 29), date(2025, 6, 8), date(2025, 6, 9),
        date(2025, 12, 25), date(2025, 12, 26),
    },
    2026: {
        date(2026, 1, 1), date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 5), date(2026, 4, 6),
        date(2026, 5, 1), date(2026, 5, 14), date(2026, 5, 17), date(2026, 5, 24), date(2026, 5, 25),
        date(2026, 12, 25), date(2026, 12, 26),
    },
}


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_public_holidays_of_known_years(year):
    """The holidays of 2024 (Easter 31 March), 2025 (20 April) and 2026 (5 April) are exactly the listed dates."""
    assert norwegian_public_holidays(year) == frozenset(EXPECTED[year])


@pytest.mark.parametrize("year,easter_day", [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)),
                                              (2026, date(2026, 4, 5))])
def test_easter_sunday_of_known_years(year, easter_day):
    """Easter Sunday, from which the movable holidays are counted, falls on the known date."""
    assert easter(year) == easter_day
    assert easter_day in norwegian_public_holidays(year)


@pytest.mark.parametrize("day", [date(2025, 4, 17), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 1),
                                 date(2025, 5, 29), date(2025, 6, 9), date(2025, 12, 25), date(2025, 12, 26)])
def test_weekday_holidays_are_not_working_days(day):
    """A holiday on a weekday (Maundy Thursday, Ascension, Boxing Day …) is not a working day."""
    assert day.weekday() < 5
    assert not is_working_day(day)


def test_ordinary_weekdays_and_weekends():
    """An ordinary Monday to Friday is a working day; Saturday and Sunday never are."""
    assert all(is_working_day(date(2025, 3, d)) for d in (3, 4, 5, 6, 7))
    assert not is_working_day(date(2025, 3, 8)) and not is_working_day(date(2025, 3, 9))


@PROPS
@given(YEARS)
def test_movable_holidays_follow_easter(year):
    """Maundy Thursday, Good Friday, Easter Monday, Ascension and Whit Monday are Easter −3/−2/+1/+39/+50."""
    e = easter(year)
    holidays = norwegian_public_holidays(year)
    offsets = {-3: 3, -2: 4, 1: 0, 39: 3, 50: 0}  # and the weekday each must fall on
    for offset, weekday in offsets.items():
        d = e + timedelta(days=offset)
        assert d in holidays
        assert d.weekday() == weekday
        assert not is_working_day(d)
    fixed = {date(year, 1, 1), date(year, 5, 1), date(year, 5, 17), date(year, 12, 25), date(year, 12, 26)}
    assert fixed <= holidays
    movable = {e + timedelta(days=o) for o in offsets} | {e, e + timedelta(days=49)}
    assert holidays == frozenset(fixed | movable)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 4, 16), True),  # Wednesday before Easter
        (date(2025, 4, 17), False),  # skjærtorsdag
        (date(2025, 4, 18), False),  # langfredag
        (date(2025, 4, 21), False),  # andre påskedag
        (date(2025, 4, 22), True),  # Tuesday after Easter
        (date(2025, 5, 1), False),  # Thursday, 1 May
        (date(2026, 5, 14), False),  # Kristi himmelfartsdag (Thursday)
        (date(2026, 5, 15), True),  # the Friday after it
        (date(2026, 5, 17), False),  # Sunday and Constitution Day
        (date(2026, 5, 25), False),  # andre pinsedag
        (date(2026, 12, 24), True),  # Christmas Eve is not a public holiday
        (date(2026, 12, 26), False),  # Saturday, Boxing Day
        (date(2026, 12, 28), True),  # Monday
    ],
)
def test_is_working_day_on_known_dates(day, working):
    """Working days skip weekends and the Norwegian public holidays, checked against the calendar."""
    assert is_working_day(day) is working


# --- working days ---------------------------------------------------------------


def test_ten_working_days_over_easter_2025():
    """Ten working days after Friday 11 April 2025 skip Easter (17, 18, 21 April) and end on 30 April."""
    assert add_working_days(date(2025, 4, 11), 10) == date(2025, 4, 30)
    assert add_working_days(date(2025, 4, 11), 9) == date(2025, 4, 29)


def test_working_days_over_christmas():
    """One working day after 24 December 2025 (Wednesday) is Monday 29 December."""
    assert add_working_days(date(2025, 12, 24), 1) == date(2025, 12, 29)


def test_zero_working_days_is_the_day_itself():
    """Adding no working days returns the starting day, working or not."""
    assert add_working_days(date(2025, 4, 18), 0) == date(2025, 4, 18)


@PROPS
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)), st.integers(min_value=1, max_value=40))
def test_add_working_days_counts_exactly_n(day, n):
    """The n-th working day after a day is a working day, with exactly n working days in (day, result]."""
    result = add_working_days(day, n)
    assert result > day
    assert is_working_day(result)
    assert result.weekday() < 5
    assert result not in norwegian_public_holidays(result.year)
    between = [d for d in local_days(day + timedelta(days=1), result) if is_working_day(d)]
    assert len(between) == n


# --- ages and birthdays -----------------------------------------------------------

BIRTHS = st.dates(min_value=date(1950, 1, 1), max_value=date(2020, 12, 31))


@PROPS
@given(BIRTHS, st.integers(min_value=1, max_value=70), st.sampled_from(["mar1", "feb28"]))
def test_age_changes_exactly_on_the_birthday(birth, age, setting):
    """The age is one less on the day before the birthday and reaches the new value on the birthday itself."""
    bday = birthday_in_year(birth, birth.year + age, setting)
    assert age_on(birth, bday, setting) == age
    assert age_on(birth, bday - timedelta(days=1), setting) == age - 1
    assert age_on(birth, bday + timedelta(days=1), setting) == age


@pytest.mark.parametrize("setting,birthday", [("mar1", date(2025, 3, 1)), ("feb28", date(2025, 2, 28))])
def test_leap_day_birthday_setting(setting, birthday):
    """Born 29 February 2008, the birthday in common-year 2025 is 1 March (mar1) or 28 February (feb28)."""
    birth = date(2008, 2, 29)
    assert birthday_in_year(birth, 2025, setting) == birthday
    assert age_on(birth, birthday, setting) == 17
    assert age_on(birth, birthday - timedelta(days=1), setting) == 16


@pytest.mark.parametrize("setting", ["mar1", "feb28"])
def test_leap_day_birthday_in_a_leap_year(setting):
    """In a leap year the birthday of a person born 29 February is 29 February, whatever the setting."""
    birth = date(2008, 2, 29)
    assert birthday_in_year(birth, 2024, setting) == date(2024, 2, 29)
    assert age_on(birth, date(2026, 2, 28), setting) == (18 if setting == "feb28" else 17)
    assert age_on(birth, date(2026, 3, 1), setting) == 18


def test_unknown_leap_day_setting_is_an_error():
    """An unknown leap_day_birthday value is refused, never silently read."""
    with pytest.raises(ValueError, match="leap_day_birthday"):
        birthday_in_year(date(2008, 2, 29), 2025, "mar28")


def test_birthday_instant_is_local_midnight():
    """The instant someone turns 18 is local midnight (Europe/Oslo) starting the birthday."""
    t = birthday_instant(date(2008, 7, 10), 18, OSLO, "mar1")
    assert t == datetime(2026, 7, 9, 22, 0, tzinfo=timezone.utc)


# --- calendar months ---------------------------------------------------------------


@pytest.mark.parametrize("day,months,expected", [
    (date(2025, 3, 31), 2, date(2025, 1, 31)),
    (date(2025, 4, 30), 2, date(2025, 2, 28)),
    (date(2024, 4, 30), 2, date(2024, 2, 29)),
    (date(2025, 5, 31), 3, date(2025, 2, 28)),
    (date(2025, 1, 15), 2, date(2024, 11, 15)),
])
def test_calendar_months_before_at_month_ends(day, months, expected):
    """Whole calendar months back, clamped to the end of a shorter month (31 March − 2 = 31 January)."""
    assert calendar_months_before(day, months) == expected


@PROPS
@given(st.dates(min_value=date(1910, 1, 1), max_value=date(2100, 12, 31)), st.integers(min_value=0, max_value=120))
def test_calendar_months_before_properties(day, months):
    """The result's day is at most the original day, clamped only at a month end, and the month difference is exact."""
    result = calendar_months_before(day, months)
    assert (day.year * 12 + day.month) - (result.year * 12 + result.month) == months
    assert result.day <= day.day
    if result.day < day.day:
        assert result.day == calendar.monthrange(result.year, result.month)[1]


# --- local time across daylight-saving changes ---------------------------------------


def test_spring_forward_day_has_23_hours():
    """29 March 2026 (clocks go from 02:00 to 03:00) lasts 23 hours in Europe/Oslo."""
    day = date(2026, 3, 29)
    assert start_of_local_day(day + timedelta(days=1), OSLO) - start_of_local_day(day, OSLO) == timedelta(hours=23)


def test_fall_back_day_has_25_hours():
    """25 October 2026 (clocks go from 03:00 back to 02:00) lasts 25 hours in Europe/Oslo."""
    day = date(2026, 10, 25)
    assert start_of_local_day(day + timedelta(days=1), OSLO) - start_of_local_day(day, OSLO) == timedelta(hours=25)


def test_ordinary_day_has_24_hours():
    """A day without a change lasts 24 hours, and its end is a microsecond before the next midnight."""
    day = date(2026, 6, 1)
    assert start_of_local_day(day + timedelta(days=1), OSLO) - start_of_local_day(day, OSLO) == timedelta(hours=24)
    assert end_of_local_day(day, OSLO) == start_of_local_day(day + timedelta(days=1), OSLO) - timedelta(microseconds=1)


def test_local_instant_is_utc_and_offsets_change_across_dst():
    """Local 09:00 is 08:00 UTC in winter and 07:00 UTC in summer; the results carry UTC."""
    winter = local_instant(date(2026, 3, 28), time(9), OSLO)
    summer = local_instant(date(2026, 3, 30), time(9), OSLO)
    assert winter == datetime(2026, 3, 28, 8, tzinfo=timezone.utc)
    assert summer == datetime(2026, 3, 30, 7, tzinfo=timezone.utc)
    assert winter.utcoffset() == timedelta(0)
    assert summer - winter == timedelta(hours=47)


def test_skipped_clock_time_resolves_after_the_gap():
    """02:30 on 29 March 2026 does not exist locally; it resolves to the instant just after the gap (01:30 UTC)."""
    t = local_instant(date(2026, 3, 29), time(2, 30), OSLO)
    assert t == datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)
    assert to_local(t, OSLO).hour == 3


def test_repeated_clock_time_resolves_to_first_occurrence():
    """02:30 on 25 October 2026 happens twice; the first (summer time, 00:30 UTC) is taken."""
    t = local_instant(date(2026, 10, 25), time(2, 30), OSLO)
    assert t == datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)


def test_to_local_gives_fixed_offsets_that_subtract_correctly():
    """to_local returns fixed offsets (+01:00/+02:00), so differences across a change are elapsed time."""
    a = to_local(datetime(2026, 10, 24, 22, 0, tzinfo=timezone.utc), OSLO)  # 00:00 local, +02:00
    b = to_local(datetime(2026, 10, 25, 23, 0, tzinfo=timezone.utc), OSLO)  # 00:00 next day, +01:00
    assert a.utcoffset() == timedelta(hours=2) and b.utcoffset() == timedelta(hours=1)
    assert (a.hour, b.hour) == (0, 0)
    assert b - a == timedelta(hours=25)


@PROPS
@given(st.datetimes(min_value=datetime(1980, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(timezone.utc)))
def test_to_local_keeps_the_instant(t):
    """to_local changes the presentation, never the instant, and the offset is Oslo's (+1 or +2)."""
    local = to_local(t, OSLO)
    assert local == t
    assert local.utcoffset() in (timedelta(hours=1), timedelta(hours=2))


@PROPS
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(timezone.utc)),
       st.sampled_from(["Europe/Oslo", "America/St_Johns", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]))
@example(datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc), "Europe/Oslo")  # 02:30, the first time
@example(datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc), "Europe/Oslo")  # 02:30, the second time
def test_to_local_reads_the_local_clock_with_its_offset(t, name):
    """to_local is the local clock of the zone (wall time and offset of t.astimezone), in a fixed
    zone of that offset, with fold 0 for an instant of fold 0 (a fixed offset ignores fold): also in
    the hour repeated in autumn, and in zones with half-hour offsets and half-hour changes."""
    tz = zone(name)
    local, wall = to_local(t, tz), t.astimezone(tz)
    assert local.replace(tzinfo=None) == wall.replace(tzinfo=None, fold=0)
    assert local.utcoffset() == wall.utcoffset()
    assert type(local.tzinfo) is timezone and (local.fold == 0 or t.fold == 1)
    assert local == t and hash(local) == hash(t)
    assert local.isoformat() == wall.replace(tzinfo=timezone(wall.utcoffset())).isoformat()


@PROPS
@given(st.dates(min_value=date(1980, 1, 1), max_value=date(2090, 12, 31)))
@example(date(1995, 9, 24))  # summer time ended in September until 1995
@example(date(1980, 4, 6))
def test_local_days_are_23_24_or_25_hours(day):
    """Every local day lasts 23, 24 or 25 hours; 23/25 only on the Sundays Norway changes its clocks.

    Since 1996 those are the last Sundays of March and October; from 1981 to
    1995 summer time ended on the last Sunday of September; in 1980 it ran
    from 6 April to 28 September.
    """
    length = start_of_local_day(day + timedelta(days=1), OSLO) - start_of_local_day(day, OSLO)
    assert length in (timedelta(hours=23), timedelta(hours=24), timedelta(hours=25))
    if length != timedelta(hours=24):
        assert day.weekday() == 6
        if day.year == 1980:
            assert day in (date(1980, 4, 6), date(1980, 9, 28))
        else:
            autumn = 10 if day.year >= 1996 else 9
            last_sunday = (day + timedelta(days=7)).month != day.month
            assert day.month in (3, autumn) and last_sunday


@pytest.mark.parametrize("setting,duty_end", [("mar1", "2026-03-01T00:00:00+01:00"),
                                              ("feb28", "2026-02-28T00:00:00+01:00")])
def test_leap_day_setting_moves_the_end_of_a_minor_duty(setting, duty_end):
    """For a person born 29 February 2008, exclusion.minor_continuous ends at the 18th birthday the setting names."""
    from samarbeid_rules import evaluate

    tl = {
        "case_id": "leap", "person": {"id": "p", "birth_date": "2008-02-29"},
        "events": [
            {"id": "x1", "type": "exclusion_started", "at": "2026-02-27T12:00:00+01:00", "measure_id": "m1",
             "basis": "strgjfl_37", "scope": "full"},
            {"id": "x2", "type": "exclusion_ended", "at": "2026-03-02T12:00:00+01:00", "measure_id": "m1"},
        ],
    }
    report = evaluate(tl, profile={"settings": {"leap_day_birthday": setting}})
    (ob,) = [o for o in report.obligations if o.duty_id == "exclusion.minor_continuous"]
    assert ob.window.closes == datetime.fromisoformat(duty_end)
    (gap,) = ob.gaps
    assert gap.end == datetime.fromisoformat(duty_end)
    assert ob.status.value == "breached"


@settings(max_examples=300, deadline=None)
@given(st.dates(date(1990, 1, 1), date(2100, 12, 31)), st.times(), st.sampled_from(["Europe/Oslo", "UTC", "America/New_York"]))
def test_the_kept_answers_are_the_computed_ones(day, clock, name):
    """local_instant, start_of_local_day and end_of_local_day keep their answers (functools.lru_cache):
    an answer asked for again, in any zone, is the one computed afresh, and two zones never share one."""
    tz = zone(name)
    for _ in range(2):
        assert local_instant(day, clock, tz) == local_instant.__wrapped__(day, clock, tz)
        assert start_of_local_day(day, tz) == start_of_local_day.__wrapped__(day, tz)
        assert end_of_local_day(day, tz) == end_of_local_day.__wrapped__(day, tz)
    other = zone("Asia/Tokyo")
    assert local_instant(day, clock, other) == local_instant.__wrapped__(day, clock, other) != local_instant(day, clock, tz)
