"""Calendar facts that are not vague and must be right.

- Local time is Europe/Oslo (``zoneinfo``), across daylight-saving changes:
  a local clock time on a day is resolved to an instant with the zone's rules,
  and lengths are always measured between instants, never on the wall clock.
- "Two months before" is calendar months (``dateutil.relativedelta``):
  31 March − 2 months = 31 January; 30 April − 2 months = 28/29 February.
- Age changes on the birthday; for a person born 29 February the birthday in a
  common year is a named setting (``leap_day_birthday``: ``"mar1"`` or
  ``"feb28"``), never a silent choice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, rrule

__all__ = [
    "add_working_days",
    "to_local",
    "utc",
    "age_on",
    "birthday_instant",
    "is_working_day",
    "norwegian_public_holidays",
    "calendar_months_before",
    "end_of_local_day",
    "local_days",
    "local_instant",
    "start_of_local_day",
    "zone",
]


#: how many answers each of the day-and-clock functions below keeps (local_instant,
#: start_of_local_day, end_of_local_day): pure functions of a day, a clock time and a zone,
#: asked again for the same days by every rule of an evaluation and by every timeline of a
#: batch. 16 384 is some 10 years of days at four clock times; an answer is about 200 bytes.
#: (functools.lru_cache is thread-safe, and its answers, datetimes, are immutable.)
_DAYS_KEPT = 16_384


@lru_cache(maxsize=8)
def zone(name: str) -> tzinfo:
    """The time zone called ``name`` (cached; zone objects are immutable)."""
    return ZoneInfo(name)


@lru_cache(maxsize=_DAYS_KEPT)
def local_instant(day: date, clock: time, tz: tzinfo) -> datetime:
    """The instant (in UTC) at which the local clock in ``tz`` shows ``clock`` on ``day``.

    A clock time skipped by a spring-forward change resolves to the instant
    just after the gap; a repeated one (autumn) to its first occurrence. Both
    follow PEP 495 (``fold=0``), as ``zoneinfo`` does.
    """
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=tz, fold=0)
    # Returned in UTC: arithmetic between two datetimes sharing one ZoneInfo
    # is wall-clock arithmetic in Python, which is wrong across a change.
    return aware.astimezone(timezone.utc)


def utc(t: datetime) -> datetime:
    """``t`` in UTC. Instants are compared and subtracted in UTC: two datetimes
    sharing one ZoneInfo compare and subtract by wall clock, which is wrong
    across a daylight-saving change."""
    return t.astimezone(timezone.utc)


def to_local(t: datetime, tz: tzinfo) -> datetime:
    """``t`` as local time in ``tz``, with a fixed UTC offset.

    Reports give instants this way: they read as local time, and arithmetic on
    them is right across daylight-saving changes (two datetimes sharing a
    ZoneInfo would subtract by their wall clocks).
    """
    # The instant taken to the fixed zone of its local offset: half the time of replacing the
    # zone of ``t.astimezone(tz)`` (datetime.replace parses keywords slowly), and always
    # ``fold=0``, which a fixed offset ignores (equality, hash and isoformat are the same).
    return t.astimezone(_fixed_zone(t.astimezone(tz).utcoffset()))


@lru_cache(maxsize=64)
def _fixed_zone(offset: timedelta) -> timezone:
    return timezone(offset)


@lru_cache(maxsize=_DAYS_KEPT)
def start_of_local_day(day: date, tz: tzinfo) -> datetime:
    """Local midnight at the start of ``day``."""
    return local_instant(day, time(0, 0), tz)


@lru_cache(maxsize=_DAYS_KEPT)
def end_of_local_day(day: date, tz: tzinfo) -> datetime:
    """The last microsecond of ``day`` in local time (deadlines "by the end of the day")."""
    return start_of_local_day(day + timedelta(days=1), tz) - timedelta(microseconds=1)


def calendar_months_before(day: date, months: int) -> date:
    """``day`` minus whole calendar months, clamped to the month's last day."""
    return day - relativedelta(months=months)


def local_days(first: date, last: date) -> Iterator[date]:
    """Every calendar day from ``first`` to ``last`` inclusive."""
    if last < first:
        return iter(())
    return (d.date() for d in rrule(DAILY, dtstart=datetime.combine(first, time()), until=datetime.combine(last, time())))


def birthday_in_year(birth: date, year: int, leap_day_birthday: str) -> date:
    """The birthday in ``year``; 29 February in a common year follows the setting."""
    if birth.month == 2 and birth.day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:
            if leap_day_birthday == "feb28":
                return date(year, 2, 28)
            if leap_day_birthday == "mar1":
                return date(year, 3, 1)
            raise ValueError(f"unknown leap_day_birthday setting {leap_day_birthday!r}") from None
    return birth.replace(year=year)


def birthday_instant(birth: date, age: int, tz: tzinfo, leap_day_birthday: str) -> datetime:
    """The instant the person turns ``age``: local midnight starting that birthday."""
    return start_of_local_day(birthday_in_year(birth, birth.year + age, leap_day_birthday), tz)


def age_on(birth: date, day: date, leap_day_birthday: str) -> int:
    """Completed years on ``day`` (the age changes at the start of the birthday)."""
    years = day.year - birth.year
    if day < birthday_in_year(birth, day.year, leap_day_birthday):
        years -= 1
    return years


@lru_cache(maxsize=256)
def norwegian_public_holidays(year: int) -> frozenset[date]:
    """Public holidays in Norway (*helligdager* and 1 and 17 May) in ``year``.

    New Year's Day, Maundy Thursday, Good Friday, Easter Sunday and Monday,
    1 May, 17 May, Ascension Day, Whit Sunday and Monday, Christmas Day and
    Boxing Day. The movable ones follow Western Easter (``dateutil.easter``).
    Sundays among them are weekend days anyway.
    """
    e = easter(year)
    return frozenset(
        {
            date(year, 1, 1),
            e - timedelta(days=3),  # skjærtorsdag
            e - timedelta(days=2),  # langfredag
            e,  # første påskedag
            e + timedelta(days=1),  # andre påskedag
            date(year, 5, 1),
            date(year, 5, 17),
            e + timedelta(days=39),  # Kristi himmelfartsdag
            e + timedelta(days=49),  # første pinsedag
            e + timedelta(days=50),  # andre pinsedag
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Norwegian public holiday."""
    return day.weekday() < 5 and day not in norwegian_public_holidays(day.year)


def add_working_days(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (``day`` itself is not counted)."""
    current = day
    remaining = n
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
