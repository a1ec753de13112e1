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

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, rrule

__all__ = [
    "birthday_instant",
    "calendar_months_before",
    "end_of_local_day",
    "local_days",
    "local_instant",
    "start_of_local_day",
    "zone",
]


@lru_cache(maxsize=8)
def zone(name: str) -> tzinfo:
    """The time zone called ``name`` (cached; zone objects are immutable)."""
    return ZoneInfo(name)


def local_instant(day: date, clock: time, tz: tzinfo) -> datetime:
    """The instant at which the local clock in ``tz`` shows ``clock`` on ``day``.

    A clock time skipped by a spring-forward change resolves to the instant
    just after the gap; a repeated one (autumn) to its first occurrence. Both
    follow PEP 495 (``fold=0``), as ``zoneinfo`` does.
    """
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=tz, fold=0)
    # Normalise skipped times: a round trip through UTC lands after the gap.
    return aware.astimezone(timezone.utc).astimezone(tz)


def start_of_local_day(day: date, tz: tzinfo) -> datetime:
    """Local midnight at the start of ``day``."""
    return local_instant(day, time(0, 0), tz)


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
