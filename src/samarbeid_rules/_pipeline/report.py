"""The report: obligations, their status and evidence, and an account of every event.

Reports carry ids, never names or event payloads. Instants are given in the
profile's time zone (Europe/Oslo) with their UTC offset; lengths as ISO 8601
durations. The JSON form is deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field as dataclass_field
from dataclasses import make_dataclass
from datetime import date, datetime, time, timedelta
from datetime import date as Date
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_type_hints

import msgspec
from pydantic import (
    BaseModel, ConfigDict, Field, GetCoreSchemaHandler, PlainSerializer, StrictInt, TypeAdapter, model_validator,
)
from pydantic_core import core_schema

from .._common.display import html_of
from .._inputs.profile import ClockWindowTerm, CountTerm, DurationTerm, LeadTimeTerm
from .._inputs.rules import Citation
from .._inputs.values import Clock, Duration

__all__ = [
    "BasisInfo",
    "EventAccount",
    "EventUse",
    "Gap",
    "LocalWindow",
    "NearMiss",
    "NotInForce",
    "Obligation",
    "Report",
    "Status",
    "TermUse",
    "Window",
]


class Status(str, Enum):
    """Where an obligation stands at ``as_of``.

    - ``due``: open, and not late even by the strict bound.
    - ``fulfilled``: met by the strict bound.
    - ``contested``: met, or still open, after the strict bound but within the
      lenient one: late only on the strict reading of a vague term.
    - ``fulfilled_late``: met, but after the lenient bound. A breach that was
      remedied; it counts as a breach.
    - ``breached``: not met by the lenient bound, or no longer possible to
      meet (for example released without notice); for a recurring or
      continuous duty, at least one gap was a breach; for a prohibition, the
      act was done without the condition that allows it.

    A recommendation (*bør*) is never a breach of law: where a duty would be
    ``breached`` or ``fulfilled_late``, a recommendation is ``not_followed``
    or ``followed_late``.
    """

    DUE = "due"
    FULFILLED = "fulfilled"
    CONTESTED = "contested"
    FULFILLED_LATE = "fulfilled_late"
    BREACHED = "breached"
    FOLLOWED_LATE = "followed_late"
    NOT_FOLLOWED = "not_followed"

    @property
    def is_breach(self) -> bool:
        """A breach of law: ``breached`` or ``fulfilled_late`` (never a recommendation)."""
        return self in (Status.BREACHED, Status.FULFILLED_LATE)

    def for_recommendation(self) -> Status:
        """This status as it reads for a recommendation (*bør*)."""
        return {Status.BREACHED: Status.NOT_FOLLOWED, Status.FULFILLED_LATE: Status.FOLLOWED_LATE}.get(self, self)


#: severity order used to combine statuses (worst last)
SEVERITY = [
    Status.FULFILLED,
    Status.DUE,
    Status.CONTESTED,
    Status.FOLLOWED_LATE,
    Status.NOT_FOLLOWED,
    Status.FULFILLED_LATE,
    Status.BREACHED,
]



def worst(statuses: Iterable[Status], default: Status | None = None) -> Status | None:
    """The most severe of ``statuses`` (in :data:`SEVERITY` order), or ``default`` if there are none."""
    return max(statuses, key=SEVERITY.index, default=default)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Window(_Out):
    """When the obligation opened, when it is due (strict and lenient), when it closed."""

    opens: datetime
    due: datetime | None = Field(None, description="Deadline by the strict bound (inclusive).")
    due_lenient: datetime | None = Field(None, description="Deadline by the lenient bound (inclusive).")
    closes: datetime | None = Field(None, description="End of a measure or release: no later fulfilment.")


class Gap(_Out):
    """One finding of a recurring or continuous duty: a stretch without the required cover."""

    kind: Literal["daytime", "around_the_clock", "night", "uncovered", "day", "dogn"]
    start: datetime
    end: datetime
    length: timedelta
    status: Status
    ongoing: bool = Field(False, description="The gap is still open at as_of.")
    looks: int | None = Field(None, description="Night: looks counted.")
    required: int | None = Field(None, description="Night: looks required by the strict bound.")
    required_lenient: int | None = Field(None, description="Night: looks required by the lenient bound.")
    minutes: int | None = Field(None, description="Day: minutes counted (daily sums).")
    required_minutes: int | None = Field(None, description="Day: minutes required by the strict bound.")


def _clock(t: time) -> str:
    return t.strftime("%H:%M:%S" if t.second else "%H:%M")


#: a local clock time, "07:00" in JSON (with seconds only where it has them); read back as strictly as
#: a profile's (HH:MM or HH:MM:SS, never a number)
LocalTime = Annotated[Clock, PlainSerializer(_clock, return_type=str, when_used="json")]

#: what a term's bound is, by its kind
_BOUND_TYPES: dict[str, type] = {"duration": timedelta, "lead_time": timedelta, "count": int}


class LocalWindow(_Out):
    """A daily window of local clock time (Europe/Oslo, the profile's zone), from ``start`` up to ``end``
    on every local day. On a day the clocks change it holds the hours the clock shows between the two:
    07:00-22:00 is 15 hours on both change days, 01:00-05:00 is 3 hours in March and 5 in October."""

    start: LocalTime = Field(description="Local clock time the window starts, HH:MM (HH:MM:SS where it has seconds).")
    end: LocalTime = Field(description="Local clock time the window ends, HH:MM (HH:MM:SS where it has seconds).")


class TermUse(_Out):
    """A profile term an obligation relied on, with the bounds used: as data (``strict``, ``lenient``,
    typed by ``kind``) and in words (``bounds``)."""

    term: str
    kind: Literal["duration", "clock_window", "count", "lead_time"] = Field(
        description="The term's kind in the profile; it says what strict and lenient are."
    )
    words: list[str]
    bounds: str = Field(description="The bounds in words, for people ('strict PT1H, lenient PT4H').")
    strict: Union[Duration, StrictInt, LocalWindow] = Field(
        description="The strict bound: for duration, the longest time allowed, and for lead_time, the "
        "shortest lead before the date, as an ISO 8601 duration; for count, the least number; for "
        "clock_window, the window of local time."
    )
    lenient: Union[Duration, StrictInt, LocalWindow] = Field(
        description="The lenient bound, of the same type as strict (a longer duration, a shorter lead "
        "time, a smaller count, a window inside the strict one)."
    )

    @model_validator(mode="after")
    def _bounds_fit_the_kind(self) -> "TermUse":
        """A report read back: both bounds are of the type ``kind`` says (a count is never a length of
        time, a duration never a number)."""
        want = _BOUND_TYPES.get(self.kind, LocalWindow)
        for name in ("strict", "lenient"):
            value = getattr(self, name)
            if not isinstance(value, want) or isinstance(value, bool):
                raise ValueError(f"{name} of a {self.kind} term must be "
                                 f"{'a local window' if want is LocalWindow else 'an ISO 8601 duration' if want is timedelta else 'a whole number'}")
        return self


def term_use(name: str, term: DurationTerm | ClockWindowTerm | CountTerm | LeadTimeTerm) -> TermUse:
    """The report's record of profile term ``name``: its bounds as data and in words."""
    strict: timedelta | int | LocalWindow
    lenient: timedelta | int | LocalWindow
    if isinstance(term, ClockWindowTerm):
        strict = build(LocalWindow, start=term.strict.start, end=term.strict.end)
        lenient = build(LocalWindow, start=term.lenient.start, end=term.lenient.end)
    else:
        strict, lenient = term.strict, term.lenient
    return build(TermUse, term=name, kind=term.kind, words=list(term.words), bounds=term.bounds_text(),
                 strict=strict, lenient=lenient)


class NearMiss(_Out):
    """An event of a fulfilling type that did not count for an obligation, and why (ids and codes only)."""

    event_id: str
    reason: Literal[
        "condition_not_met", "other_measure", "other_value", "answers_other_trigger", "before_trigger",
        "after_close", "after_next_trigger", "withdrawn", "not_covering",
    ] = Field(description=(
        "condition_not_met: a condition of the fulfilment pattern fails (a notice to the municipality where "
        "kho is needed); other_measure: it names another measure (same: measure_id); other_value: another "
        "same field differs (a notice of another release date); answers_other_trigger: its responds_to names "
        "another event; before_trigger: before the trigger (less any look-back); after_close: after the "
        "closing event (the release, the transfer, the measure's end); after_next_trigger: at or after the "
        "next trigger, which it counts for instead; withdrawn: a permitting measure (consent) ended before "
        "the act; not_covering: a permitting measure in effect whose scope lacks the act's recipient."
    ))


class Obligation(_Out):
    """One duty arising from one trigger, and how it stands."""

    id: str
    duty_id: str
    part: str | None = Field(None, description="Which requirement of the duty, where it has several.")
    title: str
    actor: str
    modality: str
    status: Status
    breach: bool
    trigger_event_ids: list[str]
    window: Window
    fulfilled_by: list[str] = Field(default_factory=list)
    lateness: timedelta | None = Field(None, description="How late after the strict deadline.")
    next_due: datetime | None = Field(None, description="Recurring duty still open: when the next look is due.")
    gaps: list[Gap] = Field(default_factory=list)
    terms: list[TermUse] = Field(default_factory=list)
    explanation: list[str] = Field(default_factory=list)
    near_misses: list[NearMiss] = Field(
        default_factory=list,
        description="For an obligation not fulfilled in time: events of a fulfilling type that did not count, "
        "with the reason (at most ten, in time order; the explanation says the same in words).",
    )
    citation: Citation
    rule_file: str
    rule_set: str
    rule_set_version: str | None = Field(
        None,
        description="The rule-set version (the era of a circular: g8-2006, circular-2025) in force on the "
        "trigger's local date, or on the first day of the part of a measure judged; null where none is. "
        "Informational: the obligation was judged under `bases`."
    )
    bases: list[str] = Field(
        default_factory=list,
        description="Ids of the legal bases (rules/bases.yaml; titles and dates in Report.bases) the "
        "obligation was judged under: those of its rule file in force on the trigger's local date, or on "
        "some day of the part of a measure judged."
    )
    basis_dates_assumed: bool = Field(
        False,
        description="One of the in-force dates it relied on (of its bases, or of a dated value such as an "
        "assessment period) is assumed, not verified from the sources."
    )


# The three records below exist once per input event (tens of thousands in a long
# isolation), so they are msgspec Structs, not models: a Struct is built in C from its
# arguments (about a fifth of the time of a slotted dataclass set slot by slot) and
# msgspec writes the report's list of them as JSON (a third of the time of pydantic's
# serializer for dataclasses), byte for byte as pydantic writes them
# (docs/performance.md#the-event-records-as-msgspec-structs-issue-15-item-2). Inside the
# pydantic models (validating a report read back, model_dump, the JSON Schema) each Struct
# stands for a frozen dataclass of the same name, fields and docstring (_as_pydantic below),
# so the report's JSON Schema is unchanged. They hold no reference cycles (ids, strings,
# dates and tuples of one another), so the garbage collector need not track them (gc=False).


class EventUse(msgspec.Struct, frozen=True, gc=False):
    """One use of an event: by which obligation, in which role."""

    obligation: str
    role: str


class NotInForce(msgspec.Struct, frozen=True, gc=False):
    """A rule file that matched an event as its trigger but judged nothing: no basis of the file was in
    force on the event's local date (for a measure, on any day of the measure), and no other file of
    the duty judged it. Ids and dates only."""

    rule_file: str
    duty: str  #: the duty id, with the part if any
    reason: Literal["not_yet_in_force", "no_longer_in_force"]
    basis: str  #: the basis to come into force next (not_yet), or the last to go out of force
    date: Date  #: its first day in force (not_yet), or its first day no longer in force
    date_assumed: bool  #: that date is assumed, not verified from the sources


class EventAccount(msgspec.Struct, frozen=True, gc=False):
    """What the evaluation did with one input event."""

    index: int
    event_id: str
    type: str
    state: Literal["used", "unused", "after_as_of"]
    used_by: tuple[EventUse, ...] = ()
    reason: str | None = None
    #: the rule files for which the event was a trigger outside their bases' in-force dates
    not_in_force: tuple[NotInForce, ...] = ()


def _as_pydantic(cls: type[msgspec.Struct]) -> None:
    """Let pydantic validate, dump and describe Struct ``cls`` as the frozen dataclass of the same
    name, fields, defaults and docstring (which is what the report's records were before they were
    Structs): in Python, an instance of ``cls`` is taken as it is; data (a dict, JSON) is validated
    as that dataclass and made a ``cls``; an instance is dumped as that dataclass would be."""
    info = msgspec.structs.fields(cls)
    names = tuple(f.name for f in info)
    hints = get_type_hints(cls)
    shape = make_dataclass(
        cls.__name__,
        [(f.name, hints[f.name]) if f.required else (f.name, hints[f.name], dataclass_field(default=f.default))
         for f in info],
        frozen=True, slots=True,
    )
    shape.__module__, shape.__doc__ = cls.__module__, cls.__doc__
    shape.__qualname__ = cls.__qualname__

    def from_shape(value: Any) -> Any:
        return cls(*[getattr(value, n) for n in names])

    def to_shape(value: Any) -> Any:
        return shape(*[getattr(value, n) for n in names])

    def schema(_cls: type, _source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        inner = handler.generate_schema(shape)
        from_data = core_schema.no_info_after_validator_function(from_shape, inner)
        return core_schema.json_or_python_schema(
            json_schema=from_data,
            python_schema=core_schema.union_schema([core_schema.is_instance_schema(cls), from_data]),
            serialization=core_schema.plain_serializer_function_ser_schema(to_shape, return_schema=inner),
        )

    cls.__get_pydantic_core_schema__ = classmethod(schema)  # type: ignore[attr-defined]


for _record in (EventUse, NotInForce, EventAccount):
    _as_pydantic(_record)


class BasisInfo(_Out):
    """A legal basis an obligation of the report was judged under, as the registry dates it under the
    rule set's settings."""

    id: str
    title: str
    kind: str
    in_force_from: date
    in_force_until: date | None = Field(None, description="The first day no longer in force; null: in force.")
    dates_assumed: bool = Field(description="One of its dates is assumed, not verified from the sources.")


class ProfileRef(_Out):
    id: str
    version: str
    policy_note: str


class Report(_Out):
    """The result of evaluating one timeline."""

    case_id: str
    prison_id: str | None
    person_id: str
    as_of: datetime
    engine: str
    rule_set: str
    profile: ProfileRef
    obligations: list[Obligation]
    events: list[EventAccount]
    summary: dict[str, int]
    bases: list[BasisInfo] = Field(
        default_factory=list, description="Every basis an obligation names, with its title and dates, by id."
    )

    @property
    def breaches(self) -> list[Obligation]:
        return [o for o in self.obligations if o.breach]

    def to_json(self, *, indent: int | None = None) -> str:
        """Deterministic JSON: one line by default, ``indent=2`` for people to read.

        One line is ``model_dump_json()``, byte for byte, written in two parts: pydantic writes
        every field but the event accounts, and msgspec the accounts (its Structs' own encoder,
        the costly part of a long timeline); the accounts go in their place, between the
        obligations and the summary (tests/test_report_accounting.py holds the two equal).
        """
        if indent is not None:
            return self.model_dump_json(indent=indent)
        head = self.model_dump_json(exclude=_AFTER_OBLIGATIONS)
        # head is {..., "obligations": [...]}: the fields after it are written after it, in order
        return "".join((
            head[:-1], ',"events":', msgspec.json.encode(self.events).decode(),
            ',"summary":', _SUMMARY.dump_json(self.summary).decode(),
            ',"bases":', _BASES.dump_json(self.bases).decode(), "}",
        ))

    def _repr_html_(self) -> str:
        return html_of(self)  # drawn by the outputs stage (_outputs/render.py)


#: the report's last fields, in order, written after its obligations by Report.to_json
_AFTER_OBLIGATIONS = frozenset({"events", "summary", "bases"})
if list(Report.model_fields)[-4:] != ["obligations", "events", "summary", "bases"]:  # pragma: no cover
    raise AssertionError("Report.to_json writes obligations, events, summary and bases last, in that order")
_SUMMARY = TypeAdapter(dict[str, int])
_BASES = TypeAdapter(list[BasisInfo])


class _Spec:
    """How to build one report model without validation: its defaults and required fields."""

    __slots__ = ("template", "factories", "required", "size")

    def __init__(self, cls: type[BaseModel]) -> None:
        # Every field in declaration order (the order of the JSON keys), with
        # its default; updating a dict keeps the order of its existing keys.
        self.template: dict[str, object] = {
            name: (f.default if f.default_factory is None and not f.is_required() else None)
            for name, f in cls.model_fields.items()
        }
        self.factories: tuple[str, ...] = tuple(
            name for name, f in cls.model_fields.items() if f.default_factory is not None
        )
        self.required = frozenset(name for name, f in cls.model_fields.items() if f.is_required())
        self.size = len(cls.model_fields)


_SPECS: dict[type, _Spec] = {}
_set = object.__setattr__


def build(cls, **values):
    """An instance of report model ``cls`` from values the library computed itself.

    Equivalent to ``cls.model_construct(**values)`` (no validation), without
    its per-call overhead: the report types are built tens of thousands of
    times in a batch. Fields left out take their defaults (a fresh list for
    list fields); a required field left out, or an unknown one given, is a
    programming error.
    """
    spec = _SPECS.get(cls)
    if spec is None:
        spec = _SPECS[cls] = _Spec(cls)
    data = dict(spec.template)
    data.update(values)
    for name in spec.factories:
        if name not in values:
            data[name] = []
    if len(data) != spec.size or not spec.required.issubset(values):
        missing = sorted(spec.required - values.keys())
        unknown = sorted(set(data) - set(cls.model_fields))
        raise TypeError(f"{cls.__name__}: required field(s) {missing} not given, unknown field(s) {unknown}")
    obj = cls.__new__(cls)
    _set(obj, "__dict__", data)
    _set(obj, "__pydantic_fields_set__", set(values))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj
