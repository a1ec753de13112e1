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
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from ._errors import TimelineError

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

Id = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\s]+$")]


class CustodyKind(str, Enum):
    """Kind of custody (*varetekt*, *dom*, *forvaring*)."""

    REMAND = "remand"
    SENTENCE = "sentence"
    PREVENTIVE_DETENTION = "preventive_detention"


class ExclusionBasis(str, Enum):
    """Legal basis of an exclusion from association (*utelukkelse fra fellesskapet*)."""

    #: decided by the Correctional Service, straffegjennomføringsloven § 37
    STRGJFL_37 = "strgjfl_37"
    #: decided by a court for a remand prisoner, straffeprosessloven § 186 a
    STRPL_186A = "strpl_186a"


class ExclusionScope(str, Enum):
    """Full exclusion (*helt*) or partial exclusion (*delvis*)."""

    FULL = "full"
    PARTIAL = "partial"


class Agency(str, Enum):
    """Who receives a notice or a disclosure."""

    #: the municipal health and care service (prison health service)
    KHO = "kho"
    #: the specialist health service
    SHT = "sht"
    NAV = "nav"
    MUNICIPALITY = "municipality"
    GP = "gp"
    SCHOOL = "school"
    OTHER = "other"


class MeasureKind(str, Enum):
    """Measures recorded as a started/ended pair."""

    EXCLUSION = "exclusion"
    SECURITY_CELL = "security_cell"
    RESTRAINT_BED = "restraint_bed"
    CONTINUOUS_SUPERVISION = "continuous_supervision"


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class _EventBase(_Base):
    id: Id = Field(description="Stable id of the event, unique in the timeline.")
    at: AwareDatetime = Field(description="When it happened; must carry a UTC offset.")


class _MeasureStart(_EventBase):
    measure_kind: ClassVar[MeasureKind]
    measure_id: Id = Field(description="Id shared by the started and ended events of one measure.")


class _MeasureEnd(_EventBase):
    measure_kind: ClassVar[MeasureKind]
    measure_id: Id = Field(description="The measure_id of the started event this ends.")


# --- custody --------------------------------------------------------------


class Admitted(_EventBase):
    """Admitted to prison (*innsettelse*)."""

    type: Literal["admitted"] = "admitted"
    custody_kind: CustodyKind


class ExpectedReleaseDateSet(_EventBase):
    """The expected release date became known, or changed (*forventet løslatelse*).

    ``at`` is when the date became known; a later event of this type replaces
    the date.
    """

    type: Literal["expected_release_date_set"] = "expected_release_date_set"
    release_date: date = Field(description="Expected release date, a Europe/Oslo calendar date.")


class ReleaseNoticeSent(_EventBase):
    """Notice of the expected release sent to an agency (*varsel om løslatelse*)."""

    type: Literal["release_notice_sent"] = "release_notice_sent"
    recipient: Agency


class Released(_EventBase):
    """Released from prison (*løslatt*)."""

    type: Literal["released"] = "released"


# --- isolation ------------------------------------------------------------


class ExclusionStarted(_MeasureStart):
    """Excluded from association with other inmates (*utelukkelse fra fellesskapet*)."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.EXCLUSION
    type: Literal["exclusion_started"] = "exclusion_started"
    basis: ExclusionBasis
    scope: ExclusionScope
    expected_end: AwareDatetime | None = Field(
        default=None, description="When the exclusion is expected to end, if known."
    )


class ExclusionEnded(_MeasureEnd):
    measure_kind: ClassVar[MeasureKind] = MeasureKind.EXCLUSION
    type: Literal["exclusion_ended"] = "exclusion_ended"


class SecurityCellStarted(_MeasureStart):
    """Placed in a security cell (*sikkerhetscelle*, strgjfl. § 38)."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.SECURITY_CELL
    type: Literal["security_cell_started"] = "security_cell_started"


class SecurityCellEnded(_MeasureEnd):
    measure_kind: ClassVar[MeasureKind] = MeasureKind.SECURITY_CELL
    type: Literal["security_cell_ended"] = "security_cell_ended"


