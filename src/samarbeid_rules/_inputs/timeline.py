"""Timeline models: one person's custody as a list of dated events.

A :class:`Timeline` holds a case id, the person (only what the rules need: an
opaque id and the birth date) and the events. Events form a discriminated
union on ``type``; each has a stable ``id`` unique in the timeline and a
timezone-aware instant ``at``. A naive datetime is an error, never a guess.

Measures that last (exclusion, security cell, restraint bed, continuous
supervision) are recorded as a ``…_started`` and a ``…_ended`` event sharing a
``measure_id``. An end without its start, an end before its start, or a start
used twice are errors.

Unknown fields are rejected: nothing in the input is silently dropped.

The event models are in :mod:`.events`, one module per section of the duty
catalog; this module holds the person, the timeline, the pairing of measures,
the loader and the location of errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import is_
from pathlib import Path
from typing import Any

from pydantic import Field, TypeAdapter, ValidationError, model_validator

import re
from functools import cache

from .._common.calendar import utc, zone
from .._common.errors import TimelineError, quoted
from .._common.wording import did_you_mean, first_error, plain_problem
from .events import Event, MeasureKind
from .events.base import ID_MAX, ID_PATTERN, Day, _Base, looks_like_national_id
from .jsonread import parse_json_shallow, parse_records_quickly, read_source

# The event models live in .events, one module per catalog section. These
# names are imported from here by the package root, the pipeline (facts,
# evaluate), the rule loader, the monitor, institution records and tests, and
# stay importable from here (the ``X as X`` form marks a re-export).
from .events import EVENT_TYPES as EVENT_TYPES
from .events import Admitted as Admitted
from .events import Agency as Agency
from .events import CustodyKind as CustodyKind
from .events import ExclusionBasis as ExclusionBasis
from .events import ExclusionScope as ExclusionScope
from .events import ExclusionStarted as ExclusionStarted
from .events import SupervisionLook as SupervisionLook
from .events.base import EARLIEST as EARLIEST
from .events.base import LATEST as LATEST
from .events.base import Id as Id
from .events.base import _in_range as _in_range
from .events.base import _MeasureEnd as _MeasureEnd
from .events.base import _MeasureStart as _MeasureStart

__all__ = [
    "Agency",
    "CustodyKind",
    "Event",
    "ExclusionBasis",
    "ExclusionScope",
    "MeasureKind",
    "Person",
    "Timeline",
    "load_timeline",
    "timeline_json_schema",
]


#: the most events a timeline may hold (about 11 years of looks every hour); more is refused
#: with a TimelineError before any event is validated, so work is bounded by this
MAX_EVENTS = 100_000
_OSLO = zone("Europe/Oslo")


class Person(_Base):
    """The person in custody: an opaque id and the birth date, nothing more."""

    id: Id = Field(description="Opaque person id; never a name or national id number.")
    birth_date: Day


@dataclass(frozen=True, slots=True)
class MeasurePair:
    """A measure's started event and, if recorded, its ended event."""

    kind: MeasureKind
    start: _MeasureStart
    end: _MeasureEnd | None


class Timeline(_Base):
    """One person's custody case (*ett opphold*)."""

    case_id: Id
    prison_id: Id | None = Field(default=None, description="Prison (institution) id.")
    person: Person
    events: list[Event] = Field(max_length=MAX_EVENTS)

    @model_validator(mode="after")
    def _check_structure(self) -> Timeline:
        instants = [utc(ev.at) for ev in self.events]
        if instants:
            first = min(range(len(instants)), key=instants.__getitem__)
            day = instants[first].astimezone(_OSLO).date()
            if self.person.birth_date > day:
                raise _LocatedValueError(
                    f"the birth date is after the first event (events[{first}], on {day.isoformat()}): "
                    "a person is born before their custody", None, None, "person.birth_date",
                )
        seen: dict[str, int] = {}
        for i, ev in enumerate(self.events):
            if ev.id in seen:
                raise _LocatedValueError(
                    f"duplicate event id (first used at events[{seen[ev.id]}])", i, ev.id, "id"
                )
            seen[ev.id] = i
            if ev.__dict__.get("expected_end") is not None and isinstance(ev, ExclusionStarted):
                if utc(ev.expected_end) < instants[i]:
                    raise _LocatedValueError(
                        "expected_end is before the exclusion started", i, ev.id, "expected_end"
                    )
        for i, ev in enumerate(self.events):
            target = ev.__dict__.get("responds_to")
            if target is None:
                continue
            if target not in seen:
                raise _LocatedValueError(
                    f"responds to event {quoted(target)}, which is not in the timeline", i, ev.id, "responds_to"
                )
            if instants[seen[target]] > instants[i]:
                raise _LocatedValueError(
                    f"responds to event {quoted(target)}, which comes later (events[{seen[target]}])", i, ev.id,
                    "responds_to",
                )
        pair_measures(self.events)
        # Kept for derive_facts, with the events they are the instants of, beside the fields (as
        # functools.cached_property keeps a value): pydantic's equality, dump, JSON and dict()
        # read the fields only; a pickle leaves them out (__getstate__).
        self.__dict__[_KEPT] = (tuple(self.events), tuple(instants))
        return self

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        fields = state["__dict__"]
        if _KEPT in fields:
            state["__dict__"] = {k: v for k, v in fields.items() if k != _KEPT}
        return state

    def measures(self) -> dict[str, MeasurePair]:
        """The measures of this timeline, keyed by measure id."""
        return pair_measures(self.events)


#: where a validated timeline keeps (its events, their instants in UTC), as validation worked them out
_KEPT = "_utc_instants"


def utc_instants(timeline: Timeline) -> Sequence[datetime]:
    """The instants of ``timeline``'s events in UTC, in input order.

    Validation works them out (to check the order of responses and the birth date); they are
    taken from there while the timeline holds the very events it validated (an event is
    immutable, but a list can be changed in place), else worked out again.
    """
    events = timeline.events
    kept = timeline.__dict__.get(_KEPT)
    if kept is not None:
        validated, instants = kept
        if len(validated) == len(events) and all(map(is_, validated, events)):
            return instants
    return [utc(ev.at) for ev in events]


class _LocatedValueError(ValueError):
    """Raised inside validators; turned into a TimelineError by the loader."""

    def __init__(self, problem: str, index: int | None, event_id: str | None, field: str) -> None:
        super().__init__(problem)
        self.problem, self.index, self.event_id, self.field = problem, index, event_id, field


_NEITHER, _STARTS, _ENDS = 0, 1, 2


@cache
def _measure_role(cls: type) -> int:
    """Whether events of class ``cls`` start a measure, end one, or neither (once per class:
    isinstance on a model class is slow, and asked of every event)."""
    return _STARTS if issubclass(cls, _MeasureStart) else _ENDS if issubclass(cls, _MeasureEnd) else _NEITHER


def pair_measures(events: Iterable[Any], *, check_refs: bool = True) -> dict[str, MeasurePair]:
    """Pair every ``…_started`` with its ``…_ended`` event by ``measure_id``.

    Raises a located error for an end without a start (an unknown measure), a
    second start or end of the same measure, an end of another kind of measure,
    and an end before its start.
    """
    events = list(events)
    roles = [_measure_role(type(ev)) for ev in events]
    pairs: dict[str, MeasurePair] = {}
    index_of: dict[str, int] = {}
    for i, ev in enumerate(events):
        if roles[i] == _STARTS:
            if ev.measure_id in pairs:
                raise _LocatedValueError(
                    f"measure {quoted(ev.measure_id)} is started twice", i, ev.id, "measure_id"
                )
            pairs[ev.measure_id] = MeasurePair(ev.measure_kind, ev, None)
            index_of[ev.measure_id] = i
    for i, ev in enumerate(events):
        if roles[i] != _ENDS:
            continue
        pair = pairs.get(ev.measure_id)
        if pair is None:
            raise _LocatedValueError(
                f"ends measure {quoted(ev.measure_id)}, which no started event opens", i, ev.id, "measure_id"
            )
        if pair.kind is not ev.measure_kind:
            raise _LocatedValueError(
                f"ends measure {quoted(ev.measure_id)}, which is a {pair.kind.value}, not a "
                f"{ev.measure_kind.value}",
                i,
                ev.id,
                "measure_id",
            )
        if pair.end is not None:
            raise _LocatedValueError(
                f"measure {quoted(ev.measure_id)} is ended twice", i, ev.id, "measure_id"
            )
        if utc(ev.at) < utc(pair.start.at):
            raise _LocatedValueError(
                f"ends measure {quoted(ev.measure_id)} before it started (events[{index_of[ev.measure_id]}])",
                i,
                ev.id,
                "at",
            )
        pairs[ev.measure_id] = MeasurePair(pair.kind, pair.start, ev)
    # Events that refer to a measure (looks, doctor notices) must name a known
    # one, and come after it started unless made before by nature (a doctor's
    # statement obtained before the decision).
    if not check_refs:
        return pairs
    for i, ev in enumerate(events):
        ref = ev.__dict__.get("measure_id")
        if ref is None or roles[i] != _NEITHER:
            continue
        if ref not in pairs:
            raise _LocatedValueError(
                f"refers to measure {quoted(ref)}, which no started event opens", i, ev.id, "measure_id"
            )
        if utc(ev.at) < utc(pairs[ref].start.at) and not getattr(ev, "may_precede_measure", False):
            raise _LocatedValueError(
                f"refers to measure {quoted(ref)} before it started", i, ev.id, "at"
            )
    return pairs


