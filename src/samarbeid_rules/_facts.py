"""Derive facts from a validated timeline: the second stage of the pipeline.

Sorts the events once (by instant, then input position), splits off events
after ``as_of``, pairs measures, and derives per-event facts the rules may
test (age on the event's local date, the custody kind in force). The result
is immutable and is the only input the engines and the timing stage read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import Enum
from types import MappingProxyType
from typing import Any, Mapping

from ._calendar import age_on, zone
from ._profile import Profile
from ._timeline import Admitted, MeasurePair, Timeline, pair_measures

__all__ = ["EventFact", "Facts", "derive_facts"]


@dataclass(frozen=True, slots=True)
class EventFact:
    """One event with its derived facts."""

    index: int  #: position in the input ``events`` list
    event: Any  #: the validated event model
    at: datetime
    record: Mapping[str, Any]  #: flat, JSON-able view the engines match on

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def type(self) -> str:
        return self.event.type


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
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def derive_facts(timeline: Timeline, as_of: datetime, profile: Profile) -> Facts:
    """Derive the facts of ``timeline`` as they stand at ``as_of``."""
    tz = zone(profile.settings.timezone)
    leap = profile.settings.leap_day_birthday
    birth = timeline.person.birth_date
    # Every instant is taken to UTC once, here: Python compares and subtracts
    # two datetimes that share a ZoneInfo by their wall clocks, which is
    # wrong across a daylight-saving change.
    as_of = as_of.astimezone(timezone.utc)
    instants = [ev.at.astimezone(timezone.utc) for ev in timeline.events]
    order = sorted(range(len(timeline.events)), key=lambda i: (instants[i], i))
    custody: str | None = None
    before: list[EventFact] = []
    after: list[EventFact] = []
    for i in order:
        ev = timeline.events[i]
        if isinstance(ev, Admitted):
            custody = ev.custody_kind.value
        record: dict[str, Any] = {"id": ev.id, "type": ev.type}
        for name in type(ev).model_fields:
            if name in ("id", "type", "at"):
                continue
            value = getattr(ev, name)
            if value is not None:
                record[name] = _jsonable(value)
        record["age"] = age_on(birth, ev.at.astimezone(tz).date(), leap)
        if custody is not None:
            record["custody_kind"] = custody
        fact = EventFact(i, ev, instants[i], MappingProxyType(record))
        (before if instants[i] <= as_of else after).append(fact)
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