class RestraintBedStarted(_MeasureStart):
    """Placed in a restraint bed (*sikkerhetsseng*, strgjfl. § 38)."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.RESTRAINT_BED
    type: Literal["restraint_bed_started"] = "restraint_bed_started"


class RestraintBedEnded(_MeasureEnd):
    measure_kind: ClassVar[MeasureKind] = MeasureKind.RESTRAINT_BED
    type: Literal["restraint_bed_ended"] = "restraint_bed_ended"


class SupervisionLook(_EventBase):
    """A member of staff looked in on the inmate (*tilsyn*)."""

    type: Literal["supervision_look"] = "supervision_look"
    measure_id: Id | None = Field(
        default=None,
        description="The measure the look was made under; unset means it counts for any.",
    )


class ContinuousSupervisionStarted(_MeasureStart):
    """Continuous supervision began (*kontinuerlig tilsyn*)."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.CONTINUOUS_SUPERVISION
    type: Literal["continuous_supervision_started"] = "continuous_supervision_started"


class ContinuousSupervisionEnded(_MeasureEnd):
    measure_kind: ClassVar[MeasureKind] = MeasureKind.CONTINUOUS_SUPERVISION
    type: Literal["continuous_supervision_ended"] = "continuous_supervision_ended"


class DoctorNotified(_EventBase):
    """A doctor in the municipal health service was notified (*varsle lege*)."""

    type: Literal["doctor_notified"] = "doctor_notified"
    measure_id: Id | None = Field(
        default=None,
        description="The measure the notice was about; unset means it counts for any.",
    )


Event = Annotated[
    Union[
        Admitted,
        ExclusionStarted,
        ExclusionEnded,
        SecurityCellStarted,
        SecurityCellEnded,
        RestraintBedStarted,
        RestraintBedEnded,
        SupervisionLook,
        ContinuousSupervisionStarted,
        ContinuousSupervisionEnded,
        DoctorNotified,
        ExpectedReleaseDateSet,
        ReleaseNoticeSent,
        Released,
    ],
    Field(discriminator="type"),
]

EVENT_TYPES: dict[str, type[_EventBase]] = {
    cls.model_fields["type"].default: cls  # type: ignore[misc]
    for cls in Event.__origin__.__args__  # type: ignore[attr-defined]
}


class Person(_Base):
    """The person in custody: an opaque id and the birth date, nothing more."""

    id: Id = Field(description="Opaque person id; never a name or national id number.")
    birth_date: date


@dataclass(frozen=True, slots=True)
class MeasurePair:
    """A measure's started event and, if recorded, its ended event."""

    kind: MeasureKind
    start: Any
    end: Any | None


class Timeline(_Base):
    """One person's custody case (*ett opphold*)."""

    case_id: Id
    prison_id: Id | None = Field(default=None, description="Prison (institution) id.")
    person: Person
    events: list[Event]

    @model_validator(mode="after")
    def _check_structure(self) -> Timeline:
        seen: dict[str, int] = {}
        for i, ev in enumerate(self.events):
            if ev.id in seen:
                raise _LocatedValueError(
                    f"duplicate event id (first used at events[{seen[ev.id]}])", i, ev.id, "id"
                )
            seen[ev.id] = i
            if isinstance(ev, ExclusionStarted) and ev.expected_end is not None:
                if ev.expected_end < ev.at:
                    raise _LocatedValueError(
                        "expected_end is before the exclusion started", i, ev.id, "expected_end"
                    )
        pair_measures(self.events)
        return self

    def measures(self) -> dict[str, MeasurePair]:
        """The measures of this timeline, keyed by measure id."""
        return pair_measures(self.events)


class _LocatedValueError(ValueError):
    """Raised inside validators; turned into a TimelineError by the loader."""

    def __init__(self, problem: str, index: int, event_id: str, field: str) -> None:
        super().__init__(problem)
        self.problem, self.index, self.event_id, self.field = problem, index, event_id, field


