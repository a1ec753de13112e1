"""Derive facts from a validated timeline: the second stage of the pipeline.

Sorts the events once (by instant, then input position), splits off events
after ``as_of``, pairs measures, and derives per-event facts the rules may
test (age on the event's local date, the custody kind in force). The result
is immutable and is the only input the engines and the timing stage read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from datetime import date, datetime, timezone
from enum import Enum
from types import MappingProxyType
from typing import Any, Mapping

from ._calendar import age_on, birthday_instant, zone
from ._profile import Profile
from ._timeline import Admitted, MeasurePair, Timeline, pair_measures

__all__ = ["EventFact", "Facts", "derive_facts"]


@dataclass(frozen=True, slots=True)
class EventFact:
    """One event with its derived facts."""

    index: int  #: position in the input ``events`` list
    event: Any  #: the validated event model
    at: datetime  #: the instant, in UTC
    record: Mapping[str, Any]  #: flat, JSON-able view the engines match on
    id: str
    type: str


@dataclass(frozen=True)
class Facts:
    """Everything the later stages need, derived once."""

    timeline: Timeline
    as_of: datetime
    profile: Profile
    ordered: tuple[EventFact, ...]  #: events at or before as_of, in time order
    after_as_of: tuple[EventFact, ...]  #: events after as_of, in time order
    measures: Mapping[str, MeasurePair]
    by_id: Mapping[str, EventFact]

    @property
    def tz(self):
        return zone(self.profile.settings.timezone)

    @property
    def birth_date(self) -> date:
        return self.timeline.person.birth_date


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


@cache
def _fields_of(cls: type) -> tuple[str, ...]:
    """The fields of an event class that go into its record (all but id, type, at)."""
    return tuple(n for n in cls.model_fields if n not in ("id", "type", "at"))


def derive_facts(timeline: Timeline, as_of: datetime, profile: Profile) -> Facts:
    """Derive the facts of ``timeline`` as they stand at ``as_of``."""
    tz = zone(profile.settings.timezone)
    leap = profile.settings.leap_day_birthday
    birth = timeline.person.birth_date
    events = timeline.events
    # Every instant is taken to UTC once, here: Python compares and subtracts
    # two datetimes that share a ZoneInfo by their wall clocks, which is
    # wrong across a daylight-saving change.
    as_of = as_of.astimezone(timezone.utc)
    instants = [ev.at.astimezone(timezone.utc) for ev in events]
    order = sorted(range(len(events)), key=lambda i: (instants[i], i))
    custody: str | None = None
    before: list[EventFact] = []
    after: list[EventFact] = []
    # Age changes at local midnight on each birthday; events come in time
    # order, so the next birthday is the only one to watch.
    age = next_birthday = None
    if order:
        age = age_on(birth, instants[order[0]].astimezone(tz).date(), leap)
        next_birthday = birthday_instant(birth, age + 1, tz, leap)
    for i in order:
        ev = events[i]
        at = instants[i]
        while at >= next_birthday:
            age += 1
            next_birthday = birthday_instant(birth, age + 1, tz, leap)
        if type(ev) is Admitted:
            custody = ev.custody_kind.value
        values = ev.__dict__
        record: dict[str, Any] = {"id": ev.id, "type": ev.type}
        for name in _fields_of(type(ev)):
            value = values[name]
            if value is not None:
                record[name] = _jsonable(value)
        record["age"] = age
        if custody is not None:
            record["custody_kind"] = custody
        fact = EventFact(i, ev, at, MappingProxyType(record), ev.id, ev.type)
        (before if at <= as_of else after).append(fact)
    # Measures are paired over the events known at as_of: an end recorded
    # after as_of has not happened yet.
    # (References were checked on the whole timeline when it was validated.)
    measures = pair_measures((f.event for f in before), check_refs=False)
    by_id = {f.id: f for f in before}
    return Facts(
        timeline=timeline,
        as_of=as_of,
        profile=profile,
        ordered=tuple(before),
        after_as_of=tuple(after),
        measures=MappingProxyType(measures),
        by_id=MappingProxyType(by_id),
    )