_TIMELINE_ADAPTER = TypeAdapter(Timeline)

#: every key a timeline may hold (a duplicated or unknown key is named in a message only if it is
#: one of these, or close to one: any other key may itself be personal data)
FIELD_NAMES: frozenset[str] = frozenset(
    {"case_id", "prison_id", "person", "events", *Person.model_fields}
    | {name for cls in EVENT_TYPES.values() for name in cls.model_fields}
)


def timeline_json_schema() -> dict[str, Any]:
    """The JSON Schema of a timeline file.

    The schema and :func:`load_timeline` accept the same documents, field by field
    (tested both ways in ``tests/test_schema_equivalence.py``); the loader's checks that
    JSON Schema cannot state are listed in :data:`CROSS_CHECKS` and in the schema's
    description.
    """
    schema = Timeline.model_json_schema()
    schema["description"] = (
        f"{schema.get('description', '')} Beyond this schema, a timeline is refused when: "
        + "; ".join(CROSS_CHECKS) + "."
    ).strip()
    return schema


#: what the loader checks that JSON Schema cannot express (relations between values, and a
#: checksum): a document the schema accepts is refused by the loader for one of these only
CROSS_CHECKS = (
    "two events share an id",
    "an ended event names a measure no started event opens, of another kind, twice, or before its start",
    "a measure is started twice",
    "an event names a measure that is not started before it (a doctor's statement may precede it)",
    "responds_to names an event that is not in the timeline or comes later",
    "an exclusion's expected_end is before its start",
    "the birth date is after the first event",
    "an id holds a number shaped like a Norwegian national identity number (11 digits, valid check digits)",
)


def load_timeline(source: str | Path | Mapping[str, Any] | bytes, *, name: str | None = None) -> Timeline:
    """Load and validate a timeline.

    ``source`` is a file (a :class:`pathlib.Path`), a JSON text (``str`` or ``bytes``), or
    already parsed data (a mapping); a ``str`` is never taken as a path because of how it
    looks (one naming an existing file is still read, with a ``DeprecationWarning``). Raises
    :class:`TimelineError` naming the file, the event index and id, and the field, never the
    rejected value.
    """
    text, label = read_source(source, name, TimelineError)
    if not isinstance(text, (str, bytes)):
        return validate_timeline(text, source=label)
    timeline = timeline_quickly(text)
    if timeline is not None:
        return timeline
    data, shallow = parse_timeline_json(text, label)
    return validate_timeline(data, source=label, _shallow=shallow)


def timeline_quickly(text: str | bytes) -> Timeline | None:
    """The timeline of JSON ``text``, read the quick way, or None: then the full way
    (:func:`parse_timeline_json`, :func:`validate_timeline`) reads it and gives any error.

    The quick way is jiter's parser (:func:`.jsonread.parse_records_quickly`) and one
    validation: the same timeline as the full way wherever it gives one (a timeline has no
    float field, so a number with a fraction or exponent is left to the full way). It does
    not locate errors: every text it does not take, valid or not, is read again the full way,
    so an error is the same whichever way a text came.
    """
    data = parse_records_quickly(text, MAX_DEPTH)
    if data is None:
        return None
    events = data.get("events")
    if type(events) is list and len(events) > MAX_EVENTS:
        return None
    try:
        return _TIMELINE_ADAPTER.validate_python(data)
    except (ValidationError, RecursionError):
        return None


def parse_timeline_json(text: str | bytes, label: str) -> tuple[Any, bool]:
    """The JSON text of a timeline parsed strictly, and whether it is known to nest no deeper
    than MAX_DEPTH (then :func:`validate_timeline` need not walk it to see)."""
    return parse_json_shallow(text, label, TimelineError, depth=MAX_DEPTH, field_names=FIELD_NAMES,
                              list_key="events")


def validate_timeline(data: Any, *, source: str = "<input>", _shallow: bool = False) -> Timeline:
    """Validate parsed JSON data as a timeline, raising a located TimelineError.

    (``_shallow``: the data is known to nest no deeper than MAX_DEPTH, see parse_timeline_json.)
    """
    if not isinstance(data, Mapping):
        raise TimelineError("a timeline must be a JSON object", source=source)
    events = data.get("events")
    if isinstance(events, list) and len(events) > MAX_EVENTS:
        raise TimelineError(
            f"a timeline holds at most {MAX_EVENTS} events (this one has {len(events)})", source=source,
            field="events",
        )
    if not _shallow:
        _check_depth(data, source)
    try:
        return _TIMELINE_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise _timeline_error_from(exc, data, source) from None
    except RecursionError:
        raise TimelineError("input is nested too deeply", source=source) from None


_ID_RE = re.compile(r"[!-~]+")