def pair_measures(events: Iterable[Any]) -> dict[str, MeasurePair]:
    """Pair every ``…_started`` with its ``…_ended`` event by ``measure_id``.

    Raises a located error for an end without a start (an unknown measure), a
    second start or end of the same measure, an end of another kind of measure,
    and an end before its start.
    """
    events = list(events)
    pairs: dict[str, MeasurePair] = {}
    index_of: dict[str, int] = {}
    for i, ev in enumerate(events):
        if isinstance(ev, _MeasureStart):
            if ev.measure_id in pairs:
                raise _LocatedValueError(
                    f"measure {ev.measure_id!r} is started twice", i, ev.id, "measure_id"
                )
            pairs[ev.measure_id] = MeasurePair(ev.measure_kind, ev, None)
            index_of[ev.measure_id] = i
    for i, ev in enumerate(events):
        if not isinstance(ev, _MeasureEnd):
            continue
        pair = pairs.get(ev.measure_id)
        if pair is None:
            raise _LocatedValueError(
                f"ends measure {ev.measure_id!r}, which no started event opens", i, ev.id, "measure_id"
            )
        if pair.kind is not ev.measure_kind:
            raise _LocatedValueError(
                f"ends measure {ev.measure_id!r}, which is a {pair.kind.value}, not a "
                f"{ev.measure_kind.value}",
                i,
                ev.id,
                "measure_id",
            )
        if pair.end is not None:
            raise _LocatedValueError(
                f"measure {ev.measure_id!r} is ended twice", i, ev.id, "measure_id"
            )
        if ev.at < pair.start.at:
            raise _LocatedValueError(
                f"ends measure {ev.measure_id!r} before it started (events[{index_of[ev.measure_id]}])",
                i,
                ev.id,
                "at",
            )
        pairs[ev.measure_id] = MeasurePair(pair.kind, pair.start, ev)
    # Events that refer to a measure (looks, doctor notices) must name a known one.
    for i, ev in enumerate(events):
        ref = getattr(ev, "measure_id", None)
        if ref is None or isinstance(ev, (_MeasureStart, _MeasureEnd)):
            continue
        if ref not in pairs:
            raise _LocatedValueError(
                f"refers to measure {ref!r}, which no started event opens", i, ev.id, "measure_id"
            )
        if ev.at < pairs[ref].start.at:
            raise _LocatedValueError(
                f"refers to measure {ref!r} before it started", i, ev.id, "at"
            )
    return pairs


_TIMELINE_ADAPTER = TypeAdapter(Timeline)


def timeline_json_schema() -> dict[str, Any]:
    """The JSON Schema of a timeline file."""
    return Timeline.model_json_schema()


def load_timeline(source: str | Path | Mapping[str, Any] | bytes, *, name: str | None = None) -> Timeline:
    """Load and validate a timeline.

    ``source`` is a path to a JSON file, a JSON text (``str`` starting with
    ``{`` or ``bytes``), or an already parsed mapping. Raises
    :class:`TimelineError` naming the file, the event index and id, and the
    field.
    """
    label = name
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        path = Path(source)
        label = label or str(path)
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise TimelineError(f"cannot read file ({exc.strerror})", source=label) from None
        data = _parse_json(text, label)
    elif isinstance(source, (str, bytes)):
        label = label or "<input>"
        data = _parse_json(source, label)
    else:
        label = label or "<input>"
        data = source
    return validate_timeline(data, source=label)


def _parse_json(text: str | bytes, label: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TimelineError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", source=label
        ) from None
    except (UnicodeDecodeError, RecursionError) as exc:
        raise TimelineError(f"not valid JSON: {type(exc).__name__}", source=label) from None


def validate_timeline(data: Any, *, source: str = "<input>") -> Timeline:
    """Validate parsed JSON data as a timeline, raising a located TimelineError."""
    if not isinstance(data, Mapping):
        raise TimelineError("a timeline must be a JSON object", source=source)
    try:
        return _TIMELINE_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise _timeline_error_from(exc, data, source) from None
    except RecursionError:
        raise TimelineError("input is nested too deeply", source=source) from None


def _timeline_error_from(exc: ValidationError, data: Mapping[str, Any], source: str) -> TimelineError:
    err = exc.errors(include_url=False, include_input=False)[0]
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
    if err["type"] == "value_error" and not loc:
        msg = err["msg"].removeprefix("Value error, ")
        return TimelineError(msg, source=source)
    index = event_id = None
    if len(loc) >= 2 and loc[0] == "events" and isinstance(loc[1], int):
        index = loc[1]
        events = data.get("events")
        if isinstance(events, list) and 0 <= index < len(events) and isinstance(events[index], Mapping):
            raw_id = events[index].get("id")
            event_id = raw_id if isinstance(raw_id, str) else None
        rest = loc[2:]
        # The discriminated union puts the event type in the location; drop it.
        if rest and isinstance(rest[0], str) and rest[0] in EVENT_TYPES:
            rest = rest[1:]
        field = ".".join(str(p) for p in rest) or None
    else:
        field = ".".join(str(p) for p in loc) or None
    problem = _describe(err)
    return TimelineError(problem, source=source, index=index, event_id=event_id, field=field)


def _describe(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "timezone_aware":
        return "datetime has no UTC offset (naive datetimes are not accepted)"
    if kind == "union_tag_invalid":
        known = ", ".join(sorted(EVENT_TYPES))
        return f"unknown event type; known types: {known}"
    if kind == "union_tag_not_found":
        return "event has no 'type'"
    if kind == "extra_forbidden":
        return "unknown field (not part of this event type)"
    if kind == "missing":
        return "required field is missing"
    return err["msg"]
