"""Derive facts from a validated timeline: the second stage of the pipeline.

Sorts the events once, in the **canonical order** (by instant; at one
instant an admission or the start of a measure first, then every other event;
then by event id: content only, never the order of the input file, so a
timeline's report does not depend on how its events were listed, and the
:class:`~.._uses.monitor.Monitor` uses the same key), splits off events
after ``as_of``, pairs measures, and derives per-event facts the rules may
test (age on the event's local date, the custody kind in force). The result
is immutable and is the only input the engines and the timing stage read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from datetime import date, datetime, timezone
from enum import Enum
from types import MappingProxyType
from itertools import islice
from operator import attrgetter, eq
from typing import Any, Mapping, Sequence

import msgspec

from .._common.calendar import age_on, birthday_instant, zone
from .._inputs.profile import Profile
from .._inputs.timeline import (
    EVENT_TYPES, Admitted, MeasurePair, Timeline, _MeasureEnd, _MeasureStart, pair_measures, utc_instants,
)

__all__ = ["EventFact", "Facts", "canonical_key", "derive_facts", "tie_rank", "values_of"]


def tie_rank(event: Any) -> int:
    """Rank of an event among events at the same instant: admissions and measure starts (0) before
    every other event (1), so that an event naming a measure at the instant it started comes after it."""
    return _tie_rank_of(type(event))


@cache
def _tie_rank_of(cls: type) -> int:
    """:func:`tie_rank` of the events of class ``cls`` (once per class: isinstance on a model class is
    slow, and asked once per event)."""
    return 0 if issubclass(cls, (_MeasureStart, Admitted)) else 1


def canonical_key(event: Any, at_utc: datetime) -> tuple[datetime, int, str]:
    """The canonical order of events: instant (UTC), :func:`tie_rank`, event id (unique in a timeline)."""
    return (at_utc, tie_rank(event), event.id)

#: the event classes that start or end a measure (paired by measure_id)
_MEASURE_TYPES = frozenset(c for c in EVENT_TYPES.values() if issubclass(c, (_MeasureStart, _MeasureEnd)))


class EventFact(msgspec.Struct, eq=False, gc=False):
    """One event with its derived facts (read-only).

    ``record`` -- the flat, JSON-able view the engines match on (the event's
    fields, with enums as their values and dates as ISO text, plus ``age``
    and ``custody_kind``) -- is built on first use: most events (looks) are
    matched on their type alone, and building a record for each would be
    most of the cost of deriving facts.

    A msgspec Struct (built in C from its arguments, in field order: a fifth
    of the time of setting nine slots one by one), compared and hashed by
    identity (``eq=False``) as a plain object is; not tracked by the garbage
    collector (``gc=False``: a fact refers to its event and values, never back).
    """

    index: int  #: position in the input ``events`` list
    order: int  #: position in the canonical order (ties between events at one instant are broken by it)
    event: Any  #: the validated event model
    at: datetime  #: the instant, in UTC
    id: str
    type: str
    age: int | None = None  #: age in whole years on the event's local date
    custody_kind: str | None = None  #: the custody kind of the latest admission at or before the event
    _record: Mapping[str, Any] | None = None  #: the record, once built (see record)

    @property
    def record(self) -> Mapping[str, Any]:
        """The flat record of the event and its derived facts (built once, on first use)."""
        record = self._record
        if record is None:
            record = self._record = MappingProxyType(_record_of(self.event, self.age, self.custody_kind))
        return record

    def replace(self, *, index: int | None = None, at: datetime | None = None) -> EventFact:
        """This fact at another position (input and canonical: the monitor's timelines list their
        events in canonical order) or instant; the record (built or not) is shared."""
        return EventFact(
            self.index if index is None else index,
            self.order if index is None else index,
            self.event,
            self.at if at is None else at,
            self.id,
            self.type,
            self.age,
            self.custody_kind,
            self._record,
        )

    def value(self, name: str) -> Any:
        """``record.get(name)``, without building the record."""
        record = self._record
        if record is not None:
            return record.get(name)
        if name == "age":
            return self.age
        if name == "custody_kind":
            return self.custody_kind
        if name == "at":
            return None  # the instant is not part of the record
        value = self.event.__dict__.get(name)
        if value is None or type(value) is str:
            return value
        return _jsonable(value)

    def __repr__(self) -> str:
        return f"EventFact(index={self.index}, id={self.id!r}, type={self.type!r}, at={self.at.isoformat()})"


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
    #: values the timing stage derives once per evaluation (such as the
    #: report's form of a profile term); private to that stage
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def tz(self):
        return zone(self.profile.settings.timezone)

    @property
    def birth_date(self) -> date:
        return self.timeline.person.birth_date


_EVENT = attrgetter("event")
_PLAIN = frozenset({str, type(None)})
#: record fields that are not fields of the event model (see EventFact.value)
_NOT_EVENT_FIELDS = frozenset({"id", "type", "at", "age", "custody_kind"})


def values_of(facts: Sequence[EventFact], name: str) -> list[Any]:
    """``[f.value(name) for f in facts]``, read straight from the events (in C) when the field is
    an event field holding plain strings (``measure_id``, the usual correlation key)."""
    if name not in _NOT_EVENT_FIELDS:
        try:
            values = list(map(attrgetter(name), map(_EVENT, facts)))
        except AttributeError:
            pass
        else:
            if _PLAIN.issuperset(map(type, values)):
                return values
    return [f.value(name) for f in facts]


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


def _record_of(ev: Any, age: int | None, custody: str | None) -> dict[str, Any]:
    """The flat record of event ``ev``: its fields set (JSON-able), then ``age`` and ``custody_kind``."""
    values = ev.__dict__
    record: dict[str, Any] = {"id": ev.id, "type": ev.type}
    for name in _fields_of(type(ev)):
        value = values[name]
        if value is not None:
            record[name] = _jsonable(value)
    record["age"] = age
    if custody is not None:
        record["custody_kind"] = custody
    return record


def _canonical_order(events: Sequence[Any], instants: Sequence[datetime]) -> list[int]:
    """The positions of ``events`` (at ``instants``, in UTC) in the canonical order (canonical_key).

    Sorted by instant first (stable: at one instant, in input order); only where several events
    share an instant, the rest of the key (tie rank and id: their content, not their input
    position) is looked at.
    """
    order = sorted(range(len(events)), key=instants.__getitem__)
    timed = list(map(instants.__getitem__, order))
    if not any(map(eq, timed, islice(timed, 1, None))):
        return order
    start = 0
    for end in range(1, len(order) + 1):
        if end < len(order) and timed[end] == timed[start]:
            continue
        if end - start > 1:
            order[start:end] = sorted(order[start:end], key=lambda i: canonical_key(events[i], instants[i]))
        start = end
    return order


def derive_facts(timeline: Timeline, as_of: datetime, profile: Profile) -> Facts:
    """Derive the facts of ``timeline`` as they stand at ``as_of``."""
    tz = zone(profile.settings.timezone)
    leap = profile.settings.leap_day_birthday
    birth = timeline.person.birth_date
    events = timeline.events
    # Every instant is in UTC from here on (those of the events as validation
    # worked them out): Python compares and subtracts two datetimes that share
    # a ZoneInfo by their wall clocks, which is wrong across a daylight-saving change.
    as_of = as_of.astimezone(timezone.utc)
    instants = utc_instants(timeline)
    order = _canonical_order(events, instants)
    custody: str | None = None
    before: list[EventFact] = []
    after: list[EventFact] = []
    measure_events: list[Any] = []
    by_id: dict[str, EventFact] = {}
    # Age changes at local midnight on each birthday; events come in time
    # order, so the next birthday is the only one to watch.
    age = next_birthday = None
    if order:
        age = age_on(birth, instants[order[0]].astimezone(tz).date(), leap)
        next_birthday = birthday_instant(birth, age + 1, tz, leap)
    for rank, i in enumerate(order):
        ev = events[i]
        at = instants[i]
        while at >= next_birthday:
            age += 1
            next_birthday = birthday_instant(birth, age + 1, tz, leap)
        if type(ev) is Admitted:
            custody = ev.custody_kind.value
        fact = EventFact(i, rank, ev, at, ev.id, ev.type, age, custody)
        if at <= as_of:
            before.append(fact)
            by_id[fact.id] = fact
            if type(ev) in _MEASURE_TYPES:
                measure_events.append(ev)
        else:
            after.append(fact)
    # Measures are paired over the events known at as_of: an end recorded
    # after as_of has not happened yet.
    # (References were checked on the whole timeline when it was validated.)
    measures = pair_measures(measure_events, check_refs=False)
    return Facts(
        timeline=timeline,
        as_of=as_of,
        profile=profile,
        ordered=tuple(before),
        after_as_of=tuple(after),
        measures=MappingProxyType(measures),
        by_id=MappingProxyType(by_id),
    )