def shown_id(value: Any) -> str | None:
    """``value`` if it is a valid id (and so may be shown), else None: a rejected id is never echoed."""
    if isinstance(value, str) and 0 < len(value) <= ID_MAX and _ID_RE.fullmatch(value) \
            and not looks_like_national_id(value):
        return value
    return None


def shown_key(key: Any) -> str:
    """A key as a message may name it: shaped like a field name (lower-case letters and ``_``, at
    most 40), else a placeholder: a key with capitals, digits, spaces or other characters may
    itself be personal data (a name, a national id number) and is not repeated."""
    if isinstance(key, int):
        return str(key)
    if isinstance(key, str) and _KEY_RE.fullmatch(key):
        return key
    return "<unknown key>"


_KEY_RE = re.compile(r"[a-z_]{1,40}")


#: no field of a timeline nests deeper than this; deeper input is refused
#: before validation (pydantic-core would recurse through it)
MAX_DEPTH = 32


def _check_depth(data: Mapping[str, Any], source: str) -> None:
    """Refuse input nested deeper than MAX_DEPTH, naming the event and field (iteratively)."""
    for key, value in data.items():
        if key != "events" or not isinstance(value, list):
            if _too_deep(value, 1):
                raise TimelineError("value is nested too deeply", source=source, field=shown_key(key))
            continue
        for i, ev in enumerate(value):
            if not isinstance(ev, Mapping):
                if _too_deep(ev, 2):
                    raise TimelineError("value is nested too deeply", source=source, index=i)
                continue
            for name, v in ev.items():
                if _too_deep(v, 3):
                    raise TimelineError(
                        "value is nested too deeply", source=source, index=i,
                        event_id=shown_id(ev.get("id")), field=shown_key(name),
                    )


_SCALARS = (str, int, float, bool, type(None))


def _too_deep(value: Any, start: int) -> bool:
    """Whether lists and mappings nest past MAX_DEPTH (``value`` itself at depth ``start``), without recursion."""
    if type(value) in _SCALARS:  # most values: nothing nests inside
        return False
    stack = [(value, start)]
    while stack:
        v, d = stack.pop()
        if d > MAX_DEPTH:
            return True
        if isinstance(v, Mapping):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return False


def _timeline_error_from(exc: ValidationError, data: Mapping[str, Any], source: str) -> TimelineError:
    err = first_error(exc)
    loc = list(err["loc"])
    ctx_err = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_err, _LocatedValueError):
        return TimelineError(
            ctx_err.problem,
            source=source,
            index=ctx_err.index,
            event_id=ctx_err.event_id,
            field=ctx_err.field,
        )
    # Unwrap the located error carried by a model validator.
    if err["type"] == "value_error" and not loc:  # pragma: no cover - every model check is located
        return TimelineError("the timeline is not valid", source=source)
    index = event_id = None
    if len(loc) >= 2 and loc[0] == "events" and isinstance(loc[1], int):
        index = loc[1]
        events = data.get("events")
        if isinstance(events, list) and 0 <= index < len(events) and isinstance(events[index], Mapping):
            event_id = shown_id(events[index].get("id"))
        rest = loc[2:]
        # The discriminated union puts the event type in the location; drop it.
        if rest and isinstance(rest[0], str) and rest[0] in EVENT_TYPES:
            rest = rest[1:]
        if rest == ["id"]:
            event_id = None  # the id itself was refused
        field = ".".join(shown_key(p) for p in rest) or None
    else:
        field = ".".join(shown_key(p) for p in loc) or None
    problem = _describe(err)
    if err["type"] == "extra_forbidden" and loc:
        problem += did_you_mean(loc[-1], _fields_at(loc))
    return TimelineError(problem, source=source, index=index, event_id=event_id, field=field)


def _fields_at(loc: list[Any]) -> frozenset[str]:
    """The fields of the record an unknown key ``loc[-1]`` was found in (an event, the person, the timeline)."""
    if len(loc) >= 4 and loc[0] == "events" and loc[2] in EVENT_TYPES:
        return frozenset(EVENT_TYPES[loc[2]].model_fields)
    if loc[0] == "person":
        return frozenset(Person.model_fields)
    if len(loc) == 1:
        return frozenset(Timeline.model_fields)
    return frozenset()


def _describe(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "timezone_aware":
        return "datetime has no UTC offset (naive datetimes are not accepted)"
    if kind == "union_tag_invalid":
        hint = did_you_mean((err.get("ctx") or {}).get("tag"), EVENT_TYPES)
        if hint:
            return f"unknown event type{hint}"
        known = ", ".join(sorted(EVENT_TYPES))
        return f"unknown event type; known types: {known}"
    if kind == "union_tag_not_found":
        return "event has no 'type'"
    if kind == "extra_forbidden":
        return "unknown field (not part of this record's type)"
    if kind == "missing":
        return "required field is missing"
    return plain_problem(err)
